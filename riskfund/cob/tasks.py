"""Celery tasks of the daily close of business: thin, safe to run twice (a done date is returned unchanged,
a died run is resumed). Beat starts ``run_cob_task`` at 00:30 Asia/Shanghai (migration 0002) for the day that just
ended; with a broker it spreads the per-loan steps over the workers, one task per loan-id range (a chord), and the
callback does the pool-wide steps once every range is done (riskfund/cob/services.py)."""

from datetime import date

from celery import shared_task
from django.conf import settings

from .models import CobRun
from .services import cob_dispatch, cob_finish, cob_part_run, cob_run, default_business_date
from .sql import Part


@shared_task(name="riskfund.cob.tasks.run_cob_task")
def run_cob_task(business_date: str | None = None) -> dict:
    """Run the COB for ``business_date`` (ISO 8601), by default yesterday in Asia/Shanghai (SPEC §12)."""
    day = date.fromisoformat(business_date) if business_date else default_business_date()
    run = cob_dispatch(business_date=day) if settings.CELERY_BROKER_URL else cob_run(business_date=day)
    return {"business_date": run.business_date.isoformat(), "status": run.status, "run": run.pk}


# a worker killed midway leaves the task unacknowledged: the broker hands the range to another worker, which
# skips the steps the range already committed
@shared_task(name="riskfund.cob.tasks.run_cob_part_task", acks_late=True, reject_on_worker_lost=True)
def run_cob_part_task(run_id: int, index: int, count: int) -> int:
    """The per-loan steps for one loan-id range of the run."""
    cob_part_run(run=CobRun.objects.get(pk=run_id), part=Part(index, count))
    return index


@shared_task(name="riskfund.cob.tasks.finish_cob_task")
def finish_cob_task(run_id: int) -> dict:
    run = cob_finish(run_id=run_id)
    return {"business_date": run.business_date.isoformat(), "status": run.status, "run": run.pk}
