"""Art. 16: when a bank's outstanding exceeds 10 × its deposit, a top-up is requested, approved by another
user and executed within 30 days of approval; late execution is flagged."""

from datetime import date
from decimal import Decimal

import pytest

from riskfund.errors import RuleViolation
from riskfund.ledger.selectors import account_balance
from riskfund.parties.models import Bank, Funder, Guarantor
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import DepositTopUp, PoolState, TopUpStatus
from riskfund.pool.selectors import topup_suggested
from riskfund.pool.services import injection_post, topup_approve, topup_execute, topup_request

D = Decimal


def lend(bank: Bank, outstanding: str) -> Bank:
    """Stand-in for the lending code, which keeps the bank's outstanding principal of active loans."""
    Bank.objects.filter(pk=bank.pk).update(outstanding_principal=D(outstanding))
    bank.refresh_from_db()
    return bank


@pytest.fixture
def bank(seeded):
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("10000000"))
    bank = bank_create(code="ICBC", name="中国工商银行包头分行")
    agreement_sign(bank=bank, guarantor=Guarantor.objects.create(code="G", name="担保"), signed_on=date(2025, 1, 10))
    return bank


def test_art16_topup_request_is_refused_when_outstanding_is_not_above_10_times_the_deposit(bank, users):
    lend(bank, "10000000.00")  # exactly 10 × 1,000,000: not above
    assert topup_suggested(bank) == D("0.00")
    with pytest.raises(RuleViolation) as err:
        topup_request(bank=bank, amount=D("100000"), reason="扩大业务", user=users["ann"])
    assert (err.value.code, err.value.clause) == ("topup_not_needed", "art. 16")
    assert not DepositTopUp.objects.exists()


def test_art16_suggested_topup_is_ceil_of_outstanding_over_10_minus_deposit_to_the_yuan(bank):
    lend(bank, "12000000.01")
    # ceil(12,000,000.01 ÷ 10 − 1,000,000) = ceil(200,000.001) = 200,001 yuan
    assert topup_suggested(bank) == D("200001.00")


def test_art16_requester_cannot_approve_and_execution_on_day_30_is_on_time(bank, users, invariant):
    lend(bank, "12000000.01")
    topup = topup_request(
        bank=bank, amount=D("200001"), reason="业务量增长", user=users["ann"], requested_on=date(2025, 3, 1)
    )
    with pytest.raises(RuleViolation) as err:
        topup_request(bank=bank, amount=D("1"), reason="again", by_bank=True)
    assert err.value.code == "topup_already_pending"
    with pytest.raises(RuleViolation) as err:
        topup_approve(topup=topup, amount=D("200001"), approved_on=date(2025, 3, 3), user=users["ann"])
    assert (err.value.code, err.value.clause) == ("approver_is_requester", "art. 16")
    with pytest.raises(RuleViolation) as err:
        topup_execute(topup=topup, executed_on=date(2025, 3, 4))
    assert err.value.code == "topup_not_approved"

    topup = topup_approve(topup=topup, amount=D("200001"), approved_on=date(2025, 3, 3), user=users["bob"])
    assert topup.due_on == date(2025, 4, 2)  # 3 March + 30 calendar days
    before = PoolState.objects.get(pk=1)
    topup = topup_execute(topup=topup, executed_on=date(2025, 4, 2), user=users["bob"])
    after = invariant()
    assert (topup.status, topup.executed_late) == (TopUpStatus.EXECUTED, False)
    assert account_balance("deposit:ICBC") == D("1200001.00")
    assert account_balance("pool:special") == D("8799999.00")
    assert (after.pool_funds, after.pool_balance) == (before.pool_funds, before.pool_balance)
    assert topup_suggested(bank) == D("0.00")


def test_art16_execution_on_day_31_after_approval_is_flagged_late(bank, users, invariant):
    lend(bank, "12000000.01")
    topup = topup_request(bank=bank, amount=D("300000"), reason="", by_bank=True, requested_on=date(2025, 3, 1))
    assert topup.requested_by_bank and topup.requested_by is None
    topup = topup_approve(topup=topup, amount=D("250000"), approved_on=date(2025, 3, 3), user=users["ann"])
    topup = topup_execute(topup=topup, executed_on=date(2025, 4, 3))
    assert topup.executed_late is True
    assert account_balance("deposit:ICBC") == D("1250000.00")
    invariant()
    # executed: a new request may be made (none is open), but it is no longer needed
    with pytest.raises(RuleViolation) as err:
        topup_request(bank=bank, amount=D("1"), reason="", by_bank=True)
    assert err.value.code == "topup_not_needed"


def test_art16_execution_is_refused_when_the_special_account_lacks_the_money(bank, users):
    lend(bank, "300000000")
    topup = topup_request(bank=bank, amount=D("9000000.01"), reason="", by_bank=True)
    topup = topup_approve(topup=topup, amount=D("9000000.01"), approved_on=date(2025, 3, 3), user=users["ann"])
    with pytest.raises(RuleViolation) as err:
        topup_execute(topup=topup, executed_on=date(2025, 3, 5))
    assert (err.value.code, err.value.clause) == ("insufficient_pool_funds", "art. 16")
    topup.refresh_from_db()
    assert topup.status == TopUpStatus.APPROVED
    assert account_balance("deposit:ICBC") == D("1000000.00")


def test_art16_deposit_position_lists_balance_suggestion_and_movements(bank, users):
    from riskfund.parties.selectors import agreement_in_force, agreement_open
    from riskfund.pool.selectors import deposit_position
    from riskfund.pool.services import interest_post

    lend(bank, "12000000.01")
    interest_post(credited_on=date(2025, 3, 31), amount=D("812.50"), account="ICBC")
    position = deposit_position(bank)
    assert position["balance"] == D("1000812.50")
    assert position["outstanding_principal"] == D("12000000.01")
    # ceil(1,200,000.001 − 1,000,812.50) = ceil(199,187.501) = 199,188 yuan
    assert position["topup_suggested"] == D("199188.00")
    assert [(e.transaction.kind, e.side, e.amount) for e in position["movements"]] == [
        ("interest", "D", D("812.50")),
        ("deposit_initial", "D", D("1000000.00")),
    ]
    assert agreement_in_force(bank) == agreement_open(bank)
    assert agreement_in_force(bank).signed_on == date(2025, 1, 10)
