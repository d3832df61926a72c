"""Art. 9: the pool backs credit of 10 × its balance (SPEC §4: capacity on B, not F)."""

from datetime import date
from decimal import Decimal

from riskfund.parties.models import Funder
from riskfund.pool.selectors import pool_position
from riskfund.pool.services import injection_post, pool_outstanding_add, pool_state_lock

D = Decimal

POSITION_KEYS = {
    "pool_funds",
    "net_compensation",
    "compensation_ratio",
    "suspension_threshold",
    "suspended",
    "pool_balance",
    "credit_capacity",
    "outstanding_principal",
    "available_capacity",
    "policy_version",
    "policy_expires_on",
    "new_business_open",
    "new_business_closed_reason",
    "as_of",
    "resume_replenishment",
}


def inject_24_2_million() -> None:
    for code, amount in [("region", "6000000"), ("city", "6000000"), ("150202", "8000000"), ("150203", "4200000")]:
        injection_post(funder=Funder.objects.get(code=code), paid_on=date(2025, 3, 3), amount=D(amount))


def test_art9_injections_of_24_2_million_give_capacity_242_million(seeded, invariant, django_assert_max_num_queries):
    inject_24_2_million()
    state = invariant()
    assert state.pool_funds == state.pool_balance == D("24200000.00")
    with django_assert_max_num_queries(3):  # O(1): the state row and the policy, never the entries
        position = pool_position(date(2025, 6, 30))
    assert set(position) == POSITION_KEYS
    assert position["pool_funds"] == D("24200000.00")
    assert position["pool_balance"] == D("24200000.00")
    assert position["net_compensation"] == D("0.00")
    assert position["credit_capacity"] == D("242000000.00")
    assert position["available_capacity"] == D("242000000.00")
    assert str(position["compensation_ratio"]) == "0.000000"
    assert position["suspension_threshold"] == D("0.200000")
    assert position["suspended"] is False
    assert position["resume_replenishment"] == D("0.00")
    assert position["policy_version"] == "2021"
    assert position["policy_expires_on"] == date(2026, 4, 29)
    assert (position["new_business_open"], position["new_business_closed_reason"]) == (True, None)
    assert position["as_of"] == date(2025, 6, 30)


def test_art9_available_capacity_deducts_outstanding_of_active_loans(seeded, invariant):
    inject_24_2_million()
    from django.db import transaction

    with transaction.atomic():
        pool_outstanding_add(state=pool_state_lock(), delta=D("200000000.01"))
    position = pool_position(date(2025, 6, 30))
    assert position["outstanding_principal"] == D("200000000.01")
    assert position["available_capacity"] == D("41999999.99")
    with transaction.atomic():
        pool_outstanding_add(state=pool_state_lock(), delta=D("-200000000.01"))
    assert pool_position(date(2025, 6, 30))["available_capacity"] == D("242000000.00")
    invariant()


def test_art9_available_capacity_is_never_shown_below_zero(seeded, invariant):
    """SPEC §4: capacity 242,000,000.00, outstanding 242,000,000.01 → the headroom shows 0.00, not −0.01."""
    inject_24_2_million()
    from django.db import transaction

    with transaction.atomic():
        pool_outstanding_add(state=pool_state_lock(), delta=D("242000000.01"))
    position = pool_position(date(2025, 6, 30))
    assert (position["credit_capacity"], position["available_capacity"]) == (D("242000000.00"), D("0.00"))
    invariant()


def test_art40_after_the_last_version_ends_the_position_says_no_policy_in_force(seeded):
    """2026-04-30 is the day after the 2021 version's last day: the pool-level figures keep its numbers (SPEC §2),
    the position names no version and new business is closed."""
    inject_24_2_million()
    position = pool_position(date(2026, 4, 30))
    assert (position["policy_version"], position["policy_expires_on"]) == (None, None)
    assert (position["new_business_open"], position["new_business_closed_reason"]) == (False, "no_policy_in_force")
    assert position["credit_capacity"] == D("242000000.00")  # leverage 10 of the most recent version


def test_pool_position_before_bootstrap_reads_zero_figures(policy_2021):
    position = pool_position(date(2025, 3, 3))
    assert position["pool_balance"] == D("0.00")
    assert position["credit_capacity"] == D("0.00")
    assert position["compensation_ratio"] == D("0.000000")
