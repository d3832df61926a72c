"""One permission model (SPEC §1, riskfund/access.py): Django's ``has_perm`` and the API agree for every role.

``test_api_staff_permissions.ENDPOINTS`` is what the API answers (its matrix test calls every endpoint for every
role); here each endpoint names the capability it stands for, and a user of each role must hold the capability
exactly when the API lets it in. The groups and their permissions come from the migrations alone.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from riskfund.access import ALL_ROLES, CAPABILITIES, role_may
from riskfund.lending.models import Loan
from riskfund.policy.models import PolicyVersion
from riskfund.pool.models import Injection
from tests.api.test_api_staff_permissions import DISTRICT, DISTRICT_SCOPED, ENDPOINTS

CAPABILITY = {
    ("GET", "/api/v1/pool/"): "view_pool_position",
    ("GET", "/api/v1/funders/"): "view_parties",
    ("POST", "/api/v1/funders/{code}/injections/"): "post_injection",
    ("POST", "/api/v1/pool/interest/"): "post_interest",
    ("GET", "/api/v1/banks/"): "view_parties",
    ("POST", "/api/v1/banks/"): "manage_banks",
    ("GET", "/api/v1/guarantors/"): "view_parties",
    ("POST", "/api/v1/guarantors/"): "manage_banks",
    ("GET", "/api/v1/banks/{code}/agreements/"): "view_deposits",
    ("POST", "/api/v1/banks/{code}/agreements/"): "manage_banks",
    ("POST", "/api/v1/banks/{code}/agreements/{agreement_id}/end/"): "manage_banks",
    ("GET", "/api/v1/topups/"): "view_deposits",
    ("POST", "/api/v1/topups/"): "request_topup",
    ("POST", "/api/v1/topups/{topup_id}/approve/"): "approve_topup",
    ("POST", "/api/v1/topups/{topup_id}/execute/"): "execute_topup",
    ("POST", "/api/v1/banks/{code}/deposit-adjustments/"): "adjust_deposit",
    ("POST", "/api/v1/deposit-adjustments/{adjustment_id}/approve/"): "adjust_deposit",
    ("POST", "/api/v1/deposit-adjustments/{adjustment_id}/execute/"): "execute_deposit_adjustment",
    ("GET", "/api/v1/payables/"): "view_deposits",
    ("POST", "/api/v1/payables/{payable_id}/settle/"): "settle_payable",
    ("GET", "/api/v1/enterprises/"): "view_pipeline",
    ("POST", "/api/v1/enterprises/"): "register_applications",
    ("POST", "/api/v1/enterprises/{uscc}/extension/"): "grant_extension",
    ("GET", "/api/v1/applications/"): "view_pipeline",
    ("POST", "/api/v1/applications/"): "register_applications",
    ("POST", "/api/v1/applications/{application_id}/recommend/"): "recommend",
    ("POST", "/api/v1/recommendations/{recommendation_id}/guarantor-opinion/"): "record_guarantor_opinion",
    ("GET", "/api/v1/dishonest-listings/"): "view_dishonest_listings",
    ("POST", "/api/v1/dishonest-listings/{listing_id}/decide/"): "decide_dishonest_listing",
    ("GET", "/api/v1/cob/"): "view_cob",
    ("POST", "/api/v1/cob/"): "run_cob",
    ("GET", "/api/v1/ledger/transactions/"): "view_ledger",
    ("GET", "/api/v1/funders/{code}/statements/{month}/"): "view_statements",
    ("GET", "/api/v1/funders/{code}/statements/{month}.xlsx"): "view_statements",
    ("GET", "/api/v1/outlook/"): "view_outlook",
    ("GET", "/api/v1/policy-versions/"): "view_policy",
    ("POST", "/api/v1/policy-versions/"): "propose_policy",
    ("POST", "/api/v1/policy-versions/{version_id}/approve/"): "approve_policy",
}


def _user(role: str):
    user = get_user_model().objects.create_user(username=f"only-{role}", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def test_every_staff_endpoint_names_a_capability():
    assert {(method, path) for method, path, _url, _roles in ENDPOINTS} == set(CAPABILITY)
    assert set(CAPABILITY.values()) <= set(CAPABILITIES)


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_has_perm_and_the_api_agree_for_every_role(db, role):
    user = _user(role)
    for method, path, _url, allowed in ENDPOINTS:
        # a district officer is let in to the statements and answered 404 for another district's (API.md)
        api_lets_in = role in allowed or (role == DISTRICT and path in DISTRICT_SCOPED)
        assert user.has_perm(f"parties.{CAPABILITY[method, path]}") is api_lets_in, (role, method, path)


def test_the_role_groups_exist_after_migrate_with_their_permissions(db):
    """The data migration (and the post-migrate sync) gave each group its permissions: the bureau holds every
    model permission, so it needs no superuser for policy versions, approvals, listings, adjustments, keys."""
    bureau, trustee, auditor, district = (_user(role) for role in ("bureau", "trustee", "auditor", "district"))
    for perm in (
        "policy.add_policyversion",
        "policy.change_policyversion",
        "policy.approve_policyversion",
        "approvals.change_approvalrequest",
        "banks.add_bankapikey",
        "pool.change_deposittopup",
        "auth.add_user",
    ):
        assert bureau.has_perm(perm), perm
    assert trustee.has_perm("pool.add_injection") and not trustee.has_perm("policy.approve_policyversion")
    assert auditor.has_perm("ledger.view_transaction") and not auditor.has_perm("pool.add_injection")
    assert district.has_perm("lending.view_loan") and not district.has_perm("ledger.view_transaction")
    assert not any(u.has_perm("banks.view_bankapikey") for u in (trustee, auditor, district))


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_the_admin_asks_has_perm(db, role):
    user = _user(role)
    for model in (PolicyVersion, Injection, Loan):
        for action in ("view", "add", "change", "delete"):
            perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            assert role_may(user, model, action) is user.has_perm(perm), (role, perm)
