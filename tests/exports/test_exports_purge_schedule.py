"""Files expire: the beat schedule runs ``export_jobs_purge_expired`` every day at 01:30 in Baotou, and the task
deletes the expired jobs with their files and keeps the others."""

import os
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from riskfund.celery import app
from riskfund.exports.models import ExportJob
from riskfund.exports.services import export_job_run, export_job_start
from riskfund.exports.tasks import export_jobs_purge_expired
from riskfund.ledger.models import Side
from riskfund.ledger.services import account_open, transaction_post

TASK = "riskfund.exports.tasks.export_jobs_purge_expired"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_purge_is_scheduled_daily_at_01_30_shanghai(db):
    task = PeriodicTask.objects.select_related("crontab").get(name="riskfund purge expired exports")
    assert (task.task, task.enabled, task.one_off, task.interval) == (TASK, True, False, None)
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == (
        "30",
        "1",
        "*",
        "*",
        "*",
    )
    assert str(crontab.timezone) == "Asia/Shanghai"
    assert TASK in app.tasks  # the scheduled name is a registered task


def test_the_task_deletes_expired_jobs_and_their_files_only(db):
    account_open(code="pool:special", name="资金池专户", normal_side=Side.DEBIT)
    account_open(code="funder:city", name="包头市", normal_side=Side.CREDIT)
    transaction_post(
        kind="injection",
        business_date=date(2024, 6, 3),
        debits=[("pool:special", "1000.00")],
        credits=[("funder:city", "1000.00")],
    )
    staff = get_user_model().objects.create_superuser("root", "root@riskfund.invalid", "x")
    now = timezone.now()
    old = export_job_start(kind="ledger_journal", params={}, owner=staff, now=now - timedelta(days=8))
    fresh = export_job_start(kind="ledger_journal", params={}, owner=staff, now=now)
    for job in (old, fresh):
        export_job_run(job_id=job.pk, now=job.created_at)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE, job.error
    old_path = old.file.path
    assert old.expires_at < now < fresh.expires_at

    assert export_jobs_purge_expired.apply().get() == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not os.path.exists(old_path)
    assert fresh.file.storage.exists(fresh.file.name)
