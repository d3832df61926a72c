"""The same pending export is not started twice (issue 13): one job per kind, bank (for staff: the shared list) and
parameters while it is queued or running; a finished, failed or expired one does not count."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from riskfund.exports.models import ExportJob
from riskfund.exports.services import export_job_run, export_job_start

JUNE = {"date_from": "2024-06-01", "date_to": "2024-06-30"}
JULY = {"date_from": "2024-07-01", "date_to": "2024-07-31"}


@pytest.fixture
def people(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    User = get_user_model()
    return (
        User.objects.create_user("maker", password="x", is_staff=True),
        User.objects.create_user("other", password="x", is_staff=True),
    )


def test_six_clicks_start_one_job(people):
    maker, other = people
    jobs = {export_job_start(kind="ledger_journal", params=JUNE, owner=maker).pk for _ in range(6)}
    jobs.add(export_job_start(kind="ledger_journal", params=dict(JUNE), owner=other).pk)  # the list is shared
    assert len(jobs) == 1 and ExportJob.objects.count() == 1


def test_another_period_or_kind_is_another_job(people):
    maker, _ = people
    june = export_job_start(kind="ledger_journal", params=JUNE, owner=maker)
    july = export_job_start(kind="ledger_journal", params=JULY, owner=maker)
    assert june.pk != july.pk and ExportJob.objects.count() == 2


def test_a_finished_or_expired_job_does_not_hold_the_next_one(people):
    maker, _ = people
    first = export_job_start(kind="ledger_journal", params=JUNE, owner=maker)
    export_job_run(job_id=first.pk)
    assert ExportJob.objects.get(pk=first.pk).status == ExportJob.Status.DONE
    second = export_job_start(kind="ledger_journal", params=JUNE, owner=maker)
    assert second.pk != first.pk
    ExportJob.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    third = export_job_start(kind="ledger_journal", params=JUNE, owner=maker)
    assert third.pk not in {first.pk, second.pk}
