"""Export jobs: started after commit, built in Celery with progress, downloadable, expiring, purged."""

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from riskfund.errors import RuleViolation
from riskfund.exports import registry
from riskfund.exports.journal import JOURNAL_COLUMNS
from riskfund.exports.models import ExportJob
from riskfund.exports.services import export_job_run, export_job_start, export_jobs_purge_expired
from riskfund.exports.upload import read_rows, read_table
from riskfund.exports.xlsx import Column, Sheet
from riskfund.ledger.models import Side
from riskfund.ledger.services import account_open, transaction_post, transaction_reverse

D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("bureau", "bureau@example.invalid", "pw-not-used-1")


@pytest.fixture
def ledger(db):
    account_open(code="pool:special", name="资金池专户", normal_side=Side.DEBIT)
    account_open(code="funder:region", name="自治区", normal_side=Side.CREDIT)
    account_open(code="funder:city", name="包头市", normal_side=Side.CREDIT)
    account_open(code="deposit:ICBC", name="工行保证金", normal_side=Side.DEBIT)
    transaction_post(
        kind="injection",
        business_date=date(2024, 6, 3),
        debits=[("pool:special", D("30000000.10"))],
        credits=[("funder:region", D("10000000.00")), ("funder:city", D("20000000.10"))],
        description='=HYPERLINK("http://x","首期注资")',
        reference="INJ-1",
    )
    deposit = transaction_post(
        kind="deposit",
        business_date=date(2024, 6, 20),
        debits=[("deposit:ICBC", D("1234567.89"))],
        credits=[("pool:special", D("1234567.89"))],
    )
    transaction_reverse(original=deposit, business_date=date(2024, 7, 1), reason="录入错误")


def start(**kwargs) -> ExportJob:
    return export_job_start(**kwargs)


