"""Who may call each staff endpoint (API.md "Staff endpoints", SPEC §1): one table of (client, method, url,
expected status), run as one parametrized test.

A client with the role gets past authentication and permissions: a GET answers 200, a POST with an empty body
answers 400 ``validation_error`` (input is checked before anything is looked up or written; a POST that takes no
body answers 404 for its unknown id). Without the role →
403 ``permission_denied``; without credentials → 401 ``not_authenticated``. A superuser has every role; a bank
key opens the pool position only.
"""

from datetime import date

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from banks.auth import bank_api_key_issue
from riskfund.parties.services import bank_create
from riskfund.pool.models import PoolState
from riskfund.pool.seed import seed_pool
from tests.api.apihelpers import assert_problem, post

ID = "00000000-0000-4000-8000-00000000dead"  # fixed: parametrize ids must match across xdist workers
USCC = "91150202000000001X"
BUREAU, TRUSTEE, DISTRICT, AUDITOR = "bureau", "trustee", "district", "auditor"
STAFF = {BUREAU, TRUSTEE, DISTRICT, AUDITOR}

# (method, path template as in the OpenAPI document, concrete url, roles allowed)
ENDPOINTS = [
    ("GET", "/api/v1/pool/", "/api/v1/pool/", STAFF),
    ("GET", "/api/v1/funders/", "/api/v1/funders/", STAFF),
    ("POST", "/api/v1/funders/{code}/injections/", "/api/v1/funders/150202/injections/", {TRUSTEE}),
    ("POST", "/api/v1/pool/interest/", "/api/v1/pool/interest/", {TRUSTEE}),
    ("GET", "/api/v1/banks/", "/api/v1/banks/", STAFF),
    ("POST", "/api/v1/banks/", "/api/v1/banks/", {BUREAU}),
    ("GET", "/api/v1/guarantors/", "/api/v1/guarantors/", STAFF),
    ("POST", "/api/v1/guarantors/", "/api/v1/guarantors/", {BUREAU}),
    ("GET", "/api/v1/banks/{code}/agreements/", "/api/v1/banks/BOB/agreements/", {BUREAU, TRUSTEE, AUDITOR}),
    ("POST", "/api/v1/banks/{code}/agreements/", "/api/v1/banks/BOB/agreements/", {BUREAU}),
    (
        "POST",
        "/api/v1/banks/{code}/agreements/{agreement_id}/end/",
        f"/api/v1/banks/BOB/agreements/{ID}/end/",
        {BUREAU},
    ),
    ("GET", "/api/v1/topups/", "/api/v1/topups/", {BUREAU, TRUSTEE, AUDITOR}),
    ("POST", "/api/v1/topups/", "/api/v1/topups/", {BUREAU, TRUSTEE}),
    ("POST", "/api/v1/topups/{topup_id}/approve/", f"/api/v1/topups/{ID}/approve/", {BUREAU}),
    ("POST", "/api/v1/topups/{topup_id}/execute/", f"/api/v1/topups/{ID}/execute/", {TRUSTEE}),
    (
        "POST",
        "/api/v1/banks/{code}/deposit-adjustments/",
        "/api/v1/banks/BOB/deposit-adjustments/",
        {BUREAU},
    ),
    (
        "POST",
        "/api/v1/deposit-adjustments/{adjustment_id}/approve/",
        f"/api/v1/deposit-adjustments/{ID}/approve/",
        {BUREAU},
    ),
    (
        "POST",
        "/api/v1/deposit-adjustments/{adjustment_id}/execute/",
        f"/api/v1/deposit-adjustments/{ID}/execute/",
        {TRUSTEE},
    ),
    ("GET", "/api/v1/payables/", "/api/v1/payables/", {BUREAU, TRUSTEE, AUDITOR}),
    ("POST", "/api/v1/payables/{payable_id}/settle/", f"/api/v1/payables/{ID}/settle/", {TRUSTEE}),
    ("GET", "/api/v1/enterprises/", "/api/v1/enterprises/", {BUREAU, DISTRICT, AUDITOR}),
    ("POST", "/api/v1/enterprises/", "/api/v1/enterprises/", {BUREAU, DISTRICT}),
    ("POST", "/api/v1/enterprises/{uscc}/extension/", f"/api/v1/enterprises/{USCC}/extension/", {BUREAU}),
    ("GET", "/api/v1/applications/", "/api/v1/applications/", {BUREAU, DISTRICT, AUDITOR}),
    ("POST", "/api/v1/applications/", "/api/v1/applications/", {BUREAU, DISTRICT}),
    (
        "POST",
        "/api/v1/applications/{application_id}/recommend/",
        f"/api/v1/applications/{ID}/recommend/",
        {BUREAU},
    ),
    (
        "POST",
        "/api/v1/recommendations/{recommendation_id}/guarantor-opinion/",
        f"/api/v1/recommendations/{ID}/guarantor-opinion/",
        {BUREAU, TRUSTEE},
    ),
    ("GET", "/api/v1/dishonest-listings/", "/api/v1/dishonest-listings/", {BUREAU, AUDITOR}),
    (
        "POST",
        "/api/v1/dishonest-listings/{listing_id}/decide/",
        f"/api/v1/dishonest-listings/{ID}/decide/",
        {BUREAU},
    ),
    ("GET", "/api/v1/cob/", "/api/v1/cob/", {BUREAU, TRUSTEE, AUDITOR}),
    ("POST", "/api/v1/cob/", "/api/v1/cob/", {BUREAU, TRUSTEE}),
    ("GET", "/api/v1/ledger/transactions/", "/api/v1/ledger/transactions/", {BUREAU, TRUSTEE, AUDITOR}),
    (
        "GET",
        "/api/v1/funders/{code}/statements/{month}/",
        "/api/v1/funders/region/statements/2024-09/",
        {BUREAU, TRUSTEE, AUDITOR},
    ),
    (
        "GET",
        "/api/v1/funders/{code}/statements/{month}.xlsx",
        "/api/v1/funders/region/statements/2024-09.xlsx",
        {BUREAU, TRUSTEE, AUDITOR},
    ),
    ("GET", "/api/v1/outlook/", "/api/v1/outlook/", STAFF),
    ("GET", "/api/v1/policy-versions/", "/api/v1/policy-versions/", STAFF),
    ("POST", "/api/v1/policy-versions/", "/api/v1/policy-versions/", {BUREAU}),
    (
        "POST",
        "/api/v1/policy-versions/{version_id}/approve/",
        f"/api/v1/policy-versions/{ID}/approve/",
        {BUREAU},
    ),
]
# A district officer may call these, for its own district only: another funder's statement is 404 (API.md).
DISTRICT_SCOPED = {"/api/v1/funders/{code}/statements/{month}/", "/api/v1/funders/{code}/statements/{month}.xlsx"}
# POSTs that take no body: ``{}`` is valid input, so a client let in reaches the lookup of the unknown id (404).
NO_BODY = {"/api/v1/policy-versions/{version_id}/approve/", "/api/v1/deposit-adjustments/{adjustment_id}/approve/"}
CLIENTS = [BUREAU, TRUSTEE, DISTRICT, AUDITOR, "superuser", "no-role", "anonymous", "bank"]


