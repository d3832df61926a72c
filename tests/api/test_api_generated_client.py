"""The served OpenAPI documents as a contract a generated client can trust (issue 19).

Both documents — the full one at ``/api/v1/schema/`` and the bank one at ``/api/v1/schema/bank/`` — pass
openapi-spec-validator, and openapi-python-client (pinned in requirements-dev.txt) generates a client from each with
``--fail-on-warning`` and no warning at all; the generated package imports, every module of it. The bank client holds
the bank's operations only, and a workbook comes back through it as a file: the reconciliation template, called with
a bank key through an httpx transport that hands the request to Django's test client (so the answer is also checked
by tests/response_contract.py).
"""

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.test import Client
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from banks.auth import bank_api_key_issue
from riskfund.parties.services import bank_create

DOCUMENTS = {"full": "/api/v1/schema/?format=json", "bank": "/api/v1/schema/bank/?format=json"}
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
XLSX_SIGNATURE = b"PK\x03\x04"


def served(which: str) -> dict:
    response = APIClient().get(DOCUMENTS[which])
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("which", DOCUMENTS)
def test_served_document_passes_openapi_spec_validator(which, db):
    validate(served(which))


def generate(document: dict, package: str, where: Path):
    """Run the generator as an integrator would (no post hooks: ruff is not the client's business); import the
    package from ``where``."""
    (where / "openapi.json").write_text(json.dumps(document))
    (where / "config.yaml").write_text(f"package_name_override: {package}\npost_hooks: []\n")
    result = subprocess.run(  # noqa: S603 — the pinned generator on a file this test wrote
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(where / "openapi.json"),
            "--config",
            str(where / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(where / package),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(where))
    try:
        root = importlib.import_module(package)
        modules = [importlib.import_module(info.name) for info in pkgutil.walk_packages(root.__path__, package + ".")]
    finally:
        sys.path.remove(str(where))
    return root, modules


def forget(package: str) -> None:
    for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
        del sys.modules[name]


class DjangoClientTransport(httpx.BaseTransport):
    """httpx → Django's test client, in-process (the test's database transaction stays open)."""

    def __init__(self) -> None:
        self.client = Client()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = {
            key: value for key, value in request.headers.items() if key.lower() not in ("host", "content-length")
        }
        content_type = headers.pop("content-type", "application/octet-stream")
        response = self.client.generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.read(),
            content_type=content_type,
            headers=headers,
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return httpx.Response(response.status_code, headers=list(response.items()), content=body)


def test_full_client_generates_without_warnings_and_imports(tmp_path, db):
    package = "riskfund_client"
    try:
        _root, modules = generate(served("full"), package, tmp_path)
        names = {module.__name__.rsplit(".", 1)[-1] for module in modules}
        assert {"banks_create", "ledger_transactions_list", "bank_loans_register", "outlook_retrieve"} <= names
    finally:
        forget(package)


def test_bank_client_holds_bank_operations_only_and_returns_a_workbook_as_a_file(tmp_path, db):
    package = "riskfund_bank_client"
    bank = bank_create(code="BOB", name="包商银行")
    _row, key = bank_api_key_issue(bank=bank)
    try:
        root, modules = generate(served("bank"), package, tmp_path)
        operations = {module.__name__.rsplit(".", 1)[-1] for module in modules if ".api." in module.__name__}
        assert {"bank_loans_register", "bank_statement_download", "bank_reconciliation_template", "pool_position"} <= (
            operations
        )
        staff_only = {"banks_create", "enterprises_list", "ledger_transactions_list", "auth_token_create"}
        assert operations.isdisjoint(staff_only), operations & staff_only

        template = importlib.import_module(f"{package}.api.bank_reconciliation.bank_reconciliation_template")
        client = root.AuthenticatedClient(
            base_url="http://testserver", token=key, prefix="Api-Key", httpx_args={"transport": DjangoClientTransport()}
        )
        answer = template.sync_detailed(client=client)
        assert answer.status_code == 200
        workbook = answer.parsed
        assert type(workbook).__name__ == "File"
        assert workbook.payload.read(4) == XLSX_SIGNATURE
    finally:
        forget(package)
