"""Bad input on every staff POST endpoint is answered with its problem code and writes nothing.

API.md Conventions: an amount with three decimals, a negative, an exponent, NaN or a JSON number → 400; a date
not written YYYY-MM-DD → 400; an event date after today → 422 ``date_in_future``; an unknown funder, bank,
guarantor, enterprise or object id → 404; no ``Idempotency-Key`` → 400 ``idempotency_key_required``. Each case
counts the ledger transactions and the business rows before and after: nothing changes.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import DONGHE, make_uscc

from riskfund.claims.models import Payable
from riskfund.cob.models import CobRun
from riskfund.ledger.models import Transaction
from riskfund.lending.models import Application, Recommendation
from riskfund.parties.models import Agreement, Bank, Enterprise, Guarantor, SupportExtension
from riskfund.parties.services import bank_create
from riskfund.pool.models import DepositTopUp, Injection, InterestCredit
from riskfund.pool.services import topup_request
from tests.api.apihelpers import assert_problem, post

TOMORROW = object()  # the day after the bureau's today, computed when the test runs (never at import)
NOBODY = "00000000-0000-4000-8000-00000000beef"  # fixed: parametrize ids must match across xdist workers


@pytest.fixture
def world(compensated_world, make_staff):
    """BOB with an active agreement, a 1,400,000 payable and an open top-up requested by a staff member; ICBC
    without an agreement; an application of a fresh enterprise waiting for its recommendation."""
    from riskfund.lending.services import application_create
    from tests.api.staff_world import small_enterprise

    requester = make_staff("bureau")
    topup = topup_request(bank=compensated_world.bank, amount="200000", reason="art. 16", user=requester.user)
    bank_create(code="ICBC", name="工商银行包头分行")
    enterprise = small_enterprise()
    application = application_create(enterprise=enterprise, amount="1000000", term_months=12)
    return {
        "agreement": str(compensated_world.agreement.pk),
        "topup": str(topup.pk),
        "payable": str(Payable.objects.get().pk),
        "uscc": enterprise.uscc,
        "dishonest": compensated_world.loans[0].enterprise.uscc,
        "application": str(application.pk),
    }


def enterprise_body(w):
    return {
        "uscc": make_uscc(900001),
        "name": "包头新企业有限公司",
        "district": DONGHE,
        "industry": "industry",
        "employees": 50,
        "revenue": "10000000",
        "total_assets": "8000000",
        "established_on": "2015-06-01",
    }


# name: (role, url(w), valid body(w), amount fields, event-date fields, other date fields)
ENDPOINTS = {
    "injection": (
        "trustee",
        lambda w: f"/api/v1/funders/{DONGHE}/injections/",
        lambda w: {"paid_on": "2025-03-01", "amount": "1000"},
        ["amount"],
        ["paid_on"],
        [],
    ),
    "interest": (
        "trustee",
        lambda w: "/api/v1/pool/interest/",
        lambda w: {"credited_on": "2025-06-21", "amount": "10", "account": "special"},
        ["amount"],
        ["credited_on"],
        [],
    ),
    "bank": ("bureau", lambda w: "/api/v1/banks/", lambda w: {"code": "CCB", "name": "建设银行"}, [], [], []),
    "guarantor": ("bureau", lambda w: "/api/v1/guarantors/", lambda w: {"code": "G2", "name": "担保"}, [], [], []),
    "agreement": (
        "bureau",
        lambda w: "/api/v1/banks/ICBC/agreements/",
        lambda w: {"guarantor": "BJDB", "signed_on": "2025-03-02"},
        [],
        ["signed_on"],
        ["ends_on"],
    ),
    "agreement_end": (
        "bureau",
        lambda w: f"/api/v1/banks/BOB/agreements/{w['agreement']}/end/",
        lambda w: {"ended_on": "2025-06-30"},
        [],
        ["ended_on"],
        [],
    ),
    "topup_request": (
        "trustee",
        lambda w: "/api/v1/topups/",
        lambda w: {"bank": "BOB", "amount": "1000", "reason": ""},
        ["amount"],
        [],
        [],
    ),
    "topup_approve": (
        "bureau",
        lambda w: f"/api/v1/topups/{w['topup']}/approve/",
        lambda w: {"amount": "200000"},
        ["amount"],
        [],
        [],
    ),
    "topup_execute": (
        "trustee",
        lambda w: f"/api/v1/topups/{w['topup']}/execute/",
        lambda w: {"executed_on": "2026-05-01"},
        [],
        ["executed_on"],
        [],
    ),
    "payable_settle": (
        "trustee",
        lambda w: f"/api/v1/payables/{w['payable']}/settle/",
        lambda w: {"settled_on": "2026-05-01"},
        [],
        ["settled_on"],
        [],
    ),
    "enterprise": (
        "bureau",
        lambda w: "/api/v1/enterprises/",
        enterprise_body,
        ["revenue", "total_assets"],
        ["established_on"],
        [],
    ),
    "extension": (
        "bureau",
        lambda w: f"/api/v1/enterprises/{w['uscc']}/extension/",
        lambda w: {"until": "2029-12-31", "reason": "协调办公室同意"},
        [],
        [],
        ["until"],
    ),
    "application": (
        "bureau",
        lambda w: "/api/v1/applications/",
        lambda w: {"enterprise": w["uscc"], "amount": "1000000", "term_months": 12, "purpose": ""},
        ["amount"],
        [],
        [],
    ),
    "recommend": (
        "bureau",
        lambda w: f"/api/v1/applications/{w['application']}/recommend/",
        lambda w: {"bank": "BOB", "guarantor": "BJDB", "amount": "1000000"},
        ["amount"],
        [],
        [],
    ),
    "cob": ("bureau", lambda w: "/api/v1/cob/", lambda w: {"business_date": "2026-05-01"}, [], ["business_date"], []),
}

BAD_AMOUNTS = {"three decimals": "1.005", "negative": "-1", "exponent": "1e3", "json number": 100, "nan": "NaN"}
BAD_DATES = {"not iso": "2025/03/01", "no such day": "2025-02-30", "a number": 20250301}

# (endpoint, case, url override(w) or None, body changes(w), expected status, code)
EXTRA = [
    ("injection", "unknown funder", lambda w: "/api/v1/funders/999999/injections/", {}, 404, "not_found"),
    ("injection", "unknown kind", None, {"kind": "gift"}, 400, "validation_error"),
    ("interest", "unknown bank", None, {"account": "NOPE"}, 404, "not_found"),
    ("bank", "code with spaces", None, {"code": "bad code"}, 400, "validation_error"),
    ("bank", "code taken", None, {"code": "BOB"}, 422, "bank_code_taken"),
    ("guarantor", "code taken", None, {"code": "BJDB"}, 422, "guarantor_code_taken"),
    ("agreement", "unknown bank", lambda w: "/api/v1/banks/NOPE/agreements/", {}, 404, "not_found"),
    ("agreement", "unknown guarantor", None, {"guarantor": "NOPE"}, 404, "not_found"),
    ("agreement", "ends before signed", None, {"ends_on": "2025-01-01"}, 400, "validation_error"),
    ("agreement", "bank already bound", lambda w: "/api/v1/banks/BOB/agreements/", {}, 422, "agreement_exists"),
    ("agreement_end", "unknown id", lambda w: f"/api/v1/banks/BOB/agreements/{NOBODY}/end/", {}, 404, "not_found"),
    (
        "agreement_end",
        "another bank's agreement",
        lambda w: f"/api/v1/banks/ICBC/agreements/{w['agreement']}/end/",
        {},
        404,
        "not_found",
    ),
    ("topup_request", "unknown bank", None, {"bank": "NOPE"}, 404, "not_found"),
    ("topup_request", "zero", None, {"amount": "0"}, 400, "validation_error"),
    ("topup_request", "one already open", None, {}, 422, "topup_already_pending"),
    ("topup_approve", "unknown id", lambda w: f"/api/v1/topups/{NOBODY}/approve/", {}, 404, "not_found"),
    ("topup_execute", "unknown id", lambda w: f"/api/v1/topups/{NOBODY}/execute/", {}, 404, "not_found"),
    ("topup_execute", "not approved yet", None, {}, 422, "topup_not_approved"),
    ("payable_settle", "unknown id", lambda w: f"/api/v1/payables/{NOBODY}/settle/", {}, 404, "not_found"),
    ("payable_settle", "before the deduction", None, {"settled_on": "2026-04-09"}, 400, "validation_error"),
    ("enterprise", "bad check character", None, {"uscc": make_uscc(900001)[:-1] + "0"}, 400, "validation_error"),
    ("enterprise", "not in Baotou", None, {"uscc": make_uscc(900001, area="110105")}, 422, "enterprise_not_eligible"),
    ("enterprise", "employees as a string", None, {"employees": "50"}, 400, "validation_error"),
    ("enterprise", "unknown district", None, {"district": "110105"}, 400, "validation_error"),
    ("enterprise", "unknown industry", None, {"industry": "mining-ish"}, 400, "validation_error"),
    (
        "extension",
        "unknown enterprise",
        lambda w: f"/api/v1/enterprises/{make_uscc(9)}/extension/",
        {},
        404,
        "not_found",
    ),
    ("extension", "blank reason", None, {"reason": ""}, 400, "validation_error"),
    ("application", "unknown enterprise", None, {"enterprise": make_uscc(777)}, 404, "not_found"),
    ("application", "term as a float", None, {"term_months": 12.5}, 400, "validation_error"),
    ("application", "enterprise under review", None, {"enterprise": "DISHONEST"}, 422, "enterprise_under_review"),
    ("recommend", "unknown application", lambda w: f"/api/v1/applications/{NOBODY}/recommend/", {}, 404, "not_found"),
    ("recommend", "unknown bank", None, {"bank": "NOPE"}, 404, "not_found"),
    ("recommend", "unknown guarantor", None, {"guarantor": "NOPE"}, 404, "not_found"),
]


def _cases():
    for name, (_role, _url, _body, amounts, events, dates) in ENDPOINTS.items():
        yield name, "no idempotency key", None, {}, 400, "idempotency_key_required"
        for field in amounts:
            for label, value in BAD_AMOUNTS.items():
                yield name, f"{field} {label}", None, {field: value}, 400, "validation_error"
        for field in events + dates:
            for label, value in BAD_DATES.items():
                yield name, f"{field} {label}", None, {field: value}, 400, "validation_error"
        for field in events:
            yield name, f"{field} tomorrow", None, {field: TOMORROW}, 422, "date_in_future"
    yield from EXTRA


CASES = list(_cases())


def snapshot():
    return {
        "transactions": Transaction.objects.count(),
        "injections": Injection.objects.count(),
        "interest": InterestCredit.objects.count(),
        "banks": Bank.objects.count(),
        "guarantors": Guarantor.objects.count(),
        "agreements": sorted(Agreement.objects.values_list("status", flat=True)),
        "topups": sorted(DepositTopUp.objects.values_list("status", flat=True)),
        "payables settled": Payable.objects.filter(settled_on__isnull=False).count(),
        "enterprises": Enterprise.objects.count(),
        "extensions": SupportExtension.objects.count(),
        "applications": Application.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "cob runs": CobRun.objects.count(),
    }


@pytest.mark.parametrize(
    ("endpoint", "case", "url", "changes", "status", "code"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_bad_input_is_refused_and_writes_nothing(world, make_staff, endpoint, case, url, changes, status, code):
    role, default_url, valid_body, *_ = ENDPOINTS[endpoint]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    changes = {field: tomorrow if value is TOMORROW else value for field, value in changes.items()}
    body = {**valid_body(world), **changes}
    if body.get("enterprise") == "DISHONEST":
        body["enterprise"] = world["dishonest"]
    before = snapshot()
    response = post(
        make_staff(role), (url or default_url)(world), body, key=None if code == "idempotency_key_required" else "auto"
    )
    body = assert_problem(response, status, code)
    if code == "validation_error":
        assert body["errors"], body
    assert snapshot() == before


def test_every_valid_body_of_the_table_is_accepted(world, make_staff):
    """The table's valid bodies really are valid: each is accepted where the world allows it."""
    accepted = {}
    for name in ["injection", "interest", "bank", "guarantor", "agreement", "enterprise", "extension", "application"]:
        role, url, body, *_ = ENDPOINTS[name]
        accepted[name] = post(make_staff(role), url(world), body(world)).status_code
    assert accepted == dict.fromkeys(accepted, 201)
