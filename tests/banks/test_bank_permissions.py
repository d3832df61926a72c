"""The permission matrix of API.md over EVERY bank endpoint: bank A on its own objects (success), bank B on A's
objects (404, never 403: ids cannot be probed), a staff token (403: bank endpoints are for banks), no credentials
(401). One table, one row per (client, method, endpoint)."""

import pytest
from bank_world import assert_problem, days_ago, post, today
from pipeline_support import collected
from rest_framework.test import APIClient

from riskfund.claims.services import compensation_claim
from riskfund.lending.rules import add_months


@pytest.fixture
def scene(world):
    """Bank A's objects: an issued recommendation, an approved one, an active loan, a compensated loan."""
    issued = world.recommendation("300000")
    approved = world.recommendation("600000", approve=True)
    active = world.loan("1000000")
    compensated = world.overdue_loan("800000", overdue=40)
    compensation_claim(loan=collected(compensated, today()), deducted_on=today())
    ids = {
        "issued": issued.pk,
        "approved": approved.pk,
        "active": active.pk,
        "compensated": compensated.pk,
        "overdue": collected(world.overdue_loan("500000", overdue=30), today()).pk,  # called twice (art. 31 (三))
    }
    return world, ids


def _bodies(ids) -> dict:
    disbursed = days_ago(10)
    return {
        "due_diligence": {"opinion": "approve", "reported_on": today().isoformat()},
        "register": {
            "recommendation": str(ids["approved"]),
            "contract_no": "HT-MATRIX-1",
            "principal": "600000",
            "disbursed_on": disbursed.isoformat(),
            "maturity_on": add_months(disbursed, 12).isoformat(),
            "annual_rate": "3.45",
            "repayment_method": "bullet",
            "extra_fees": "0.00",
            "counter_guarantees": [{"kind": "movable", "description": "设备抵押", "value": "800000"}],
        },
        "repayment": {"paid_on": today().isoformat(), "principal": "1000", "interest": "50"},
        "event": {"kind": "risk_warning", "occurred_on": today().isoformat(), "notes": ""},
        "compensation": {"deducted_on": today().isoformat()},
        "recovery": {"recovered_on": today().isoformat(), "gross": "1000", "costs": {}},
        "topup": {"amount": "100000", "reason": "test"},
        "webhook": {"url": "https://bank.example.cn/hooks"},
    }


# endpoint: (method, path with {object}, object, body)
ENDPOINTS = {
    "recommendations": ("GET", "/api/v1/recommendations/", None, None),
    "due_diligence": ("POST", "/api/v1/recommendations/{}/due-diligence/", "issued", "due_diligence"),
    "loans": ("GET", "/api/v1/loans/", None, None),
    "register": ("POST", "/api/v1/loans/", None, "register"),
    "loan": ("GET", "/api/v1/loans/{}/", "active", None),
    "repayment": ("POST", "/api/v1/loans/{}/repayments/", "active", "repayment"),
    "event": ("POST", "/api/v1/loans/{}/events/", "active", "event"),
    "compensation": ("POST", "/api/v1/loans/{}/compensation/", "overdue", "compensation"),
    "recovery": ("POST", "/api/v1/loans/{}/recoveries/", "compensated", "recovery"),
    "deposit": ("GET", "/api/v1/deposit/", None, None),
    "topup": ("POST", "/api/v1/deposit/topup-requests/", None, "topup"),
    "webhooks": ("GET", "/api/v1/webhooks/", None, None),
    "webhook_register": ("POST", "/api/v1/webhooks/", None, "webhook"),
}

# (client, endpoint, status[, code]); "A" owns every object, "B" is another bank
MATRIX = [
    ("A", "recommendations", 200),
    ("B", "recommendations", 200),  # its own (empty) list: A's ids must not appear
    ("staff", "recommendations", 403),
    ("anonymous", "recommendations", 401),
    ("A", "due_diligence", 200),
    ("B", "due_diligence", 404),
    ("staff", "due_diligence", 403),
    ("anonymous", "due_diligence", 401),
    ("A", "loans", 200),
    ("B", "loans", 200),
    ("staff", "loans", 403),
    ("anonymous", "loans", 401),
    ("A", "register", 201),
    ("B", "register", 404),  # A's recommendation is unknown to B
    ("staff", "register", 403),
    ("anonymous", "register", 401),
    ("A", "loan", 200),
    ("B", "loan", 404),
    ("staff", "loan", 403),
    ("anonymous", "loan", 401),
    ("A", "repayment", 201),
    ("B", "repayment", 404),
    ("staff", "repayment", 403),
    ("anonymous", "repayment", 401),
    ("A", "event", 201),
    ("B", "event", 404),
    ("staff", "event", 403),
    ("anonymous", "event", 401),
    ("A", "compensation", 201),
    ("B", "compensation", 404),
    ("staff", "compensation", 403),
    ("anonymous", "compensation", 401),
    ("A", "recovery", 201),
    ("B", "recovery", 404),
    ("staff", "recovery", 403),
    ("anonymous", "recovery", 401),
    ("A", "deposit", 200),
    ("B", "deposit", 200),  # its own deposit
    ("staff", "deposit", 403),
    ("anonymous", "deposit", 401),
    ("A", "topup", 422, "topup_not_needed"),  # let in; outstanding is below 10 × deposit (art. 16)
    ("B", "topup", 422, "topup_not_needed"),
    ("staff", "topup", 403),
    ("anonymous", "topup", 401),
    ("A", "webhooks", 200),
    ("B", "webhooks", 200),
    ("staff", "webhooks", 403),
    ("anonymous", "webhooks", 401),
    ("A", "webhook_register", 201),
    ("B", "webhook_register", 201),
    ("staff", "webhook_register", 403),
    ("anonymous", "webhook_register", 401),
]

CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def test_the_matrix_covers_every_bank_endpoint():
    from banks.api.urls import urlpatterns

    routes = {(str(p.pattern), m) for p in urlpatterns for m in ("GET", "POST") if hasattr(p.callback.cls, m.lower())}
    covered = {
        (path.replace("/api/v1/", "").replace("{}", f"<uuid:{'recommendation' if 'recomm' in path else 'loan'}_id>"), m)
        for m, path, _, _ in ENDPOINTS.values()
    }
    assert routes == covered
    assert {(who, endpoint) for who, endpoint, *_ in MATRIX} == {
        (who, endpoint) for who in ("A", "B", "staff", "anonymous") for endpoint in ENDPOINTS
    }


@pytest.mark.parametrize(("who", "endpoint", "status", "code"), [(*row, None)[:4] for row in MATRIX])
def test_permission_matrix(scene, who, endpoint, status, code):
    world, ids = scene
    client = {"A": world.a, "B": world.b, "staff": world.staff(), "anonymous": APIClient()}[who]
    method, template, obj, body_name = ENDPOINTS[endpoint]
    path = template.format(ids[obj]) if obj else template
    response = client.get(path) if method == "GET" else post(client, path, _bodies(ids)[body_name])

    if status >= 400:
        assert_problem(response, status, code or CODES[status])
    else:
        assert response.status_code == status, response.content
    if who == "B" and status < 400:
        text = response.content.decode()
        assert all(str(object_id) not in text for object_id in ids.values())
        assert str(world.bank_a.pk) not in text and "BOB" not in text
