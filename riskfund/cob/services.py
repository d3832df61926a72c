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

Lock order: ``CobRun``, then whatever a step locks (``PoolState`` in the threshold re-check and at the end).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.outlook.tasks import forecast_after_run_queue
from riskfund.pool.services import pool_state_lock

from . import steps
from .models import CobRun, CobStep, RunStatus, Step

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


def _execute(run: CobRun) -> CobRun:
    """Do the steps not yet done, each in its own transaction with its ``CobStep`` row; then mark the run done."""
    for name in Step.values:
        with transaction.atomic():
            locked = CobRun.objects.select_for_update().get(pk=run.pk)
            if locked.status == RunStatus.DONE:
                return locked
            if CobStep.objects.filter(run=locked, name=name).exists():
                continue
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


def cob_run(*, business_date: date, today: date | None = None) -> CobRun:
    """Run (or resume) the daily close of business for ``business_date``; returns its ``CobRun``."""
    today = today or timezone.localdate(timezone=SHANGHAI)
    not_in_future(business_date, "business_date", today)
    existing = CobRun.objects.filter(business_date=business_date).first()
    if existing is not None and existing.status == RunStatus.DONE:
        return existing
    for earlier in CobRun.objects.filter(status=RunStatus.RUNNING, business_date__lt=business_date).order_by(
        "business_date"
    ):
        _resume(earlier)
    if existing is None:
        latest = CobRun.objects.order_by("-business_date").values_list("business_date", flat=True).first()
        if latest is not None and latest > business_date:
            raise RuleViolation(
                "cob_date_before_last_run",
                "",
                f"the daily job already ran for {latest}; running {business_date} would roll loan status back",
            )
        return _execute(_start(business_date))
    return _resume(existing)


def _resume(run: CobRun) -> CobRun:
    CobRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(attempts=F("attempts") + 1)
    return _execute(run)
