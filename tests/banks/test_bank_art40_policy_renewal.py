"""Art. 40 renewal end to end (SPEC §2, §4; API.md policy-versions and pool): two bureau users, no superuser.

The 2021 measures ended ten days ago (T − 10, with T = today, Asia/Shanghai: the API judges dates on the real
day). While nothing is in force, new business is closed (``no_policy_in_force``). Bureau user 1 proposes "2026"
from "2021" for [T − 9, T − 9 + 5 years − 1 day] with the pool leverage changed from 10 to 8; it cannot approve
its own proposal (``approver_is_maker``); bureau user 2 approves; a loan disbursed today registers under "2026";
a version overlapping it is refused (``policy_overlap``).

Figures by hand: F = B = 4,000,000.00 (东河区 paid in; the two deposits of 1,000,000 stay in B). Under 2026,
capacity = 8 × 4,000,000.00 = 32,000,000.00; after a 1,000,000.00 loan, available = 31,000,000.00.
"""

from datetime import timedelta

from bank_world import assert_problem, build_world, post, today
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from knox.models import AuthToken
from rest_framework.test import APIClient

from riskfund.lending.rules import add_months, add_years
from riskfund.policy.models import PolicyVersion
from riskfund.policy.services import PARAMETER_FIELDS

URL = "/api/v1/policy-versions/"


def bureau_client(username: str) -> APIClient:
    user = get_user_model().objects.create_user(username=username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="bureau"))
    assert not user.is_superuser
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def loan_body(recommendation) -> dict:
    return {
        "recommendation": str(recommendation.pk),
        "contract_no": "HT-RENEWAL-1",
        "principal": "1000000",
        "disbursed_on": today().isoformat(),
        "maturity_on": add_months(today(), 12).isoformat(),
        "annual_rate": "3.45",
        "repayment_method": "bullet",
        "extended_term": False,
        "extended_reason": "",
        "extra_fees": "0.00",
        "counter_guarantees": [{"kind": "guarantee", "description": "法定代表人连带责任保证", "value": None}],
    }


def test_art_40_renewal_by_two_bureau_users_reopens_new_business(db):
    world = build_world()
    ended = today() - timedelta(days=10)
    PolicyVersion.objects.filter(code="2021").update(effective_to=ended)
    maker, checker = bureau_client("bureau-maker"), bureau_client("bureau-checker")

    before = maker.get("/api/v1/pool/").json()
    assert (before["new_business_open"], before["new_business_closed_reason"]) == (False, "no_policy_in_force")
    assert (before["policy_version"], before["policy_expires_on"]) == (None, None)
    recommendation = world.recommendation("1000000", approve=True)
    assert_problem(post(world.a, "/api/v1/loans/", loan_body(recommendation)), 422, "no_policy_in_force")

    start, end = ended + timedelta(days=1), add_years(ended + timedelta(days=1), 5) - timedelta(days=1)
    proposal = {
        "code": "2026",
        "based_on": "2021",
        "effective_from": start.isoformat(),
        "effective_to": end.isoformat(),
        "pool_leverage": 8,
    }
    created = post(maker, URL, proposal)
    assert created.status_code == 201, created.content
    version = created.json()
    assert (version["status"], version["proposed_by"], version["approved_by"]) == ("proposed", "bureau-maker", None)
    assert version["title"] == world.policy.title  # copied with the numbers
    listed = {row["code"]: row for row in maker.get(URL).json()["results"]}
    copied = {name for name in PARAMETER_FIELDS if name != "pool_leverage"}
    assert {n: listed["2026"][n] for n in copied} == {n: listed["2021"][n] for n in copied}
    assert (listed["2021"]["pool_leverage"], listed["2026"]["pool_leverage"]) == (10, 8)
    assert listed["2026"]["suspension_threshold"] == "0.200000" and listed["2026"]["initial_deposit"] == "1000000.00"
    assert maker.get("/api/v1/pool/").json()["new_business_open"] is False  # proposed is not in force

    approve_url = f"{URL}{version['id']}/approve/"
    assert_problem(post(maker, approve_url, {}), 422, "approver_is_maker")
    approved = post(checker, approve_url, {})
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "bureau-checker")

    after = maker.get("/api/v1/pool/").json()
    assert (after["new_business_open"], after["new_business_closed_reason"]) == (True, None)
    assert (after["policy_version"], after["policy_expires_on"]) == ("2026", end.isoformat())
    assert (after["credit_capacity"], after["available_capacity"]) == ("32000000.00", "32000000.00")

    loan = post(world.a, "/api/v1/loans/", loan_body(recommendation))
    assert loan.status_code == 201, loan.content
    assert loan.json()["policy_version"] == "2026"
    assert maker.get("/api/v1/pool/").json()["available_capacity"] == "31000000.00"

    overlapping = {**proposal, "code": "2031", "based_on": "2026", "effective_from": end.isoformat()}
    overlapping["effective_to"] = add_years(end, 5).isoformat()
    assert_problem(post(checker, URL, overlapping), 422, "policy_overlap")
    assert not PolicyVersion.objects.filter(code="2031").exists()


def test_art_40_an_unknown_based_on_is_400_on_its_field(db):
    build_world()
    body = {"code": "X", "based_on": "1999", "effective_from": "2040-01-01", "effective_to": "2044-12-31"}
    problem = assert_problem(post(bureau_client("b1"), URL, body), 400, "validation_error")
    assert list(problem["errors"]) == ["based_on"]


def test_art_40_a_second_approval_is_refused(db):
    world = build_world()
    start = world.policy.effective_to + timedelta(days=1)
    body = {
        "code": "NEXT",
        "based_on": "2021",
        "effective_from": start.isoformat(),
        "effective_to": (start + timedelta(days=365)).isoformat(),
    }
    version = post(bureau_client("b1"), URL, body).json()
    checker = bureau_client("b2")
    assert post(checker, f"{URL}{version['id']}/approve/", {}).status_code == 200
    assert_problem(post(checker, f"{URL}{version['id']}/approve/", {}), 422, "policy_approved")
