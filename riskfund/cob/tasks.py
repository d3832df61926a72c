"""Celery task of the daily close of business: thin, safe to run twice (a done date is returned unchanged,
a died run is resumed). Beat starts it at 00:30 Asia/Shanghai (migration 0002) for the day that just ended."""

from datetime import date

from celery import shared_task

from .services import cob_run, default_business_date


@shared_task(name="riskfund.cob.tasks.run_cob_task")
def run_cob_task(business_date: str | None = None) -> dict:
    """Run the COB for ``business_date`` (ISO 8601), by default yesterday in Asia/Shanghai (SPEC §12)."""
    day = date.fromisoformat(business_date) if business_date else default_business_date()
    run = cob_run(business_date=day)
    return {"business_date": run.business_date.isoformat(), "status": run.status, "run": run.pk}
