"""Celery tasks of the exports: thin, take ids, safe to run twice (a job is claimed before it runs).

``export_jobs_purge_expired`` is meant for Celery beat (daily).
"""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="riskfund.exports.tasks.export_job_run", ignore_result=True)
def export_job_run(job_id: str) -> None:
    services.export_job_run(job_id=job_id)


@shared_task(name="riskfund.exports.tasks.export_jobs_purge_expired", ignore_result=True)
def export_jobs_purge_expired() -> int:
    return services.export_jobs_purge_expired(now=timezone.now())
