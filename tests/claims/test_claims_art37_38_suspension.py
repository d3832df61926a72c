"""Art. 37, 38 and SPEC §5: real compensations bring net compensation N to 20 % of pool funds F and suspend new
lending in the same transaction; a replenishment (higher F) or a recovery (lower N) resumes it."""

from datetime import date
from decimal import Decimal

import pytest
from claims_world import MATURITY_ON, TODAY, after, inject
from pipeline_support import collected

from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.errors import RuleViolation
from riskfund.outbox.models import OutboxEvent
from riskfund.pool.models import PoolStateChange
from riskfund.pool.selectors import funder_list, pool_position

D = Decimal
DAY_26 = after(MATURITY_ON, 26)  # 2024-09-28
LATER = date(2024, 10, 8)


@pytest.fixture
def three_loans(world):
    """On F = 24,200,000: A 10,000,000 (150202), B 2,099,999.98 (150203), C 670,000.00 (150202), all lent
    before any loss."""
    return world.lend("10000000"), world.lend("2099999.98", district="150203"), world.lend("670000")


def suspended_by_compensations(world, three_loans, invariants):
    a, b, c = three_loans
    first = compensation_claim(loan=collected(a, DAY_26), deducted_on=DAY_26, today=TODAY)
    assert (first.share_pool, first.pool_split["district"]) == (D("4000000.00"), D("1600000.00"))
    second = compensation_claim(loan=collected(b, DAY_26), deducted_on=DAY_26, today=TODAY)
    # 209,999,998 fens × 40:20:40 → floors 83,999,999 / 41,999,999 / 83,999,999, the odd fen to the bank (rem. 60)
    assert second.shares == {"pool": D("839999.99"), "bank": D("420000.00"), "guarantor": D("839999.99")}
    # 83,999,999 fens × 30:30:40 → floors 25,199,999 / 25,199,999 / 33,599,999, two fens to region and city (rem. 70)
    assert second.pool_split == {"region": D("252000.00"), "city": D("252000.00"), "district": D("335999.99")}
    state = invariants()
    # 4,839,999.99 < 20 % × 24,200,000 = 4,840,000: still open
    assert (state.net_compensation, state.suspended) == (D("4839999.99"), False)

    third = compensation_claim(loan=collected(c, LATER), deducted_on=LATER, today=TODAY)
    assert third.shares == {"pool": D("268000.00"), "bank": D("134000.00"), "guarantor": D("268000.00")}
    state = invariants()
    assert (state.pool_funds, state.net_compensation, state.suspended) == (
        D("24200000.00"),
        D("5107999.99"),
        True,
    )
    change = PoolStateChange.objects.get()
    assert (change.suspended, change.business_date, change.ratio) == (True, LATER, D("0.211074"))
    assert change.cause == f"compensation {third.pk}"
    # SPEC §5: the crossing notifies every active bank, written in the compensation's own transaction
    suspended = OutboxEvent.objects.get(type="pool.suspended")
    assert (suspended.bank, suspended.data["business_date"]) == (world.bank, "2024-10-08")
    return state


def test_art37_compensations_bringing_n_to_5107999_99_on_24_2_million_suspend_replenishments_resume(
    world, three_loans, invariants
):
    suspended_by_compensations(world, three_loans, invariants)
    position = pool_position(LATER)
    # 5,107,999.99 ÷ 0.2 − 24,200,000 = 1,339,999.95, + 0.01
    assert (position["compensation_ratio"], position["resume_replenishment"]) == (D("0.211074"), D("1339999.96"))
    city = next(row for row in funder_list(LATER) if row["code"] == "city")
    assert city["replenishment_due"] == D("1339999.96")  # art. 38 (二): the city replenishes

    with pytest.raises(RuleViolation) as refused:
        world.lend("100000", disbursed_on=date(2024, 10, 9), maturity_on=date(2025, 4, 9))
    assert (refused.value.code, refused.value.clause) == ("pool_suspended", "art. 37")

    inject("city", "1000000", on=date(2024, 10, 10), kind="replenishment")
    state = invariants()
    assert (state.pool_funds, state.suspended) == (D("25200000.00"), True)  # 5,040,000 ≤ 5,107,999.99
    inject("city", "1000000", on=date(2024, 10, 11), kind="replenishment")
    state = invariants()
    assert (state.pool_funds, state.suspended) == (D("26200000.00"), False)  # 5,240,000 > 5,107,999.99
    assert [c.suspended for c in PoolStateChange.objects.order_by("business_date")] == [True, False]
    assert world.lend("100000", disbursed_on=date(2024, 10, 12), maturity_on=date(2025, 4, 12)).status == "active"
    invariants()


def test_art37_a_recovery_lowering_n_below_20_percent_resumes(world, three_loans, invariants):
    suspended_by_compensations(world, three_loans, invariants)
    c = three_loans[2]
    first = recovery_post(loan=c, recovered_on=date(2024, 11, 1), gross=D("669999.98"), today=TODAY)
    # 66,999,998 fens × 40:20:40 → pool 267,999.99; pool split 80,400.00 / 80,400.00 / 107,199.99
    assert (first.share_pool, first.pool_split) == (
        D("267999.99"),
        {"region": D("80400.00"), "city": D("80400.00"), "district": D("107199.99")},
    )
    state = invariants()
    # N = 4,840,000.00 = 20 % × 24,200,000 exactly: still suspended (N ≥ threshold × F)
    assert (state.net_compensation, state.suspended) == (D("4840000.00"), True)

    second = recovery_post(loan=c, recovered_on=date(2024, 11, 2), gross=D("0.02"), today=TODAY)
    # cumulative 670,000.00 → pool 268,000.00: this one brings the pool 0.01, to the district's loss account
    assert (second.shares, second.pool_split) == (
        {"pool": D("0.01"), "bank": D("0.00"), "guarantor": D("0.01")},
        {"region": D("0.00"), "city": D("0.00"), "district": D("0.01")},
    )
    state = invariants()
    assert (state.net_compensation, state.suspended) == (D("4839999.99"), False)
    resumed = PoolStateChange.objects.get(suspended=False)
    assert (resumed.business_date, resumed.cause) == (date(2024, 11, 2), f"recovery {second.pk}")
    assert pool_position(date(2024, 11, 2))["resume_replenishment"] == D("0.00")
