"""Art. 20 (风险分担 40:20:40; 资金池部分 30:30:40) and SPEC §4: a compensation's pool share is posted to the
funders' loss accounts against the bank's deposit, any rest as a payable the trustee settles."""

from datetime import date
from decimal import Decimal

import pytest
from claims_world import MATURITY_ON, TODAY, after, balance, build_world, inject
from pipeline_support import collected

from riskfund.claims.models import Payable
from riskfund.claims.selectors import payables_due
from riskfund.claims.services import compensation_claim, payable_settle
from riskfund.errors import RuleViolation
from riskfund.ledger.models import Entry
from riskfund.pool.models import PoolState

D = Decimal
DAY_26 = after(MATURITY_ON, 26)


def test_art20_loss_5000000_splits_2000000_1000000_2000000_and_600000_600000_800000(world, invariants):
    loan = world.lend("5000000")  # 东河区 150202
    compensation = compensation_claim(loan=collected(loan, DAY_26), deducted_on=DAY_26, today=TODAY)

    assert compensation.loss == D("5000000.00")
    assert compensation.shares == {"pool": D("2000000.00"), "bank": D("1000000.00"), "guarantor": D("2000000.00")}
    assert compensation.pool_split == {"region": D("600000.00"), "city": D("600000.00"), "district": D("800000.00")}
    assert compensation.district_id == "150202"
    # the deposit holds 1,000,000: the bank deducts that, the other 1,000,000 is owed to it (art. 32)
    assert (compensation.from_deposit, compensation.to_payable) == (D("1000000.00"), D("1000000.00"))

    entries = {(e.side, e.account.code): e.amount for e in Entry.objects.filter(transaction=compensation.transaction)}
    assert entries == {
        ("D", "loss:region"): D("600000.00"),
        ("D", "loss:city"): D("600000.00"),
        ("D", "loss:150202"): D("800000.00"),
        ("C", "deposit:BOB"): D("1000000.00"),
        ("C", "payable:BOB"): D("1000000.00"),
    }
    assert (balance("deposit:BOB"), balance("payable:BOB")) == (D("0.00"), D("1000000.00"))
    state = invariants()
    # F 24,200,000; N 2,000,000; B = 23,200,000 special + 0 deposit − 1,000,000 payable = 22,200,000 = F − N
    assert (state.pool_funds, state.net_compensation, state.pool_balance) == (
        D("24200000.00"),
        D("2000000.00"),
        D("22200000.00"),
    )

    payable = Payable.objects.get(compensation=compensation)
    assert (payable.bank, payable.amount, payable.due_since) == (world.bank, D("1000000.00"), DAY_26)
    assert list(payables_due()) == [payable]

    settled = payable_settle(payable=payable, settled_on=date(2024, 10, 15), today=TODAY)
    assert settled.settled_on == date(2024, 10, 15)
    entries = {(e.side, e.account.code): e.amount for e in Entry.objects.filter(transaction=settled.transaction)}
    assert entries == {("D", "payable:BOB"): D("1000000.00"), ("C", "pool:special"): D("1000000.00")}
    assert (balance("payable:BOB"), balance("pool:special")) == (D("0.00"), D("22200000.00"))
    assert list(payables_due()) == []
    state = invariants()
    assert state.pool_balance == D("22200000.00")  # settling moves money, not B

    with pytest.raises(RuleViolation) as again:
        payable_settle(payable=payable, settled_on=date(2024, 10, 16), today=TODAY)
    assert again.value.code == "payable_settled"


def test_spec4_a_deposit_larger_than_the_pool_share_covers_it_and_leaves_no_payable(world, invariants):
    compensation = compensation_claim(loan=collected(world.lend("1000000.01"), DAY_26), deducted_on=DAY_26, today=TODAY)
    # 1,000,000.01 × 40:20:40 → 400,000.01 / 200,000.00 / 400,000.00 (the odd fen to the pool, ties to the earlier)
    assert compensation.shares == {"pool": D("400000.01"), "bank": D("200000.00"), "guarantor": D("400000.00")}
    # 400,000.01 × 30:30:40 → 120,000.00 / 120,000.00 / 160,000.01
    assert compensation.pool_split == {"region": D("120000.00"), "city": D("120000.00"), "district": D("160000.01")}
    assert (compensation.from_deposit, compensation.to_payable) == (D("400000.01"), D("0.00"))
    assert not Payable.objects.exists()
    assert balance("deposit:BOB") == D("599999.99")
    invariants()


def test_spec4_a_compensation_is_never_refused_for_lack_of_deposit_and_the_payable_waits_for_funds(policy_2021):
    # only 1,200,000 paid in: after the 1,000,000 deposit the special account holds 200,000
    world = build_world(policy_2021, injections={"150202": "1200000"})
    big, small = world.lend("2500000"), world.lend("1000000")  # both lent before the losses suspend the pool
    first = compensation_claim(loan=collected(big, DAY_26), deducted_on=DAY_26, today=TODAY)
    assert (first.from_deposit, first.to_payable) == (D("1000000.00"), D("0.00"))
    second = compensation_claim(loan=collected(small, DAY_26), deducted_on=DAY_26, today=TODAY)
    assert (second.share_pool, second.from_deposit, second.to_payable) == (D("400000.00"), D("0.00"), D("400000.00"))
    payable = second.payable
    with pytest.raises(RuleViolation) as short:
        payable_settle(payable=payable, settled_on=date(2024, 10, 15), today=TODAY)
    assert (short.value.code, short.value.clause) == ("insufficient_pool_funds", "art. 11")
    assert balance("pool:special") == D("200000.00")

    inject("city", "300000", on=date(2024, 10, 20))
    payable_settle(payable=payable, settled_on=date(2024, 10, 21), today=TODAY)
    assert (balance("pool:special"), balance("payable:BOB")) == (D("100000.00"), D("0.00"))
    state = PoolState.objects.get(pk=1)
    assert state.pool_balance == state.pool_funds - state.net_compensation == D("100000.00")


def test_spec4_a_payable_is_not_settled_before_the_deduction_or_in_the_future(world):
    payable = compensation_claim(loan=collected(world.lend("5000000"), DAY_26), deducted_on=DAY_26, today=TODAY).payable
    with pytest.raises(RuleViolation) as early:
        payable_settle(payable=payable, settled_on=after(DAY_26, -1), today=TODAY)
    assert (early.value.code, early.value.status) == ("validation_error", 400)
    with pytest.raises(RuleViolation) as future:
        payable_settle(payable=payable, settled_on=date(2024, 10, 20), today=date(2024, 10, 19))
    assert future.value.code == "date_in_future"
