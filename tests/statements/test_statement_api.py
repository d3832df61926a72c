"""GET /api/v1/statements/{YYYY-MM}.xlsx: the bank's own workbook; bad months are problems; staff and strangers are
refused. The statement is also an export kind a bank may own (built in Celery)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from excel_world import assert_problem, bank_client, cell_money, read_sheets

from banks.statements import LOANS_TITLE, SUMMARY_TITLE
from riskfund.dates import business_today
from riskfund.exports.models import ExportJob
from riskfund.exports.services import export_job_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_bank_downloads_its_own_statement(march):
    response = march.world.a.get("/api/v1/statements/2025-03.xlsx", HTTP_ACCEPT=XLSX)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    sheets = read_sheets(b"".join(response.streaming_content))
    contracts = {row[0] for row in sheets[LOANS_TITLE][1:-1]}
    assert "B-MAR" not in contracts and "A-PART" in contracts
    summary = dict(sheets[SUMMARY_TITLE][1:])
    assert cell_money(summary["期末贷款余额"]) == Decimal("1999999.99")


def test_bank_b_sees_only_its_loan(march):
    response = march.world.b.get("/api/v1/statements/2025-03.xlsx")
    assert response.status_code == 200
    sheets = read_sheets(b"".join(response.streaming_content))
    assert [row[0] for row in sheets[LOANS_TITLE][1:-1]] == ["B-MAR"]


@pytest.mark.parametrize("month", ["2025-13", "2025-3", "abcd-ef"])
def test_a_malformed_month_is_400(march, month):
    assert_problem(march.world.a.get(f"/api/v1/statements/{month}.xlsx"), 400, "validation_error")


def test_a_month_not_begun_is_404(march):
    future = (business_today().replace(day=1) + timedelta(days=62)).strftime("%Y-%m")
    assert_problem(march.world.a.get(f"/api/v1/statements/{future}.xlsx"), 404, "not_found")


def test_staff_and_anonymous_are_refused(march):
    assert_problem(march.world.staff().get("/api/v1/statements/2025-03.xlsx"), 403, "permission_denied")
    assert bank_client(None).get("/api/v1/statements/2025-03.xlsx").status_code == 401


def test_statement_as_an_export_job(march, django_capture_on_commit_callbacks):
    bank = march.world.bank_a
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_start(kind="bank_statement", params={"month": "2025-03"}, owner=str(bank.pk))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.filename == f"月度对账单-{bank.code}-2025-03.xlsx"  # the bank in the name (issue 13)
    with job.file.open("rb") as fh:
        sheets = read_sheets(fh.read())
    assert cell_money(dict(sheets[SUMMARY_TITLE][1:])["期末贷款余额"]) == Decimal("1999999.99")
    job.file.delete(save=False)


def test_export_job_refuses_a_bad_month(march):
    from riskfund.errors import RuleViolation

    with pytest.raises(RuleViolation) as caught:
        export_job_start(kind="bank_statement", params={"month": "2025-13"}, owner=str(march.world.bank_a.pk))
    assert caught.value.status == 400
