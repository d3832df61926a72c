"""Art. 33, 34 (债权追索; 扣除相关费用后按约定的风险分担比例进行分配) and SPEC §11: net = gross − itemised costs,
allocated cumulatively at both levels so rounding never drifts; the pool share flows back to the funders'
loss accounts."""

from datetime import date
from decimal import Decimal

import pytest
from claims_world import MATURITY_ON, TODAY, after, balance
from pipeline_support import collected

from riskfund.claims.models import Recovery
from riskfund.claims.selectors import recovery_list
from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.errors import RuleViolation
from riskfund.ledger.models import Entry, Transaction
from riskfund.money import allocate
from riskfund.parties.models import Agreement
from riskfund.parties.services import agreement_end
from riskfund.pool.agreements import deposit_return

D = Decimal
DAY_26 = after(MATURITY_ON, 26)  # 2024-09-28
LOSS = D("230000.03")


@pytest.fixture
def compensated(world):
    """A loan of 230,000.03 (东河区) compensated on 2024-09-28: pool 92,000.01 / bank 46,000.01 / guarantor
    92,000.01; pool split 27,600.00 / 27,600.00 / 36,800.01, all taken from BOB's deposit."""
    loan = world.lend(LOSS)
    compensation = compensation_claim(loan=collected(loan, DAY_26), deducted_on=DAY_26, today=TODAY)
    assert compensation.shares == {"pool": D("92000.01"), "bank": D("46000.01"), "guarantor": D("92000.01")}
    assert compensation.pool_split == {"region": D("27600.00"), "city": D("27600.00"), "district": D("36800.01")}
    return loan


def recover(loan, gross, costs=None, on=date(2024, 12, 2)):
    return recovery_post(loan=loan, recovered_on=on, gross=D(gross), costs=costs or {}, today=TODAY)


def loss_balances():
    return balance("loss:region"), balance("loss:city"), balance("loss:150202")


def test_art34_recovery_250000_03_less_costs_20000_00_gives_92000_01_46000_01_92000_01(compensated, invariants):
    assert loss_balances() == (D("27600.00"), D("27600.00"), D("36800.01"))
    costs = {"litigation": "12000", "enforcement": "5000", "appraisal": "2000.00", "commission": "1000", "other": "0"}
    recovery = recover(compensated, "250000.03", costs)

    # 250,000.03 − (12,000 + 5,000 + 2,000 + 1,000 + 0) = 230,000.03 ≤ the loss 230,000.03
    assert (recovery.gross, recovery.costs_total, recovery.net) == (D("250000.03"), D("20000.00"), LOSS)
    # 23,000,003 fens × 40:20:40: floors 9,200,001 / 4,600,000 / 9,200,001, the odd fen to the bank (remainder 60)
    assert recovery.shares == {"pool": D("92000.01"), "bank": D("46000.01"), "guarantor": D("92000.01")}
    # 9,200,001 fens × 30:30:40: floors 2,760,000 / 2,760,000 / 3,680,000, the odd fen to the district (remainder 40)
    assert recovery.pool_split == {"region": D("27600.00"), "city": D("27600.00"), "district": D("36800.01")}

    entries = {(e.side, e.account.code): e.amount for e in Entry.objects.filter(transaction=recovery.transaction)}
    assert entries == {
        ("D", "deposit:BOB"): D("92000.01"),
        ("C", "loss:region"): D("27600.00"),
        ("C", "loss:city"): D("27600.00"),
        ("C", "loss:150202"): D("36800.01"),
    }
    assert loss_balances() == (D("0.00"), D("0.00"), D("0.00"))
    assert balance("deposit:BOB") == D("1000000.00")
    assert invariants().net_compensation == D("0.00")


