"""Importing a book: upload → validate (a dry run through the services) → preview → commit, all or nothing.

``import_create`` checks the file is a readable .xlsx within the import's limits (else ``UploadRejected``, 400,
nothing written), stores it as an ``ImportRun`` and queues ``import_process`` after commit. Processing reads
every sheet (``reader``), turns rows into dated facts (``facts``), finds what they refer to and what riskfund
already has (``resolve``), then replays the facts in time through the same services the API and the admin call
(``replay``) inside ONE database transaction: a validation rolls it back; a commit keeps it only when no row
was refused; the policy versions and the last closed business date are read once for the run (``run_cache``).
The result — every problem at once, the rows already there, counts per sheet, the pool position
before and after — is stored on the run, with an annotated copy of the workbook when there are problems.

After a commit the daily close of business runs (``cob_run``) for the last date the import touched, when that
date is after the last closed business date and before today: each step of the close computes from the records
as of its date, so one close takes every earlier touched date into account. Earlier dates are not closed one
by one, because a snapshot is made from the running balances (it would file today's position under a past
date) and a close sends banks their maturity reminders (for loans long repaid). Rows dated at or before the
last closed business date are flagged ``backdated`` by the services themselves (SPEC §12), and the next close
takes them into account.

Progress: a replay runs in one transaction, so its progress is written from a side connection (a short thread)
on PostgreSQL; SQLite, which allows one writer, shows the progress when the run ends.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from riskfund.cob.services import cob_run
from riskfund.errors import RuleViolation
from riskfund.exports.upload_archive import UploadRejected, open_workbook
from riskfund.parties.models import Bank
from riskfund.pool.selectors import pool_state
from riskfund.runcache import run_cache

from .annotate import annotated_copy
from .apply import Context
from .facts import plan_book
from .models import ImportRun
from .preview import position
from .reader import import_limits, read_book
from .replay import Outcome, replay
from .resolve import Scope, resolve

logger = logging.getLogger(__name__)
MAX_STORED_PROBLEMS = 10_000
STALE_AFTER = timedelta(hours=4)


def import_create(
    *,
    file: Any,
    filename: str = "",
    source: str,
    user=None,
    bank: Bank | None = None,
    district: str | None = None,
    commit: bool = False,
    today: date | None = None,
    queue: bool = True,
) -> ImportRun:
    """Record an uploaded book and queue its validation (and, with ``commit``, its commit when valid); with
    ``queue=False`` the caller processes it itself (``import_process``: the command line).

    The file must open as an .xlsx within the import limits (``UploadRejected``, 400, otherwise — nothing is
    written). ``user`` imports as staff (a district officer passes its ``district``), ``bank`` with its key.
    """
    limits = import_limits()
    data = _read(file, limits.max_bytes)
    open_workbook(data, limits=limits)
    run = ImportRun(
        source=source,
        owner_user=user,
        owner_bank=str(bank.pk) if bank is not None else "",
        scope_district=district or "",
        filename=(filename or "")[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        business_date=today or timezone.localdate(),
        commit_requested=commit,
    )
    run.file.save(get_valid_filename(f"book-{run.pk.hex[:8]}.xlsx"), ContentFile(data), save=False)
    run.save()

    def process() -> None:
        from .tasks import import_run_process

        import_run_process.delay(str(run.pk))

    if queue:
        transaction.on_commit(process)
    return run


def import_confirm(*, run: ImportRun) -> ImportRun:
    """Confirm a validated run (the preview was seen): queue its commit. Only a ``valid`` run can be confirmed."""
    if not run.may_commit:
        raise RuleViolation(
            "import_not_valid",
            "",
            f"只有校验通过的导入可以确认写入（当前：{run.get_status_display()}） / only a valid run can be committed",
        )

    def queue() -> None:
        from .tasks import import_run_commit

        import_run_commit.delay(str(run.pk))

    transaction.on_commit(queue)
    return run


def import_process(*, run_id, now: datetime | None = None) -> ImportRun | None:
    """Validate a queued run — and commit it in the same pass when asked and valid. None when not this call's."""
    run = _claim(run_id, [ImportRun.Status.QUEUED], ImportRun.Status.VALIDATING, now)
    if run is None:
        return None
    return _run(run, commit=run.commit_requested)


def import_commit(*, run_id, now: datetime | None = None) -> ImportRun | None:
    """Commit a confirmed run: the book is replayed again (riskfund may have moved since the preview) and kept
    only when no row is refused; otherwise the run is ``invalid`` with the new problems and nothing is written."""
    run = _claim(run_id, [ImportRun.Status.VALID], ImportRun.Status.COMMITTING, now)
    if run is None:
        return None
    return _run(run, commit=True)


