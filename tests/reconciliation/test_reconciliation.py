"""Reconciliation of a bank's loan balances: planted mismatches are found exactly; the template round-trips; the
API answers 202 with counts, then the report; bad uploads are refused with their reason, row and column."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from excel_world import AS_OF, assert_problem, cell_money, idem, read_sheets
from openpyxl import Workbook

from banks.reconciliation import TEMPLATE_SHEET, reconciliation_counts, reconciliation_start, riskfund_balances
from riskfund.dates import business_today
from riskfund.exports.models import ExportJob
from riskfund.exports.upload_archive import UploadRejected
from riskfund.lending.models import Loan
from riskfund.lending.selectors import loan_outstanding_on

D = Decimal
URL = "/api/v1/reconciliations/"


def xlsx(rows, headers=("合同编号", "贷款余额")) -> bytes:
    """A workbook as a bank would fill it (openpyxl, normal mode: amounts as numbers)."""
    book = Workbook()
    ws = book.active
    ws.title = TEMPLATE_SHEET
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# the bank's file: R-1 agrees, R-2 differs by a fen, R-3 is missing at the bank, X-999 and R-B (bank B's) are
# unknown to riskfund for bank A, R-4 (repaid) agrees at zero
PLANTED = [("R-1", D("1000000.00")), ("R-2", D("800000.00")), ("X-999", D("5000.00")), ("R-4", 0), ("R-B", 400000)]


def _post(client, content: bytes, as_of=AS_OF, name="balances.xlsx", **extra):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(URL, {"file": upload, "as_of": as_of.isoformat()}, format="multipart", **{**idem(), **extra})


def test_riskfund_balances_follow_loan_outstanding_on(book):
    bank = book.world.bank_a
    ours = riskfund_balances(bank, AS_OF)
    assert ours == book.outstanding  # R-5 is disbursed after AS_OF, R-B is bank B's
    for loan in Loan.objects.filter(bank=bank, contract_no__in=ours):
        assert ours[loan.contract_no] == loan_outstanding_on(loan, AS_OF)


def test_planted_mismatches_are_found_exactly(book):
    job = reconciliation_start(bank=book.world.bank_a, file=xlsx(PLANTED), as_of=AS_OF)
    assert job.params["matched"] == [["R-1", "1000000.00"], ["R-4", "0.00"]]
    assert job.params["mismatched"] == [["R-2", "800000.00", "799999.99"]]
    assert job.params["missing_in_riskfund"] == [["R-B", "400000.00", 6], ["X-999", "5000.00", 4]]
    assert job.params["missing_at_bank"] == [["R-3", "300000.00"]]
    assert reconciliation_counts(job) == {"matched": 2, "mismatched": 1, "missing_in_riskfund": 2, "missing_at_bank": 1}


def test_a_full_agreement_has_nothing_else(book):
    rows = [(c, a) for c, a in book.outstanding.items()]
    job = reconciliation_start(bank=book.world.bank_a, file=xlsx(rows), as_of=AS_OF)
    assert reconciliation_counts(job) == {"matched": 4, "mismatched": 0, "missing_in_riskfund": 0, "missing_at_bank": 0}


def test_api_round_trip_template_upload_status_report(book, django_capture_on_commit_callbacks):
    client = book.world.a
    template = client.get("/api/v1/reconciliations/template.xlsx")
    assert template.status_code == 200
    assert template["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = read_sheets(b"".join(template.streaming_content))
    assert sheets[TEMPLATE_SHEET] == [("合同编号", "贷款余额")]
    # the bank fills the downloaded template itself
    filled = sheets[""]
    ws = filled[TEMPLATE_SHEET]
    for contract, amount in PLANTED:
        ws.append([contract, float(amount)])  # what Excel stores: a double (openpyxl writes it in normal mode)
    buffer = BytesIO()
    filled.save(buffer)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, buffer.getvalue())
    assert response.status_code == 202, response.content
    body = response.json()
    assert {k: body[k] for k in ("matched", "mismatched", "missing_in_riskfund", "missing_at_bank")} == {
        "matched": 2,
        "mismatched": 1,
        "missing_in_riskfund": 2,
        "missing_at_bank": 1,
    }
    assert response["Location"] == f"{URL}{body['id']}/"

    detail = client.get(f"{URL}{body['id']}/").json()
    assert detail["status"] == "done" and detail["as_of"] == AS_OF.isoformat()
    assert detail["report_url"].endswith(f"{URL}{body['id']}/report.xlsx")
    report = client.get(detail["report_url"])
    assert report.status_code == 200
    sheets = read_sheets(b"".join(report.streaming_content))
    assert [r[0] for r in sheets["一致"][1:-1]] == ["R-1", "R-4"]
    (mismatch,) = sheets["金额不一致"][1:-1]
    assert mismatch[0] == "R-2"
    assert [cell_money(v) for v in mismatch[1:]] == [D("800000.00"), D("799999.99"), D("0.01")]
    assert [r[0] for r in sheets["风险池无此合同"][1:-1]] == ["R-B", "X-999"]
    assert [(r[0], cell_money(r[1])) for r in sheets["银行未报送"][1:-1]] == [("R-3", D("300000.00"))]
    summary = dict(sheets["概要"][1:])
    assert summary["金额不一致（笔）"] == 1 and summary["银行未报送（笔）"] == 1

    # another bank cannot see it; the replay answers the same without a second job
    assert_problem(book.world.b.get(f"{URL}{body['id']}/"), 404, "not_found")
    assert_problem(book.world.b.get(f"{URL}{body['id']}/report.xlsx"), 404, "not_found")
    assert ExportJob.objects.filter(kind="bank_reconciliation").count() == 1
    job = ExportJob.objects.get(pk=body["id"])
    job.file.delete(save=False)


def test_replay_with_the_same_key_writes_nothing_new(book, django_capture_on_commit_callbacks):
    content = xlsx(PLANTED)
    headers = idem()
    first = _post(book.world.a, content, **headers)
    second = _post(book.world.a, content, **headers)
    assert first.status_code == second.status_code == 202
    assert second["Idempotent-Replayed"] == "true" and second.json()["id"] == first.json()["id"]
    assert ExportJob.objects.filter(kind="bank_reconciliation").count() == 1


def test_a_post_without_idempotency_key_is_refused(book):
    upload = SimpleUploadedFile("b.xlsx", xlsx(PLANTED))
    response = book.world.a.post(URL, {"file": upload, "as_of": "2025-03-31"}, format="multipart")
    assert_problem(response, 400, "idempotency_key_required")


def test_a_non_xlsx_is_refused_with_its_reason(book):
    body = assert_problem(
        _post(book.world.a, "合同编号,贷款余额\nR-1,1000000\n".encode(), name="b.xlsx"), 400, "upload_not_xlsx"
    )
    assert "xlsx" in body["detail"]
    assert ExportJob.objects.count() == 0


def test_an_oversized_file_is_refused(book, settings):
    content = xlsx(PLANTED)
    settings.RISKFUND_UPLOAD_MAX_BYTES = len(content) - 1
    body = assert_problem(_post(book.world.a, content), 400, "upload_too_large")
    assert str(len(content) - 1) in body["detail"]


def test_too_many_rows_are_refused(book, settings):
    settings.RISKFUND_UPLOAD_MAX_ROWS = 3
    body = assert_problem(_post(book.world.a, xlsx(PLANTED)), 400, "upload_too_many_rows")
    assert "3" in body["detail"]


def test_a_bad_amount_names_row_and_column(book):
    rows = [("R-1", "1000000"), ("R-2", "八十万")]
    body = assert_problem(_post(book.world.a, xlsx(rows)), 400, "upload_bad_cell")
    assert "第 3 行 B 列" in body["detail"] and "贷款余额" in body["detail"]


def test_a_formula_is_refused_never_evaluated(book):
    rows = [("R-1", "=1000000+0")]
    body = assert_problem(_post(book.world.a, xlsx(rows)), 400, "upload_bad_cell")
    assert "公式" in body["detail"] and "第 2 行 B 列" in body["detail"]


def test_formula_trigger_contract_numbers_stay_text_in_the_report(book, django_capture_on_commit_callbacks):
    """Text cells starting with @ + - come back from the report as text, never as formulas."""
    triggers = ["@SUM(1)", "+1-2", "-3+4"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(book.world.a, xlsx([(t, 10) for t in triggers]))
    assert response.status_code == 202, response.content
    report = book.world.a.get(book.world.a.get(f"{URL}{response.json()['id']}/").json()["report_url"])
    ws = read_sheets(b"".join(report.streaming_content))[""]["风险池无此合同"]
    cells = [ws.cell(row, 1) for row in range(2, 2 + len(triggers))]
    assert sorted(c.value for c in cells) == sorted(triggers)
    assert all(c.data_type == "s" for c in cells)
    ExportJob.objects.get(pk=response.json()["id"]).file.delete(save=False)


def test_a_repeated_contract_is_refused(book):
    body = assert_problem(_post(book.world.a, xlsx([("R-1", 1), ("R-1", 2)])), 400, "upload_bad_cell")
    assert "第 3 行" in body["detail"] and "第 2 行" in body["detail"]


def test_missing_column_and_future_date(book):
    assert_problem(_post(book.world.a, xlsx(PLANTED, headers=("合同号", "贷款余额"))), 400, "upload_missing_column")
    from datetime import timedelta

    future = business_today() + timedelta(days=3)
    assert_problem(_post(book.world.a, xlsx(PLANTED), as_of=future), 422, "date_in_future")


def test_service_rejects_bad_file_before_writing(book):
    with pytest.raises(UploadRejected):
        reconciliation_start(bank=book.world.bank_a, file=b"not a zip", as_of=AS_OF)
    assert ExportJob.objects.count() == 0


def test_bank_export_kinds_are_registered_when_django_starts():
    """A Celery worker never loads the URLconf; the kinds must come from the app registry."""
    from riskfund.exports import registry

    assert {"bank_statement", "bank_reconciliation"} <= {kind.kind for kind in registry.export_kinds()}


def test_every_bad_cell_is_reported_at_once(book):
    """Issue 17: the reconciliation names every bad cell, not the first — a word for an amount (B3), a formula
    (B4), a negative balance (B5), a blank contract number (A6) and a contract repeating row 2 (A7): five
    problems in one 400, each under its cell in ``errors``; nothing is written."""
    rows = [("R-1", 1), ("R-2", "八十万"), ("R-3", "=1+1"), ("R-4", -5), (None, 7), ("R-1", 9)]
    body = assert_problem(_post(book.world.a, xlsx(rows)), 400, "upload_bad_cell")
    assert sorted(body["errors"]) == sorted(f"{TEMPLATE_SHEET}!{cell}" for cell in ("B3", "B4", "B5", "A6", "A7"))
    assert (
        "第 7 行" in body["errors"][f"{TEMPLATE_SHEET}!A7"][0]
        and "第 2 行" in body["errors"][f"{TEMPLATE_SHEET}!A7"][0]
    )
    assert body["detail"].startswith("5 处错误")
    assert ExportJob.objects.count() == 0
