"""The ten findings of issue 19 on the OpenAPI document, each held by a test (the generator and openapi-spec-validator
are in test_api_generated_client.py; every answer of the suite is checked against the document by
tests/response_contract.py)."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from banks.auth import BankRateThrottle, bank_api_key_issue
from riskfund.api.problem_codes import PROBLEM_CODES, SPEC, UPLOAD
from riskfund.parties.services import bank_create
from tests.api.apihelpers import assert_problem
from tests.response_contract import served_document

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOT = Path(settings.BASE_DIR)


def operations():
    for path, item in served_document()["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def schemes(operation) -> set[str]:
    return {name for requirement in operation.get("security", []) for name in requirement}


@pytest.fixture
def bank_client(db):
    bank = bank_create(code="BOB", name="包商银行")
    _row, key = bank_api_key_issue(bank=bank)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_item1_workbooks_are_also_declared_as_octet_stream_binaries():
    downloads = 0
    for _method, path, operation in operations():
        content = operation["responses"].get("200", {}).get("content", {})
        if XLSX in content:
            downloads += 1
            assert content["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}, path
    assert downloads == 6


def test_item2_throttled_operations_declare_429_with_retry_after():
    for method, path, operation in operations():
        throttled = "Api-Key" in schemes(operation) or path == "/api/v1/auth/token/"
        assert ("429" in operation["responses"]) == throttled, (method, path)
        if throttled:
            header = operation["responses"]["429"]["headers"]["Retry-After"]
            assert header["required"] and header["schema"] == {"type": "integer", "minimum": 1}


def test_item2_a_bank_over_its_rate_gets_429_with_retry_after(bank_client, monkeypatch):
    monkeypatch.setattr(BankRateThrottle, "rate", "2/min", raising=False)
    for _ in range(2):
        assert bank_client.get("/api/v1/recommendations/").status_code == 200
    response = bank_client.get("/api/v1/recommendations/")
    assert_problem(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_item3_every_write_declares_413_and_a_body_over_1_mib_gets_it(bank_client):
    for method, path, operation in operations():
        assert ("413" in operation["responses"]) == (method == "POST"), (method, path)
    big = '{"notes": "' + "x" * (1024 * 1024) + '"}'
    response = bank_client.post(
        "/api/v1/deposit/topup-requests/", big, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big-1"
    )
    assert_problem(response, 413, "content_too_large")
    assert "Idempotent-Replayed" not in response


STAFF_ONLY = ("banks_create", "enterprises_list", "ledger_transactions_list", "outlook_retrieve", "topup_approve")
BANK_ONLY = ("bank_loans_register", "bank_statement_download", "bank_webhooks_register")


def test_item4_security_per_operation_and_a_bank_document_with_bank_operations_only(db):
    by_id = {operation["operationId"]: operation for _m, _p, operation in operations()}
    for operation_id in STAFF_ONLY:
        assert schemes(by_id[operation_id]) == {"Token"}, operation_id
    for operation_id in BANK_ONLY:
        assert schemes(by_id[operation_id]) == {"Api-Key"}, operation_id
    assert schemes(by_id["pool_position"]) == {"Token", "Api-Key"}
    assert not by_id["auth_token_create"].get("security")  # no credentials

    bank = APIClient().get("/api/v1/schema/bank/?format=json").json()
    bank_ids = {op["operationId"] for item in bank["paths"].values() for op in item.values()}
    assert bank_ids == {
        operation["operationId"] for _m, _p, operation in operations() if "Api-Key" in schemes(operation)
    }
    assert set(bank["components"]["securitySchemes"]) == {"Api-Key"}
    assert not bank_ids & set(STAFF_ONLY)


def test_item5_idempotent_replayed_only_where_a_stored_answer_can_be_replayed():
    for method, path, operation in operations():
        idempotent = any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
        for status, answer in operation["responses"].items():
            declared = "Idempotent-Replayed" in answer.get("headers", {})
            if status in ("401", "403", "409", "429") or not idempotent:
                assert not declared, (method, path, status)
            elif status < "300" or status in ("400", "422"):
                assert declared, (method, path, status)


def test_item6_money_in_answers_has_exactly_two_places():
    schemas = served_document()["components"]["schemas"]
    assert schemas["BankLoan"]["properties"]["principal"]["pattern"] == r"^[0-9]+\.[0-9]{2}$"
    assert schemas["LedgerEntry"]["properties"]["amount"]["pattern"] == r"^[0-9]+\.[0-9]{2}$"
    # a request still takes at most two places ("1000", "1000.5")
    assert schemas["BankRepaymentInputRequest"]["properties"]["principal"]["pattern"] == r"^[0-9]+(\.[0-9]{1,2})?$"
    for name, schema in schemas.items():
        if name.endswith("Request"):
            continue
        for field, spec in schema.get("properties", {}).items():
            if spec.get("format") == "decimal":
                assert re.fullmatch(r"\^(-\?)?\[0-9\]\+\\\.\[0-9\]\{[0-9]\}\$", spec["pattern"]), (name, field)


def test_item7_page_size_is_declared_from_1_to_500_on_every_list():
    lists = 0
    for _method, path, operation in operations():
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "page_size":
                lists += 1
                assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}, path
                assert "400" in operation["responses"], path
    assert lists >= 10


def test_item8_problem_code_is_an_enum_of_every_stable_code():
    schemas = served_document()["components"]["schemas"]
    code = schemas["Problem"]["properties"]["code"]
    assert code.get("$ref", code.get("allOf", [{}])[0].get("$ref")) == "#/components/schemas/ProblemCode"
    enum = schemas["ProblemCode"]["enum"]
    assert set(SPEC) <= set(enum) and set(UPLOAD) <= set(enum)
    api_md = {"validation_error", "not_found", "not_authenticated", "permission_denied", "throttled"}
    assert api_md | {"idempotency_key_required", "idempotency_key_reused", "idempotency_in_progress"} <= set(enum)


def _raised_codes() -> set[str]:
    """Every code a service or view raises: the first argument of ``RuleViolation``/``UploadRejected`` and every
    ``problem_code`` attribute, across riskfund/ and banks/."""
    codes = set()
    for path in [*ROOT.joinpath("riskfund").rglob("*.py"), *ROOT.joinpath("banks").rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("RuleViolation", "UploadRejected") and isinstance(node.args[0].value, str):
                    codes.add(node.args[0].value)
            targets = getattr(node, "targets", [])
            if isinstance(node, ast.Assign) and any(getattr(target, "id", "") == "problem_code" for target in targets):
                codes.add(node.value.value)
    return codes


def test_item8_a_loans_overdue_bucket_is_the_enum_of_the_spec_9_buckets():
    schemas = served_document()["components"]["schemas"]
    field = schemas["BankLoan"]["properties"]["overdue_bucket"]
    assert field.get("$ref", field.get("allOf", [{}])[0].get("$ref")) == "#/components/schemas/OverdueBucketEnum"
    assert schemas["OverdueBucketEnum"]["enum"] == ["current", "1-25", "26-60", "61-90", "91+"]


def test_item8_every_code_the_sources_raise_is_in_the_enum():
    assert _raised_codes() - set(PROBLEM_CODES) == set()


def test_item8_and_10_upload_codes_are_listed_in_the_docs():
    text = ROOT.joinpath("docs", "api-clients.md").read_text()
    for code in UPLOAD:
        assert f"`{code}`" in text, code


def test_item9_pool_position_policy_version_is_nullable():
    properties = served_document()["components"]["schemas"]["PoolPosition"]["properties"]
    assert properties["policy_version"]["nullable"] is True


@pytest.mark.parametrize(("language", "title"), [("en", "Not an .xlsx workbook"), ("zh-hans", "不是 .xlsx 工作簿")])
def test_item10_an_upload_problem_has_its_own_title_and_type(bank_client, language, title):
    response = bank_client.post(
        "/api/v1/reconciliations/",
        {"file": _csv_named_xlsx(), "as_of": "2025-01-31"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=f"upload-{language}",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    body = assert_problem(response, 400, "upload_not_xlsx")
    assert body["title"] == title
    assert body["type"].endswith("/problems/upload_not_xlsx")


def _csv_named_xlsx():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("balances.xlsx", b"contract_no,outstanding\nC-1,100.00\n", content_type=XLSX)


def test_the_docs_webhook_example_verifies_a_real_signature_and_refuses_a_forged_one():
    import time

    from banks.webhooks import signature_header

    text = ROOT.joinpath("docs", "api-clients.md").read_text()
    example = next(
        block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "riskfund_signature_ok" in block
    )
    namespace: dict = {}
    exec(compile(example, "docs/api-clients.md", "exec"), namespace)  # noqa: S102 — the docs' own example
    verify = namespace["riskfund_signature_ok"]
    body = b'{"id": "e-1", "type": "pool.suspended", "created": "2025-06-30T00:30:00+08:00", "data": {}}'
    header = signature_header(body, ["new-secret", "old-secret"], int(time.time()))
    assert verify(header, body, "old-secret") and verify(header, body, "new-secret")
    assert not verify(header, body + b" ", "new-secret")
    assert not verify(header, body, "another-secret")
    stale = signature_header(body, ["new-secret"], int(time.time()) - 301)
    assert not verify(stale, body, "new-secret")
