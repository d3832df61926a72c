"""Starting, running and purging export jobs.

``export_job_start`` records the job and queues ``tasks.export_job_run`` once the surrounding
transaction commits. ``export_job_run`` claims the job (queued → running, so running it twice does
nothing; a job left running past the Celery time limit by a dead worker may be claimed again), builds the
kind's sheets, streams them into a temporary file, stores the file and marks the job done, updating the
progress (rows written / rows expected) as it goes. A failure marks the job failed with its message.
The build reads outside a database transaction so that the progress is visible while it runs.
"""

import json
import logging
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from riskfund.celery import app
from riskfund.errors import RuleViolation

from .models import ExportJob
from .registry import export_kind
from .xlsx import write_workbook

logger = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(days=7)

RUN_TASK = "riskfund.exports.tasks.export_job_run"


def export_ttl() -> timedelta:
    days = getattr(settings, "RISKFUND_EXPORT_TTL_DAYS", None)
    return timedelta(days=days) if days is not None else DEFAULT_TTL


def export_job_start(
    *, kind: str, params: dict | None = None, owner: AbstractBaseUser | str | uuid.UUID, now: datetime | None = None
) -> ExportJob:
    """Record an export for ``owner`` (a staff user, or a bank's id) and queue it after commit.

    The same export is not started twice: while a job of this kind with these parameters for this bank (or, for
    staff, for anyone: the list is shared) is queued or running and not expired, that job is returned instead of a
    new one. The check and the insert are serialized per (kind, bank, parameters): a transaction-scoped advisory lock on
    PostgreSQL, SQLite's write lock taken at BEGIN (IMMEDIATE transactions) elsewhere."""
    spec = export_kind(kind)
    now = now or timezone.now()
    if isinstance(owner, str | uuid.UUID):
        if not spec.banks:
            raise RuleViolation(
                "export_not_for_banks", "", f"银行不能导出此报表 / banks may not export {kind}", status=403
            )
        if not str(owner):
            raise ValueError("a bank owner needs the bank's id")
        owner_fields = {"owner_bank": str(owner)}
    else:
        if owner is None or owner.pk is None:
            raise ValueError("an export belongs to a saved user or to a bank id")
        owner_fields = {"owner_user": owner}
    params = spec.clean_params(params)
    with transaction.atomic():
        _lock_pending(kind, owner_fields.get("owner_bank", ""), params)
        pending = ExportJob.objects.filter(
            kind=kind,
            owner_bank=owner_fields.get("owner_bank", ""),
            status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
            expires_at__gt=now,
        )
        for job in pending.order_by("created_at"):
            if job.params == params:
                return job
        job = ExportJob.objects.create(
            kind=kind, params=params, created_at=now, expires_at=now + export_ttl(), **owner_fields
        )

    def queue() -> None:
        # by the task's name: tasks.py imports this module, never the reverse (exports/apps.py registers the task)
        app.signature(RUN_TASK, args=[str(job.pk)]).delay()

    transaction.on_commit(queue)
    return job


def _lock_pending(kind: str, bank: str, params: dict) -> None:
    if connection.vendor == "postgresql":
        key = json.dumps([kind, bank, params], sort_keys=True, default=str)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def export_job_run(*, job_id: str | uuid.UUID, now: datetime | None = None) -> ExportJob | None:
    """Build the job's workbook; return the job, or ``None`` when it is not this run's to do."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 30 * 60))
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(status=ExportJob.Status.RUNNING, started_at__lt=stale)
    claimed = ExportJob.objects.filter(claimable, pk=job_id, expires_at__gt=now).update(
        status=ExportJob.Status.RUNNING, started_at=now, progress=0, rows_done=0, error=""
    )
    if not claimed:
        return None
    job = ExportJob.objects.get(pk=job_id)
    spec = export_kind(job.kind)
    last = {"percent": -1}

    def progress(done: int, total: int | None) -> None:
        percent = min(99, done * 100 // total) if total else 0
        if percent != last["percent"]:
            last["percent"] = percent
            ExportJob.objects.filter(pk=job.pk).update(progress=percent, rows_done=done)

    try:
        sheets = list(spec.build(job))
        total = sum(s.count or 0 for s in sheets) if all(s.count is not None for s in sheets) else None
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        with tempfile.TemporaryDirectory(prefix="riskfund-export-") as tmp:
            path = Path(tmp) / "export.xlsx"
            results = write_workbook(sheets, path, progress=progress, total_rows=total)
            download_name = spec.download_name(job)
            stored_name = get_valid_filename(f"{job.kind}-{job.pk.hex[:8]}.xlsx")
            with path.open("rb") as fh:
                job.file.save(stored_name, File(fh), save=False)
        job.filename = download_name
        job.status = ExportJob.Status.DONE
        job.progress = 100
        job.rows_done = sum(r.rows for r in results)
        job.rows_total = total if total is not None else job.rows_done
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "status", "progress", "rows_done", "rows_total", "finished_at"])
    except Exception as exc:
        logger.exception("export job %s (%s) failed", job.pk, job.kind)
        message = exc.message if isinstance(exc, RuleViolation) else f"{type(exc).__name__}: {exc}"
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=message[:4000], finished_at=timezone.now()
        )
        if job.file:
            job.file.delete(save=False)
    job.refresh_from_db()
    return job


def export_job_delete(*, job: ExportJob) -> None:
    """Delete the job and its file."""
    if job.file:
        job.file.delete(save=False)
    job.delete()


def export_jobs_purge_expired(*, now: datetime) -> int:
    """Delete every job whose ``expires_at`` is not after ``now``, with its file; return how many."""
    count = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).iterator():
        export_job_delete(job=job)
        count += 1
    return count