def import_book(*, file: Any, scope: Scope, user=None, today: date, commit: bool, progress=None) -> dict:
    """Validate ``file`` (and keep it when ``commit`` and valid): the result as stored on a run."""
    book = read_book(file)
    plan = plan_book(book)
    with run_cache(), transaction.atomic():
        before = position(today)
        objects = resolve(plan, scope=scope)
        outcome = replay(plan, ctx=Context(objects=objects, today=today, user=user), progress=progress)
        after = position(today)
        kept = commit and not outcome.problems
        if not kept:
            transaction.set_rollback(True)
    return {"book": book, "outcome": outcome, "preview": {"before": before, "after": after}, "committed": kept}


def cob_after_import(*, dates: set[date], today: date) -> list[date]:
    """The daily close for the last touched date, if after the last closed date and before today (module doc)."""
    if not dates:
        return []
    target = min(max(dates), today - timedelta(days=1))
    last = pool_state().last_closed_business_date
    if last is not None and target <= last:
        return []
    cob_run(business_date=target, today=today)
    return [target]


# --- internals ---------------------------------------------------------------------------------------------


def _read(file: Any, max_bytes: int) -> bytes:
    too_large = UploadRejected(
        "upload_too_large", f"文件超过 {max_bytes} 字节 / the file is larger than {max_bytes} bytes"
    )
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise too_large
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


def _claim(run_id, sources: list[str], target: str, now: datetime | None) -> ImportRun | None:
    """Move the run from one of ``sources`` to ``target`` (or take over one left in ``target`` by a dead worker)."""
    now = now or timezone.now()
    stale = now - STALE_AFTER
    claimable = Q(status__in=sources) | Q(status=target, validated_at__lt=stale)
    if not ImportRun.objects.filter(claimable, pk=run_id).update(status=target, progress=0, error="", validated_at=now):
        return None
    return ImportRun.objects.select_related("owner_user").get(pk=run_id)


def _scope(run: ImportRun) -> Scope:
    bank = Bank.objects.filter(pk=run.owner_bank).first() if run.owner_bank else None
    return Scope(district=run.scope_district or None, bank=bank)


def _run(run: ImportRun, *, commit: bool) -> ImportRun:
    try:
        with run.file.open("rb") as handle:
            data = handle.read()
        result = import_book(
            file=data,
            scope=_scope(run),
            user=run.owner_user,
            today=run.business_date,
            commit=commit,
            progress=lambda done, total: _progress(run.pk, done, total),
        )
    except RuleViolation as exc:  # the file could not be read as a book at all
        _finish(run, status=ImportRun.Status.FAILED, error=exc.message)
        return run
    except Exception as exc:
        logger.exception("import run %s failed", run.pk)
        _finish(run, status=ImportRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return run
    outcome: Outcome = result["outcome"]
    problems = [p.as_dict() for p in outcome.problems]
    run.rows_total = result["book"].count
    run.written, run.existing, run.existing_rows = outcome.written, outcome.existing, outcome.existing_rows
    run.skipped, run.problem_count = outcome.skipped, len(problems)
    run.problems, run.preview = problems[:MAX_STORED_PROBLEMS], result["preview"]
    if problems:
        run.annotated.save(
            get_valid_filename(f"book-{run.pk.hex[:8]}-errors.xlsx"),
            ContentFile(annotated_copy(result["book"], outcome.problems)),
            save=False,
        )
    if result["committed"]:
        run.committed_at = timezone.now()
        status = ImportRun.Status.COMMITTED
        try:
            run.cob_dates = [d.isoformat() for d in cob_after_import(dates=outcome.dates, today=run.business_date)]
        except RuleViolation as exc:
            run.error = f"日终处理未运行 / the daily close did not run: {exc.message}"
    else:
        status = ImportRun.Status.INVALID if problems else ImportRun.Status.VALID
    _finish(run, status=status)
    return run


def _finish(run: ImportRun, *, status: str, error: str = "") -> None:
    run.status = status
    run.progress = 100
    run.validated_at = timezone.now()
    if error:
        run.error = error[:4000]
    run.save()


def _progress(run_id, done: int, total: int) -> None:
    """Write the progress outside the replay's transaction (PostgreSQL only: see the module docstring)."""
    if connection.vendor == "sqlite" or not total:
        return
    percent = min(99, done * 100 // total)

    def write() -> None:
        try:
            ImportRun.objects.filter(pk=run_id).update(progress=percent)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    thread.join(timeout=getattr(settings, "RISKFUND_IMPORT_PROGRESS_TIMEOUT", 5))
