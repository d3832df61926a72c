"""The import over the API (issue 17): template, multipart upload → 202 → the run with its errors and preview →
commit; a bank's key for its own repayments; hostile files answered 400/413 with nothing written; who may call
what (the permission matrix of these endpoints) and whose runs each client sees."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from imports_world import small_book, xlsx
from knox.models import AuthToken
from openpyxl import load_workbook
from rest_framework.test import APIClient

from banks.auth import bank_api_key_issue
from riskfund.imports.models import ImportRun
from riskfund.lending.models import Loan, Repayment
from riskfund.parties.models import Bank, StaffProfile
from riskfund.parties.services import bank_create
from riskfund.pool.models import PoolState
from tests.api.apihelpers import assert_problem, new_key

D = Decimal
URL = "/api/v1/imports/"
ID = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def staff(*roles: str, district: str | None = None, superuser: bool = False) -> APIClient:
    user = get_user_model().objects.create_user(
        username=f"u-{get_user_model().objects.count()}", is_superuser=superuser
    )
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if district:
        StaffProfile.objects.create(user=user, district_id=district)
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.user = user
    return client


def bank_client(bank: Bank) -> APIClient:
    _, key = bank_api_key_issue(bank=bank)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def upload(client, content: bytes, *, commit: bool = False, key: str | None = None, **extra):
    data = {"file": SimpleUploadedFile("book.xlsx", content), "commit": "true" if commit else "false"}
    return client.post(URL, data, format="multipart", HTTP_IDEMPOTENCY_KEY=key or new_key(), **extra)


def test_upload_preview_then_commit(world, django_capture_on_commit_callbacks):
    bureau = staff("bureau")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(bureau, xlsx(small_book()))
    assert response.status_code == 202, response.content
    run_url = response["Location"]
    body = bureau.get(run_url).json()
    assert body["status"] == "valid" and body["error_count"] == 0 and body["errors"] == []
    assert body["written"]["贷款"] == 3 and body["preview"]["after"]["net_compensation"] == "707999.99"
    assert not Loan.objects.exists()  # validated only
    with django_capture_on_commit_callbacks(execute=True):
        response = bureau.post(f"{run_url}commit/", HTTP_IDEMPOTENCY_KEY=new_key())
    assert response.status_code == 202
    body = bureau.get(run_url).json()
    assert body["status"] == "committed" and body["cob_dates"] == ["2025-03-01"]
    assert PoolState.objects.get(pk=1).net_compensation == D("707999.99")
    assert_problem(bureau.post(f"{run_url}commit/", HTTP_IDEMPOTENCY_KEY=new_key()), 422, "import_not_valid")


def test_errors_come_back_with_their_places_and_the_annotated_copy(world, django_capture_on_commit_callbacks):
    book = small_book()
    book["loan"][2]["maturity_on"] = date(2026, 3, 5)  # 24 months without the extended term
    bureau = staff("bureau")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(bureau, xlsx(book), commit=True, HTTP_ACCEPT_LANGUAGE="en")
    run = ImportRun.objects.get(pk=response.json()["id"])
    assert run.status == "invalid" and not Loan.objects.exists()
    body = bureau.get(f"{URL}{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    [error] = body["errors"]
    assert (error["sheet"], error["row"], error["column"], error["code"]) == ("贷款", 5, "F", "term_too_long")
    assert error["message"].startswith("Loan term too long (art. 22)")
    assert bureau.get(f"{URL}{run.pk}/").json()["errors"][0]["message"].startswith("贷款期限过长（art. 22）")
    copy = bureau.get(body["annotated_url"])
    workbook = load_workbook(BytesIO(b"".join(copy.streaming_content)))
    assert workbook["贷款"]["F5"].comment is not None


def test_a_bank_key_imports_its_repayments(world, django_capture_on_commit_callbacks):
    from imports_world import TODAY

    from riskfund.imports.resolve import Scope
    from riskfund.imports.services import import_book

    assert import_book(file=xlsx(small_book()), scope=Scope(), today=TODAY, commit=True)["committed"]
    bob = bank_client(Bank.objects.get(code="BOB"))
    rows = {
        "repayment": [
            {
                "bank": "BOB",
                "contract_no": "L-3",
                "paid_on": date(2024, 12, 5),
                "principal": D("100000"),
                "interest": D("0"),
            }
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(bob, xlsx(rows), commit=True)
    assert response.status_code == 202
    assert bob.get(response["Location"]).json()["status"] == "committed"
    assert Repayment.objects.filter(loan__contract_no="L-3", principal=D("100000")).exists()
    other = bank_client(bank_create(code="BOE", name="另一家银行"))
    assert_problem(other.get(response["Location"]), 404, "not_found")  # another bank's run


def test_hostile_files_are_refused_and_nothing_is_written(world, settings):
    bureau = staff("bureau")
    assert_problem(upload(bureau, b"uscc,name\n1,2\n"), 400, "upload_not_xlsx")
    assert_problem(upload(bureau, b"PK\x03\x04 not really a zip"), 400, "upload_not_xlsx")
    assert_problem(
        bureau.post(URL, {"commit": "true"}, format="multipart", HTTP_IDEMPOTENCY_KEY=new_key()),
        400,
        "validation_error",
    )
    assert_problem(
        bureau.post(URL, {"file": "text", "commit": "maybe"}, format="multipart", HTTP_IDEMPOTENCY_KEY=new_key()),
        400,
        "validation_error",
    )
    content = xlsx(small_book())
    settings.RISKFUND_IMPORT_MAX_BYTES = len(content) - 1
    assert_problem(upload(bureau, content), 413, "upload_too_large")
    assert not ImportRun.objects.exists()


def test_a_replayed_upload_is_the_same_run(world, django_capture_on_commit_callbacks):
    bureau = staff("trustee")
    key, content = new_key(), xlsx(small_book())
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(bureau, content, key=key)
    again = upload(bureau, content, key=key)
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert ImportRun.objects.count() == 1


def test_the_template_is_the_same_for_staff_and_banks(world):
    bank = bank_create(code="BOB", name="包商测试银行")
    for client in (staff("district", district="150203"), bank_client(bank)):
        response = client.get(f"{URL}template.xlsx")
        assert response.status_code == 200
        workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
        assert workbook.sheetnames[:3] == ["说明", "出资", "合作协议"]


def test_runs_are_seen_by_their_owner_and_the_programmes_staff_only(world, django_capture_on_commit_callbacks):
    officer = staff("district", district="150203")
    with django_capture_on_commit_callbacks(execute=True):
        run_url = upload(officer, xlsx({"enterprise": []}))["Location"]
    assert officer.get(run_url).status_code == 200
    assert staff("auditor").get(run_url).status_code == 200
    assert_problem(staff("district", district="150202").get(run_url), 404, "not_found")
    assert_problem(bank_client(bank_create(code="BOB", name="银行")).get(run_url), 404, "not_found")


# --- the permission matrix of the import endpoints ----------------------------------------------------------

CLIENTS = ["bureau", "trustee", "district", "auditor", "superuser", "no-role", "anonymous", "bank"]
IMPORTERS = {"bureau", "trustee", "district", "superuser", "bank"}
READERS = IMPORTERS | {"auditor"}
ENDPOINTS = [
    ("GET", f"{URL}template.xlsx", READERS, 200),
    ("POST", URL, IMPORTERS, 400),
    ("GET", f"{URL}{ID}/", READERS, 404),
    ("GET", f"{URL}{ID}/errors.xlsx", READERS, 404),
    ("POST", f"{URL}{ID}/commit/", IMPORTERS, 404),
]
MATRIX = [
    (client, method, url, (status if client in allowed else 401 if client == "anonymous" else 403))
    for method, url, allowed, status in ENDPOINTS
    for client in CLIENTS
]


@pytest.mark.parametrize(
    ("client_name", "method", "url", "status"), MATRIX, ids=[f"{m[0]}-{m[1]}-{m[2]}" for m in MATRIX]
)
def test_permission_matrix(world, client_name, method, url, status):
    if client_name == "anonymous":
        client = APIClient()
    elif client_name == "bank":
        client = bank_client(bank_create(code="BOB", name="包商测试银行"))
    elif client_name == "superuser":
        client = staff(superuser=True)
    elif client_name == "no-role":
        client = staff()
    else:
        client = staff(client_name, district="150203" if client_name == "district" else None)
    body_format = "multipart" if url == URL else "json"
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {}, format=body_format, HTTP_IDEMPOTENCY_KEY=new_key())
    assert response.status_code == status, (client_name, method, url, response.content[:300])
    if status != 200:
        code = {400: "validation_error", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}[status]
        assert_problem(response, status, code)


def test_a_district_officer_without_a_district_may_not_import(world):
    assert_problem(upload(staff("district"), xlsx({"enterprise": []})), 403, "permission_denied")
    assert not ImportRun.objects.exists()
