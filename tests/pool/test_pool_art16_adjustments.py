"""Art. 16 "适时调整" (SPEC §7): the bureau adjusts a bank's deposit on its own initiative, with maker-checker; the
trustee executes within 30 days of approval (late flagged); a decrease may not leave the deposit below the cover of
the bank's active outstanding (outstanding ÷ 10, up to the fen): ``deposit_below_cover`` at proposal and execution.

The world (tests/api/staff_world.py): 东河区 paid in 4,000,000; BOB's deposit 1,000,000 (special account
3,000,000); BOB lends 2 × 6,000,000, outstanding 12,000,000 → cover 1,200,000.00."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import riskfund.dates
from riskfund.approvals.models import ApprovalRequest
from riskfund.approvals.services import approval_reject
from riskfund.errors import RuleViolation
from riskfund.ledger.selectors import account_balance
from riskfund.lending.services import repayment_post
from riskfund.outbox.models import OutboxEvent
from riskfund.parties.models import Bank
from riskfund.pool.adjustments import (
    deposit_adjustment_approve,
    deposit_adjustment_execute,
    deposit_adjustment_propose,
    deposit_cover,
)
from riskfund.pool.models import DepositAdjustment, PoolState
from tests.api.staff_world import build_lending_world

D = Decimal
APPROVED_ON = date(2026, 5, 4)  # + 30 days = 2026-06-03


@pytest.fixture
def world(policy_2021, monkeypatch):
    world = build_lending_world()
    monkeypatch.setattr(riskfund.dates, "business_today", lambda: APPROVED_ON)
    return world


@pytest.fixture
def bureau(db):
    group, _ = Group.objects.get_or_create(name="bureau")
    users = []
    for name in ("ann", "bob"):
        user = get_user_model().objects.create_user(username=name, password="x-unused-password")
        user.groups.add(group)
        users.append(user)
    return users


def _approved(world, bureau, direction: str, amount: str) -> DepositAdjustment:
    proposed = deposit_adjustment_propose(
        bank=world.bank, direction=direction, amount=D(amount), reason="适时调整", user=bureau[0]
    )
    return deposit_adjustment_approve(adjustment=proposed, user=bureau[1])


def _code(call) -> str:
    with pytest.raises(RuleViolation) as refused:
        call()
    return refused.value.code


def test_art16_increase_then_decrease_to_exactly_the_cover_one_fen_more_refused(world, bureau):
    bank = Bank.objects.get(pk=world.bank.pk)
    assert deposit_cover(bank, APPROVED_ON) == D("1200000.00")  # 12,000,000 ÷ 10
    # the deposit (1,000,000) is already below the cover: no decrease at all
    one_fen = {"direction": "decrease", "amount": D("0.01"), "reason": "x"}
    refused = _code(lambda: deposit_adjustment_propose(bank=bank, user=bureau[0], **one_fen))
    assert refused == "deposit_below_cover"

    increase = _approved(world, bureau, "increase", "500000")
    deposit_adjustment_execute(adjustment=increase, executed_on=APPROVED_ON)
    # deposit 1,000,000 + 500,000 = 1,500,000; special 3,000,000 − 500,000 = 2,500,000; B unchanged
    assert (account_balance("deposit:BOB"), account_balance("pool:special")) == (D("1500000.00"), D("2500000.00"))
    assert PoolState.objects.get().pool_balance == D("4000000.00")

    # 1,500,000 − 300,000.01 = 1,199,999.99 < 1,200,000.00: refused; 300,000 leaves exactly the cover
    assert (
        _code(
            lambda: deposit_adjustment_propose(
                bank=bank, direction="decrease", amount=D("300000.01"), reason="x", user=bureau[0]
            )
        )
        == "deposit_below_cover"
    )
    decrease = _approved(world, bureau, "decrease", "300000")
    executed = deposit_adjustment_execute(adjustment=decrease, executed_on=APPROVED_ON)
    assert (executed.status, executed.executed_late) == ("executed", False)
    assert (account_balance("deposit:BOB"), account_balance("pool:special")) == (D("1200000.00"), D("2800000.00"))
    txn = executed.transaction
    assert txn.kind == "deposit_adjustment"
    assert {(e.account.code, e.side, e.amount) for e in txn.entries.select_related("account")} == {
        ("pool:special", "D", D("300000.00")),
        ("deposit:BOB", "C", D("300000.00")),
    }


def test_art16_the_cover_is_rounded_up_to_the_fen(world, bureau):
    # 0.05 of principal repaid: outstanding 11,999,999.95 ÷ 10 = 1,199,999.995 → cover 1,200,000.00, not 1,199,999.99
    repayment_post(loan=world.loans[0], paid_on=date(2026, 4, 1), principal=D("0.05"), interest=D("0"))
    world.bank.refresh_from_db()
    assert world.bank.outstanding_principal == D("11999999.95")
    assert deposit_cover(world.bank, APPROVED_ON) == D("1200000.00")


def test_art16_the_cover_is_checked_again_at_execution(world, bureau):
    deposit_adjustment_execute(adjustment=_approved(world, bureau, "increase", "500000"), executed_on=APPROVED_ON)
    # two decreases of 300,000, each within the cover when proposed against 1,500,000
    first = _approved(world, bureau, "decrease", "300000")
    second = _approved(world, bureau, "decrease", "300000")
    deposit_adjustment_execute(adjustment=first, executed_on=APPROVED_ON)
    assert (
        _code(lambda: deposit_adjustment_execute(adjustment=second, executed_on=APPROVED_ON)) == "deposit_below_cover"
    )
    assert DepositAdjustment.objects.get(pk=second.pk).status == "approved"
    assert account_balance("deposit:BOB") == D("1200000.00")


def test_art16_execution_on_day_30_is_on_time_on_day_31_late(world, bureau, monkeypatch):
    on_time = _approved(world, bureau, "increase", "100000")
    late = _approved(world, bureau, "increase", "100000")
    assert (on_time.approved_on, on_time.due_on) == (APPROVED_ON, date(2026, 6, 3))
    monkeypatch.setattr(riskfund.dates, "business_today", lambda: date(2026, 7, 1))
    assert deposit_adjustment_execute(adjustment=on_time, executed_on=date(2026, 6, 3)).executed_late is False
    assert deposit_adjustment_execute(adjustment=late, executed_on=date(2026, 6, 4)).executed_late is True
    assert account_balance("deposit:BOB") == D("1200000.00")


def test_art16_maker_checker_webhook_and_refusals(world, bureau):
    proposed = deposit_adjustment_propose(
        bank=world.bank, direction="increase", amount=D("200000"), reason="业务量增长", user=bureau[0]
    )
    assert proposed.status == "proposed"
    assert _code(lambda: deposit_adjustment_approve(adjustment=proposed, user=bureau[0])) == "approver_is_maker"
    assert _code(lambda: deposit_adjustment_execute(adjustment=proposed, executed_on=APPROVED_ON)) == (
        "adjustment_not_approved"
    )
    approved = deposit_adjustment_approve(adjustment=proposed, user=bureau[1])
    assert (approved.status, approved.approved_by, approved.due_on) == ("approved", bureau[1], date(2026, 6, 3))
    event = OutboxEvent.objects.get(type="deposit.adjustment_approved")
    assert (event.bank_id, event.data["amount"], event.data["direction"], event.data["due_on"]) == (
        world.bank.pk,
        "200000.00",
        "increase",
        "2026-06-03",
    )
    assert _code(lambda: deposit_adjustment_approve(adjustment=approved, user=bureau[1])) == "adjustment_not_proposed"
    assert _code(lambda: deposit_adjustment_execute(adjustment=approved, executed_on=date(2026, 5, 3))) == (
        "validation_error"  # before the approval
    )
    assert _code(lambda: deposit_adjustment_execute(adjustment=approved, executed_on=date(2026, 5, 5))) == (
        "date_in_future"
    )
    for bad in ({"direction": "sideways"}, {"amount": D("0")}, {"reason": "  "}):
        args = {"direction": "increase", "amount": D("1"), "reason": "x", **bad}
        assert _code(lambda a=args: deposit_adjustment_propose(bank=world.bank, user=bureau[0], **a)) == (
            "validation_error"
        )


def test_art16_a_rejected_proposal_moves_nothing(world, bureau):
    proposed = deposit_adjustment_propose(
        bank=world.bank, direction="increase", amount=D("200000"), reason="x", user=bureau[0]
    )
    approval_reject(request=ApprovalRequest.objects.get(), checker=bureau[1], note="暂不调整")
    assert DepositAdjustment.objects.get(pk=proposed.pk).status == "rejected"
    assert _code(lambda: deposit_adjustment_approve(adjustment=proposed, user=bureau[1])) == "adjustment_not_proposed"
    assert account_balance("deposit:BOB") == D("1000000.00")