def test_a_journal_export_runs_after_commit_to_done_with_a_readable_file(
    staff, ledger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start(kind="ledger_journal", params={"date_from": "2024-06-01", "date_to": "2024-06-30"}, owner=staff)
        assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.QUEUED  # nothing runs before commit
    assert len(callbacks) == 1

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    # summary items + the signature block (a blank row, 经办人, 复核人, 盖章, 日期) + entries
    assert job.progress == 100 and job.rows_done == job.rows_total == 8 + 5 + 5
    assert job.filename == "总账分录流水-2024-06-01至2024-06-30.xlsx"
    assert job.file.name.startswith(f"exports/{job.pk}/")
    assert job.expires_at == job.created_at + timedelta(days=7)
    assert job.is_downloadable(timezone.now())

    with job.file.open("rb") as fh:
        data = fh.read()
    wb = load_workbook(job.file.path)
    assert wb.sheetnames == ["概要", "分录"]
    ws = wb["分录"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:K6"
    assert ws["B2"].data_type == "s" and ws["E2"].value.startswith("=HYPERLINK") and ws["E2"].data_type == "s"

    # the journal reads back with its own columns, up to the 合计 row
    raw = dict(read_rows(data, sheet="分录"))
    totals = raw[7]
    assert totals[1] == ("text", "合计")
    assert D(totals[10].value) == D(totals[11].value) == D("31234567.99")  # 30000000.10 + 1234567.89
    entries = list(read_table(data, columns=JOURNAL_COLUMNS, sheet="分录", stop_at_totals=True))
    assert [e.row for e in entries] == [2, 3, 4, 5, 6]
    assert [e["account"] for e in entries] == [
        "pool:special",
        "funder:city",
        "funder:region",
        "deposit:ICBC",
        "pool:special",
    ]
    assert sum((e["debit"] or D(0) for e in entries), D(0)) == D("31234567.99")
    assert {e["business_date"] for e in entries} == {date(2024, 6, 3), date(2024, 6, 20)}  # the reversal is in July
    summary = {
        r["label"]: r["value"]
        for r in read_table(
            data, columns=[Column("label", "项目", blank=True), Column("value", "数值", blank=True)], sheet="概要"
        )
    }
    assert summary["凭证数"] == "2" and summary["分录数"] == "5" and summary["借方合计"] == "31234567.99"


def test_the_whole_journal_includes_the_reversal(staff, ledger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(kind="ledger_journal", params={}, owner=staff)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows_done == 8 + 5 + 7  # summary, signature block, entries
    entries = list(read_table(job.file.path, columns=JOURNAL_COLUMNS, sheet="分录", stop_at_totals=True))
    assert len(entries) == 7
    reversal = [e for e in entries if e["kind"] == "deposit_reversal"]
    assert len(reversal) == 2 and all(e["reverses"] for e in reversal)


def test_running_a_job_twice_does_nothing_the_second_time(staff, ledger):
    job = start(kind="ledger_journal", params={}, owner=staff)  # no commit callbacks: still queued
    assert export_job_run(job_id=job.pk).status == ExportJob.Status.DONE
    assert export_job_run(job_id=job.pk) is None


def test_a_job_left_running_by_a_dead_worker_is_claimed_again_after_the_time_limit(staff, ledger):
    job = start(kind="ledger_journal", params={}, owner=staff)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=now)
    assert export_job_run(job_id=job.pk, now=now + timedelta(minutes=5)) is None
    assert export_job_run(job_id=job.pk, now=now + timedelta(minutes=31)).status == ExportJob.Status.DONE


def test_bad_params_unknown_kinds_and_bank_owners_are_refused(staff, db):
    with pytest.raises(RuleViolation) as info:
        start(kind="ledger_journal", params={"date_from": "2024/06/01"}, owner=staff)
    assert info.value.code == "validation_error" and info.value.status == 400
    with pytest.raises(RuleViolation, match="unknown parameters"):
        start(kind="ledger_journal", params={"bank": "x"}, owner=staff)
    with pytest.raises(RuleViolation) as info:
        start(kind="no_such_export", params={}, owner=staff)
    assert info.value.code == "export_kind_unknown"
    with pytest.raises(RuleViolation) as info:
        start(kind="ledger_journal", params={}, owner="5f0c6a8e-0000-4000-8000-000000000001")
    assert info.value.code == "export_not_for_banks" and info.value.status == 403
    assert not ExportJob.objects.exists()


@pytest.fixture
def bank_kinds():
    def failing(job):
        raise RuleViolation("statement_not_ready", "", "本月尚未结账 / the month is not closed")

    def bank_rows(job):
        rows = [{"bank": job.owner_bank, "amount": D("0.10")}, {"bank": job.owner_bank, "amount": D("0.20")}]
        return [
            Sheet("s", [Column("bank", "银行"), Column("amount", "金额", "money")], iter(rows), totals=True, count=2)
        ]

    registry.register("test_failing", label="测试失败", banks=True)(failing)
    registry.register("test_bank", label="测试银行报表", banks=True)(bank_rows)
    yield
    registry.unregister("test_failing")
    registry.unregister("test_bank")


def test_a_bank_owned_job_is_scoped_to_the_bank(db, bank_kinds, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(kind="test_bank", params={}, owner="bank-42")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.owner_bank == "bank-42" and job.owner_user is None
    rows = dict(read_rows(job.file.path))
    assert rows[2][1].value == "bank-42" and rows[4][2].value == "0.30"
    assert job.filename.startswith("测试银行报表-")


def test_a_failing_build_marks_the_job_failed_with_its_message(db, bank_kinds, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(kind="test_failing", params={}, owner="bank-42")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "本月尚未结账 / the month is not closed"
    assert not job.file and not job.is_downloadable(timezone.now())


def test_purge_removes_expired_jobs_and_their_files(staff, ledger, media):
    now = timezone.now()
    old = start(kind="ledger_journal", params={}, owner=staff, now=now - timedelta(days=8))
    fresh = start(kind="ledger_journal", params={}, owner=staff, now=now - timedelta(days=1))
    export_job_run(job_id=old.pk, now=now - timedelta(days=8))
    export_job_run(job_id=fresh.pk, now=now - timedelta(days=1))
    old.refresh_from_db()
    fresh.refresh_from_db()
    old_path, fresh_path = old.file.path, fresh.file.path
    assert not old.is_downloadable(now) and fresh.is_downloadable(now)

    assert export_jobs_purge_expired(now=now) == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not (media / old.file.name).exists() and not os.path.exists(old_path)
    assert os.path.exists(fresh_path)
    assert export_jobs_purge_expired(now=now) == 0


def test_an_expired_job_is_not_run(staff, ledger):
    now = timezone.now()
    job = start(kind="ledger_journal", params={}, owner=staff, now=now - timedelta(days=8))
    assert export_job_run(job_id=job.pk, now=now) is None


def test_admin_lists_jobs_with_progress_and_downloads_done_unexpired_ones(client, staff, ledger):
    job = start(kind="ledger_journal", params={}, owner=staff)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    queued = start(kind="ledger_journal", params={}, owner=staff)
    client.force_login(staff)

    page = client.get(reverse("admin:exports_exportjob_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "总账分录流水" in html and '<progress max="100" value="100">' in html
    download = reverse("admin:exports_exportjob_download", args=[job.pk])
    assert download in html
    assert reverse("admin:exports_exportjob_download", args=[queued.pk]) not in html

    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"PK\x03\x04"
    assert "filename*=utf-8''" in response["Content-Disposition"]

    assert client.get(reverse("admin:exports_exportjob_download", args=[queued.pk])).status_code == 404
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(download).status_code == 404


def test_admin_download_needs_a_staff_login(client, staff, ledger):
    job = start(kind="ledger_journal", params={}, owner=staff)
    export_job_run(job_id=job.pk)
    response = client.get(reverse("admin:exports_exportjob_download", args=[job.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
