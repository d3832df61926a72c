"""Running the daily close of business (SPEC §12).

``cob_run(business_date=D)``:

- a date already ``done`` is returned as it is — re-running a date changes nothing;
- a run left ``running`` (its worker died) is resumed: the steps recorded in ``CobStep`` are skipped, the
  interrupted one is done again. Each step's effect and its ``CobStep`` row commit in ONE transaction that
  first locks the ``CobRun`` row, so two workers on the same date serialise and a step is never done twice;
- before a new date, any earlier run left ``running`` is finished first;
- dates run forward: a date after today (Asia/Shanghai) is refused (``date_in_future``), and so is a date
  before the latest run (``cob_date_before_last_run``), which would roll the loans' status back.

When a run is marked done, ``PoolState.last_closed_business_date`` moves forward to its date in the same
transaction (never back): the domain services read it from the row they lock to flag backdated events (SPEC §12).
When that transaction commits, the stop-line forecast of the date is queued (``riskfund.outlook.tasks``).

The per-loan steps (loan status, compensation eligibility, maturity reminders) run by loan-id range
(``RISKFUND_COB_RANGES`` ranges of the uuid space, riskfund/cob/sql.py ``Part``): each range of a step commits with
its ``CobPart`` row, without locking the run, so ranges can run at once; the step's ``CobStep`` follows once every
range is done, and a resumed run redoes only the ranges that did not commit. ``cob_run`` runs the ranges one after
the other in-process; ``cob_dispatch`` (the Celery task, when a broker is configured) sends one task per range as a
chord whose callback runs the pool-wide steps (flags, threshold, snapshot) once every range is done. Either way the
result is the same, row for row: a loan's figures depend on its own rows only.

Lock order: ``CobRun``, then whatever a step locks (``PoolState`` in the threshold re-check and at the end).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.outlook.tasks import forecast_after_run_queue
from riskfund.pool.services import pool_state_lock

from . import steps
from .models import CobPart, CobRun, CobStep, RunStatus, Step
from .sql import Part

LOAN_STEPS = (Step.LOAN_STATUS, Step.COMPENSATION_ELIGIBILITY, Step.MATURITY_REMINDERS)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def default_business_date(now: datetime | None = None) -> date:
    """The day that just ended in Asia/Shanghai: yesterday (SPEC §12; beat starts the run at 00:30)."""
    return timezone.localdate(now or timezone.now(), timezone=SHANGHAI) - timedelta(days=1)


def _step_function(name: str):
    """Looked up at call time, so a test can make one step fail."""
    return getattr(steps, f"step_{name}")


def _start(business_date: date) -> CobRun:
    try:
        with transaction.atomic():
            return CobRun.objects.create(business_date=business_date)
    except IntegrityError:
        return CobRun.objects.get(business_date=business_date)


def cob_parts() -> list[Part]:
    count = max(1, settings.RISKFUND_COB_RANGES)
    return [Part(index, count) for index in range(count)]


def cob_part_run(*, run: CobRun, part: Part, names: tuple[str, ...] = LOAN_STEPS) -> None:
    """The per-loan steps ``names`` for the loans of ``part``, in order, each in its own transaction with its
    ``CobPart`` row; a step whose range (or whole step) is already done is skipped. Two workers doing the same range
    at once: the second's unique ``CobPart`` row fails and its transaction rolls back, the first's result stands."""
    for name in names:
        if CobStep.objects.filter(run=run, name=name).exists():
            continue
        if CobPart.objects.filter(run=run, name=name, part=part.label).exists():
            continue
        try:
            with transaction.atomic():
                rows = _step_function(name)(run.business_date, part)
                CobPart.objects.create(run=run, name=name, part=part.label, rows=rows, done_at=timezone.now())
        except IntegrityError:
            if not CobPart.objects.filter(run=run, name=name, part=part.label).exists():
                raise


def _execute(run: CobRun) -> CobRun:
    """Do the steps not yet done, each in its own transaction with its ``CobStep`` row (a per-loan step: its ranges
    first, each in its own, then the ``CobStep`` with their rows); then mark the run done."""
    parts = cob_parts()
    for name in Step.values:
        if name in LOAN_STEPS:
            for part in parts:
                cob_part_run(run=run, part=part, names=(name,))
        with transaction.atomic():
            locked = CobRun.objects.select_for_update().get(pk=run.pk)
            if locked.status == RunStatus.DONE:
                return locked
            if CobStep.objects.filter(run=locked, name=name).exists():
                continue
            if name in LOAN_STEPS:
                done = CobPart.objects.filter(run=locked, name=name, part__in=[p.label for p in parts])
                rows = sum(done.values_list("rows", flat=True))
            else:
                rows = _step_function(name)(locked.business_date)
            CobStep.objects.create(run=locked, name=name, rows=rows, done_at=timezone.now())
    with transaction.atomic():
        locked = CobRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.DONE:
            locked.status = RunStatus.DONE
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "finished_at"])
            state = pool_state_lock()
            if state.last_closed_business_date is None or state.last_closed_business_date < locked.business_date:
                state.last_closed_business_date = locked.business_date
                state.save(update_fields=["last_closed_business_date", "updated_at"])
            forecast_after_run_queue(business_date=locked.business_date)  # the stop-line forecast, after commit
    return locked


def cob_check_runnable(*, business_date: date, today: date | None = None) -> None:
    """Refuse what ``cob_run`` would refuse before doing anything (SPEC §12): a date after today
    (``date_in_future``), or a date with no run of its own before the latest run (``cob_date_before_last_run``).
    The API calls it before queueing the run, because a refusal inside the worker would reach no one."""
    today = today or timezone.localdate(timezone=SHANGHAI)
    not_in_future(business_date, "business_date", today)
    if CobRun.objects.filter(business_date=business_date).exists():
        return  # done → nothing changes; running → resumed
    latest = CobRun.objects.order_by("-business_date").values_list("business_date", flat=True).first()
    if latest is not None and latest > business_date:
        raise RuleViolation(
            "cob_date_before_last_run",
            "",
            _("The daily job already ran for %(latest)s; running %(date)s would roll loan status back.")
            % {"latest": latest.isoformat(), "date": business_date.isoformat()},
        )


def _open(business_date: date, today: date | None) -> CobRun:
    """The run of ``business_date`` to do: a done one as it is, a died one counted as a new attempt, else a new one
    (after finishing any earlier run left running); refusals as ``cob_check_runnable`` says."""
    cob_check_runnable(business_date=business_date, today=today)
    existing = CobRun.objects.filter(business_date=business_date).first()
    if existing is not None and existing.status == RunStatus.DONE:
        return existing
    for earlier in CobRun.objects.filter(status=RunStatus.RUNNING, business_date__lt=business_date).order_by(
        "business_date"
    ):
        _resume(earlier)
    if existing is None:
        return _start(business_date)
    CobRun.objects.filter(pk=existing.pk, status=RunStatus.RUNNING).update(attempts=F("attempts") + 1)
    return existing


def cob_run(*, business_date: date, today: date | None = None) -> CobRun:
    """Run (or resume) the daily close of business for ``business_date`` in-process; returns its ``CobRun``."""
    run = _open(business_date, today)
    return run if run.status == RunStatus.DONE else _execute(run)


def cob_dispatch(*, business_date: date, today: date | None = None) -> CobRun:
    """Run (or resume) it over Celery workers: one task per loan-id range not yet done, as a chord whose callback
    (``cob_finish``) does the rest of the run. Returns the run (``running`` until the callback is done)."""
    from celery import chord

    from .tasks import finish_cob_task, run_cob_part_task

    run = _open(business_date, today)
    if run.status == RunStatus.DONE:
        return run
    parts = [p for p in cob_parts() if not _part_done(run, p)]
    if not parts:
        return cob_finish(run_id=run.pk)
    chord(run_cob_part_task.si(run.pk, p.index, p.count) for p in parts)(finish_cob_task.si(run.pk))
    run.refresh_from_db()  # done already when the tasks run eagerly
    return run


def _part_done(run: CobRun, part: Part) -> bool:
    done = set(CobPart.objects.filter(run=run, part=part.label).values_list("name", flat=True))
    done |= set(CobStep.objects.filter(run=run).values_list("name", flat=True))
    return done.issuperset(LOAN_STEPS)


def cob_finish(*, run_id: int) -> CobRun:
    """The chord's callback: the per-loan steps' records (a range still missing is done here), then every other step."""
    return _execute(CobRun.objects.get(pk=run_id))


def _resume(run: CobRun) -> CobRun:
    CobRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(attempts=F("attempts") + 1)
    return _execute(run)