def _expected(client: str, method: str, path: str, allowed: set[str]) -> int:
    if client == "anonymous":
        return 401
    if client == "bank":
        return 200 if path == "/api/v1/pool/" else 403
    if client == "superuser" or client in allowed:
        return 200 if method == "GET" else 404 if path in NO_BODY else 400
    if client == DISTRICT and path in DISTRICT_SCOPED:
        return 404
    return 403


MATRIX = [
    (client, method, url, _expected(client, method, path, allowed))
    for method, path, url, allowed in ENDPOINTS
    for client in CLIENTS
]


@pytest.fixture
def client_for(make_staff, policy_2021):
    seed_pool()
    bank = bank_create(code="BOB", name="包商测试银行")
    # a closed business date, so that the forecast (an empty book here) is computed on demand
    PoolState.objects.update_or_create(pk=1, defaults={"last_closed_business_date": date(2025, 6, 30)})

    def make(name: str) -> APIClient:
        if name == "anonymous":
            return APIClient()
        if name == "bank":
            _, key = bank_api_key_issue(bank=bank)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
            return client
        if name == "superuser":
            return make_staff(superuser=True)
        if name == "no-role":
            return make_staff()
        return make_staff(name)

    return make


@pytest.mark.parametrize(
    ("client_name", "method", "url", "status"), MATRIX, ids=[f"{m[0]}-{m[1]}-{m[2]}" for m in MATRIX]
)
def test_permission_matrix(client_for, client_name, method, url, status):
    client = client_for(client_name)
    response = client.get(url) if method == "GET" else post(client, url, {})
    assert response.status_code == status, (client_name, method, url, response.content[:300])
    if status == 401:
        assert_problem(response, 401, "not_authenticated")
    elif status == 403:
        assert_problem(response, 403, "permission_denied")
    elif status == 400:
        assert_problem(response, 400, "validation_error")
    elif status == 404:
        assert_problem(response, 404, "not_found")


STAFF_TAGS = {"pool", "parties", "deposits", "lending", "claims", "cob", "ledger", "outlook", "policy"}


@override_settings(ROOT_URLCONF="riskfund.urls")
def test_the_matrix_covers_every_staff_operation_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if set(op.get("tags", [])) & STAFF_TAGS
    }
    assert operations == {(method, path) for method, path, _url, _roles in ENDPOINTS}