def test_spec11_several_recoveries_sum_exactly_to_the_allocation_of_their_total(compensated, invariants):
    first = recover(compensated, "100.01")
    # 100.01 → 40.01 / 20.00 / 40.00 (SPEC §3's example); pool 40.01 → 12.00 / 12.00 / 16.01
    assert (first.shares, first.pool_split) == (
        {"pool": D("40.01"), "bank": D("20.00"), "guarantor": D("40.00")},
        {"region": D("12.00"), "city": D("12.00"), "district": D("16.01")},
    )
    second = recover(compensated, "0.01")
    # cumulative 100.02 → 40.01 / 20.00 / 40.01: the fen goes to the guarantor, the pool posts nothing
    assert second.shares == {"pool": D("0.00"), "bank": D("0.00"), "guarantor": D("0.01")}
    assert second.transaction is None
    third = recover(compensated, "0.01")
    # cumulative 100.03 → 40.01 / 20.01 / 40.01
    assert third.shares == {"pool": D("0.00"), "bank": D("0.01"), "guarantor": D("0.00")}
    fourth = recover(compensated, "0.03")
    # cumulative 100.06 → 40.03 / 20.01 / 40.02; pool 40.03 → 12.01 / 12.01 / 16.01, less 12.00 / 12.00 / 16.01
    assert (fourth.shares, fourth.pool_split) == (
        {"pool": D("0.02"), "bank": D("0.00"), "guarantor": D("0.01")},
        {"region": D("0.01"), "city": D("0.01"), "district": D("0.00")},
    )

    recoveries = list(recovery_list(compensated))
    assert recoveries == [first, second, third, fourth]
    totals = [sum(getattr(r, f"share_{p}") for r in recoveries) for p in ("pool", "bank", "guarantor")]
    assert totals == allocate(D("100.06"), [40, 20, 40]) == [D("40.03"), D("20.01"), D("40.02")]
    splits = [sum(getattr(r, f"split_{p}") for r in recoveries) for p in ("region", "city", "district")]
    assert splits == allocate(D("40.03"), [30, 30, 40]) == [D("12.01"), D("12.01"), D("16.01")]
    # allocating each recovery on its own would have drifted: the pool would have got 40.04
    naive_pool = sum(allocate(r.net, [40, 20, 40])[0] for r in recoveries)
    assert naive_pool == D("40.04")
    # 27,600.00 − 12.01, 27,600.00 − 12.01, 36,800.01 − 16.01
    assert loss_balances() == (D("27587.99"), D("27587.99"), D("36784.00"))
    invariants()

    # what is left of the loss: 230,000.03 − 100.06 = 229,899.97; one fen more is refused
    with pytest.raises(RuleViolation) as too_much:
        recover(compensated, "229899.98")
    assert (too_much.value.code, too_much.value.clause) == ("recovery_exceeds_loss", "art. 34")
    last = recover(compensated, "229899.97")
    assert last.cumulative_net == LOSS
    # all recoveries together are exactly the compensation's allocation: the loss accounts are back to zero
    assert loss_balances() == (D("0.00"), D("0.00"), D("0.00"))
    with pytest.raises(RuleViolation) as after_full:
        recover(compensated, "0.01")
    assert after_full.value.code == "recovery_exceeds_loss"
    invariants()


def test_art34_costs_above_the_gross_are_refused_and_a_net_of_zero_posts_nothing(compensated, invariants):
    with pytest.raises(RuleViolation) as refused:
        recover(compensated, "100.00", {"litigation": "60", "other": "40.01"})
    assert (refused.value.code, refused.value.clause) == ("costs_exceed_recovery", "art. 34")
    before = Transaction.objects.count()
    zero = recover(compensated, "100.00", {"litigation": "60", "commission": "40"})
    assert zero.net == D("0.00")
    assert zero.shares == {"pool": D("0.00"), "bank": D("0.00"), "guarantor": D("0.00")}
    assert zero.transaction is None
    assert Transaction.objects.count() == before
    assert Recovery.objects.count() == 1
    invariants()


def test_art34_a_recovery_beyond_the_loss_in_one_go_is_refused(compensated):
    with pytest.raises(RuleViolation) as refused:
        recover(compensated, "230000.04")
    assert refused.value.code == "recovery_exceeds_loss"
    assert not Recovery.objects.exists()


def test_art33_a_loan_not_compensated_has_no_recovery(world):
    loan = world.lend("100000")
    with pytest.raises(RuleViolation) as refused:
        recover(loan, "1000")
    assert (refused.value.code, refused.value.clause) == ("loan_not_compensated", "art. 33")


@pytest.mark.parametrize(
    ("gross", "costs", "field"),
    [
        ("0", {}, "gross"),
        ("100.001", {}, "gross"),
        ("100", {"lawyer": "1"}, "costs"),
        ("100", {"litigation": "-1"}, "costs.litigation"),
    ],
)
def test_art34_malformed_amounts_are_validation_errors(compensated, gross, costs, field):
    with pytest.raises(RuleViolation) as refused:
        recover(compensated, gross, costs)
    assert (refused.value.code, refused.value.status) == ("validation_error", 400)
    assert field in refused.value.errors


def test_art33_recovery_dates_are_not_before_the_deduction_nor_in_the_future(compensated):
    with pytest.raises(RuleViolation) as early:
        recover(compensated, "1000", on=after(DAY_26, -1))
    assert early.value.code == "validation_error"
    with pytest.raises(RuleViolation) as future:
        recovery_post(loan=compensated, recovered_on=date(2024, 12, 3), gross=D("1"), today=date(2024, 12, 2))
    assert future.value.code == "date_in_future"


def test_spec4_once_the_deposit_was_returned_a_recovery_goes_to_the_special_account(compensated, world, invariants):
    agreement = agreement_end(agreement=Agreement.objects.get(bank=world.bank), ended_on=date(2024, 10, 8))
    deposit_return(agreement=agreement, returned_on=date(2024, 10, 9))
    assert balance("deposit:BOB") == D("0.00")
    special = balance("pool:special")
    recovery = recover(compensated, "1000.00")
    entries = {(e.side, e.account.code): e.amount for e in Entry.objects.filter(transaction=recovery.transaction)}
    # 1,000 → pool 400.00 → 120.00 / 120.00 / 160.00
    assert entries == {
        ("D", "pool:special"): D("400.00"),
        ("C", "loss:region"): D("120.00"),
        ("C", "loss:city"): D("120.00"),
        ("C", "loss:150202"): D("160.00"),
    }
    assert balance("pool:special") == special + D("400.00")
    invariants()
