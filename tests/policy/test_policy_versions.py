"""Policy versions (SPEC §2): never overlapping, monotone allocation weights (art. 20), threshold (art. 37),
maker-checker, and which version governs a date (art. 40: 2021-04-30 for five years)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from riskfund.errors import RuleViolation
from riskfund.money import allocate
from riskfund.policy.models import PolicyVersion
from riskfund.policy.selectors import policy_expiring, policy_for_pool, policy_in_force, policy_successor
from riskfund.policy.services import (
    PARAMETER_FIELDS,
    allocation_monotone_failure,
    policy_version_approve,
    policy_version_problems,
    policy_version_propose,
    policy_version_renew,
    policy_version_revise,
    policy_version_validate,
)

D = Decimal


def bureau_user(username: str):
    user = get_user_model().objects.create_user(username)
    user.groups.add(Group.objects.get(name="bureau"))
    return user


@pytest.fixture
def maker(db):
    return bureau_user("maker")


@pytest.fixture
def checker(db):
    return bureau_user("checker")


def propose(user, code="2026", start=date(2026, 4, 30), end=date(2031, 4, 29), **parameters):
    return policy_version_propose(
        user=user,
        code=code,
        title="包头市中小微企业助保金贷款管理办法",
        effective_from=start,
        effective_to=end,
        **parameters,
    )


# --- allocation monotonicity (art. 20, SPEC §2 and §11) ---------------------------------------------------


@pytest.mark.parametrize("weights", [(40, 20, 40), (30, 30, 40), (1, 1, 1), (1, 2), (5,)])
def test_the_regulation_weights_are_monotone(weights):
    assert allocation_monotone_failure(weights) is None


def test_a_non_monotone_weight_set_worked_by_hand():
    # 1:3:3 (Σw = 7). 0.03: floors 0,1,1 (remainders 3,2,2), one fen left -> first -> 0.01 0.01 0.01
    # 0.04: floors 0,1,1 (remainders 4,5,5), two fens left -> second and third -> 0.00 0.02 0.02
    assert allocate(D("0.03"), (1, 3, 3)) == [D("0.01"), D("0.01"), D("0.01")]
    assert allocate(D("0.04"), (1, 3, 3)) == [D("0.00"), D("0.02"), D("0.02")]
    assert allocation_monotone_failure((1, 3, 3)) == D("0.03")


def test_a_failure_further_along_is_found():
    # 1:7:5 (Σw = 13). 0.06: floors 0,3,2 (remainders 6,3,4), one fen left -> first -> 0.01 0.03 0.02
    # 0.07: floors 0,3,2 (remainders 7,10,9), two fens left -> second and third -> 0.00 0.04 0.03
    assert allocate(D("0.06"), (1, 7, 5)) == [D("0.01"), D("0.03"), D("0.02")]
    assert allocate(D("0.07"), (1, 7, 5)) == [D("0.00"), D("0.04"), D("0.03")]
    assert allocation_monotone_failure((1, 7, 5)) == D("0.06")


def test_non_monotone_loss_weights_are_refused(maker):
    with pytest.raises(RuleViolation) as info:
        propose(maker, loss_weight_pool=1, loss_weight_bank=3, loss_weight_guarantor=3)
    assert info.value.code == "policy_weights_not_monotone"
    assert info.value.clause == "art. 20"
    assert "1:3:3" in info.value.message
    assert not PolicyVersion.objects.exists()


def test_non_monotone_split_weights_are_refused(maker):
    with pytest.raises(RuleViolation) as info:
        propose(maker, split_weight_region=2, split_weight_city=6, split_weight_district=6)
    assert info.value.code == "policy_weights_not_monotone"
    assert "2:6:6" in info.value.message


def test_weights_summing_to_zero_are_refused(maker):
    with pytest.raises(RuleViolation) as info:
        propose(maker, split_weight_region=0, split_weight_city=0, split_weight_district=0)
    assert info.value.code == "validation_error"
    assert "之和必须大于零" in info.value.message


# --- dates and overlap (SPEC §2, art. 40) -------------------------------------------------------------------


def test_an_overlapping_version_is_refused(policy_2021, maker):
    with pytest.raises(RuleViolation) as info:
        propose(maker, start=date(2026, 4, 29), end=date(2031, 4, 28))
    assert info.value.code == "policy_overlap"
    assert "2021" in info.value.message


def test_a_version_inside_another_is_refused(policy_2021, maker):
    with pytest.raises(RuleViolation) as info:
        propose(maker, start=date(2023, 1, 1), end=date(2023, 12, 31))
    assert info.value.code == "policy_overlap"


def test_pending_versions_count_for_overlap(policy_2021, maker, checker):
    propose(maker)
    with pytest.raises(RuleViolation) as info:
        propose(checker, code="2027", start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert info.value.code == "policy_overlap"
    assert "待批准" in info.value.message


def test_the_next_day_after_a_version_ends_is_free(policy_2021, maker):
    version = propose(maker)
    assert version.pk is not None
    assert version.created_by == maker
    assert version.approved_at is None
    assert version.loss_weights == (40, 20, 40)


def test_an_end_before_the_start_is_refused(maker):
    with pytest.raises(RuleViolation) as info:
        propose(maker, start=date(2026, 4, 30), end=date(2026, 4, 29))
    assert info.value.code == "validation_error"
    assert info.value.clause == "art. 40"


@pytest.mark.postgres
def test_postgresql_itself_refuses_overlapping_versions(policy_2021):
    with pytest.raises(IntegrityError, match="policy_versions_do_not_overlap"), transaction.atomic():
        PolicyVersion.objects.create(
            code="x", title="x", effective_from=date(2026, 4, 29), effective_to=date(2026, 12, 31)
        )


# --- other parameters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [D("0"), D("-0.1"), D("1.000001")])
def test_a_threshold_outside_zero_to_one_is_refused(maker, threshold):
    with pytest.raises(RuleViolation) as info:
        propose(maker, suspension_threshold=threshold)
    assert info.value.clause == "art. 37"


def test_a_threshold_of_one_is_accepted(maker):
    assert propose(maker, suspension_threshold=D("1")).suspension_threshold == D("1")


def test_validate_reports_problems_by_field_for_forms(policy_2021):
    version = PolicyVersion(
        code="bad",
        title="bad",
        effective_from=date(2025, 1, 1),
        effective_to=date(2027, 1, 1),
        suspension_threshold=D("0"),
        loss_weight_pool=1,
        loss_weight_bank=3,
        loss_weight_guarantor=3,
        registration_prefix="15O2",
    )
    with pytest.raises(ValidationError) as info:
        policy_version_validate(version)
    errors = info.value.error_dict
    assert {"__all__", "loss_weight_pool", "suspension_threshold", "registration_prefix"} <= set(errors)
    codes = {p.code for p in policy_version_problems(version)}
    assert {"policy_overlap", "policy_weights_not_monotone", "validation_error"} <= codes


def test_the_2021_defaults_pass(policy_2021):
    assert policy_version_problems(policy_2021) == []


def test_an_unknown_parameter_is_a_programming_error(maker):
    with pytest.raises(TypeError, match="leverage"):
        propose(maker, leverage=10)


# --- maker-checker ---------------------------------------------------------------------------------------------


def test_the_maker_cannot_approve(policy_2021, maker):
    version = propose(maker)
    with pytest.raises(RuleViolation) as info:
        policy_version_approve(version=version, user=maker)
    assert info.value.code == "approver_is_maker"
    version.refresh_from_db()
    assert version.approved_at is None


def test_another_user_approves(policy_2021, maker, checker):
    version = propose(maker)
    approved = policy_version_approve(version=version, user=checker)
    version.refresh_from_db()
    assert version.approved_by == checker
    assert version.approved_at is not None
    assert approved.approved_at == version.approved_at
    assert policy_in_force(date(2026, 4, 30)) == version


def test_an_approved_version_is_neither_approved_again_nor_revised(policy_2021, maker, checker):
    version = propose(maker)
    policy_version_approve(version=version, user=checker)
    with pytest.raises(RuleViolation) as info:
        policy_version_approve(version=version, user=checker)
    assert info.value.code == "policy_approved"
    with pytest.raises(RuleViolation) as info:
        policy_version_revise(version=version, user=maker, pool_leverage=8)
    assert info.value.code == "policy_approved"


def test_spec_2_only_bureau_users_propose_and_approve(policy_2021, maker):
    trustee = get_user_model().objects.create_user("trustee-user")
    trustee.groups.add(Group.objects.get(name="trustee"))
    with pytest.raises(RuleViolation) as info:
        propose(trustee)
    assert (info.value.code, info.value.status) == ("permission_denied", 403)
    version = propose(maker)
    with pytest.raises(RuleViolation) as info:
        policy_version_approve(version=version, user=trustee)
    assert (info.value.code, info.value.status) == ("approver_not_authorised", 403)
    assert not PolicyVersion.objects.get(pk=version.pk).is_approved


def test_art_40_a_renewal_copies_every_number_and_takes_overrides(policy_2021, maker):
    PolicyVersion.objects.filter(pk=policy_2021.pk).update(
        collection_attempts_required=3, counter_guarantee_required=False
    )
    renewal = policy_version_renew(
        user=maker,
        based_on="2021",
        code="2026",
        effective_from=date(2026, 4, 30),
        effective_to=date(2031, 4, 29),
        suspension_threshold=D("0.250000"),
    )
    source = PolicyVersion.objects.get(pk=policy_2021.pk)
    kept = PARAMETER_FIELDS - {"suspension_threshold"}
    assert {n: getattr(renewal, n) for n in kept} == {n: getattr(source, n) for n in kept}
    assert (renewal.collection_attempts_required, renewal.counter_guarantee_required) == (3, False)
    assert renewal.suspension_threshold == D("0.250000") and renewal.title == source.title
    assert (renewal.created_by, renewal.is_approved) == (maker, False)


# art. 40: the 2021 version's last day is 2026-04-29; 2026-04-29 − 2026-01-29 = 2 + 28 + 31 + 29 = 90 days
@pytest.mark.parametrize(
    ("day", "flagged"),
    [(date(2026, 1, 28), False), (date(2026, 1, 29), True), (date(2026, 4, 29), True), (date(2026, 12, 2), True)],
)
def test_art_40_expiring_from_90_days_before_the_end_not_91(policy_2021, day, flagged):
    assert (policy_expiring(day) == policy_2021) is flagged


def test_art_40_an_approved_successor_ends_the_warning_a_pending_one_does_not(policy_2021, maker, checker):
    successor = propose(maker)  # 2026-04-30 … 2031-04-29, the day after 2021 ends
    assert policy_expiring(date(2026, 3, 1)) == policy_2021
    policy_version_approve(version=successor, user=checker)
    assert policy_expiring(date(2026, 3, 1)) is None
    assert policy_successor(policy_2021) == successor


def test_a_reviser_becomes_the_maker(policy_2021, maker, checker):
    version = propose(maker)
    revised = policy_version_revise(version=version, user=checker, pool_leverage=8)
    assert revised.pool_leverage == 8
    assert revised.created_by == checker
    with pytest.raises(RuleViolation) as info:
        policy_version_approve(version=revised, user=checker)
    assert info.value.code == "approver_is_maker"
    assert policy_version_approve(version=revised, user=maker).approved_by == maker


def test_a_revision_is_checked_like_a_proposal(policy_2021, maker, checker):
    version = propose(maker)
    with pytest.raises(RuleViolation) as info:
        policy_version_revise(version=version, user=checker, effective_from=date(2026, 1, 1))
    assert info.value.code == "policy_overlap"
    version.refresh_from_db()
    assert version.effective_from == date(2026, 4, 30)
    assert version.created_by == maker


# --- which version governs a date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        (date(2021, 4, 29), False),
        (date(2021, 4, 30), True),
        (date(2024, 2, 29), True),
        (date(2026, 4, 29), True),
        (date(2026, 4, 30), False),
    ],
)
def test_policy_in_force_on_the_2021_validity(policy_2021, day, in_force):
    assert (policy_in_force(day) == policy_2021) is in_force
    if not in_force:
        assert policy_in_force(day) is None


@pytest.mark.parametrize("day", [date(2020, 1, 1), date(2021, 4, 30), date(2026, 4, 30), date(2030, 1, 1)])
def test_policy_for_pool_falls_back_to_the_nearest_version(policy_2021, day):
    assert policy_for_pool(day) == policy_2021


def test_a_pending_version_is_not_in_force(policy_2021, maker):
    propose(maker)
    assert policy_in_force(date(2026, 5, 1)) is None
    assert policy_for_pool(date(2026, 5, 1)) == policy_2021


def test_policy_for_pool_after_a_later_approved_version(policy_2021, maker, checker):
    later = propose(maker, start=date(2027, 1, 1), end=date(2031, 12, 31))
    policy_version_approve(version=later, user=checker)
    assert policy_for_pool(date(2026, 6, 1)) == policy_2021  # a gap: the most recent before it
    assert policy_for_pool(date(2027, 1, 1)) == later
    assert policy_for_pool(date(2040, 1, 1)) == later


def test_policy_for_pool_without_any_version(db):
    with pytest.raises(PolicyVersion.DoesNotExist):
        policy_for_pool(date(2025, 1, 1))
