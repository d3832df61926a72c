"""Celery tasks of the forecast: thin, safe to run twice (a forecast that exists is returned as it is).

``forecast_after_run_queue`` is the one call the daily close of business makes when a run is done: it queues
``forecast_after_run_task`` when the run's transaction commits.
"""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import transaction

from .models import Scenario
from .services import forecast_compute, forecasts_after_run


@shared_task(name="riskfund.outlook.tasks.forecast_after_run_task")
def forecast_after_run_task(business_date: str) -> list[str]:
    """Every active scenario's forecast for a closed business date (ISO 8601); ids of the forecasts made."""
    return [str(f.pk) for f in forecasts_after_run(business_date=date.fromisoformat(business_date))]


@shared_task(name="riskfund.outlook.tasks.forecast_task")
def forecast_task(scenario_id: int) -> str | None:
    """One scenario's forecast for the latest closed business date (the admin's "run now")."""
    scenario = Scenario.objects.filter(pk=scenario_id).first()
    return None if scenario is None else str(forecast_compute(scenario=scenario).pk)


def forecast_after_run_queue(*, business_date: date) -> None:
    """Queue the forecasts of ``business_date`` once the caller's transaction commits (unless the setting
    ``RISKFUND_FORECAST_AFTER_RUN`` is off)."""
    if not settings.RISKFUND_FORECAST_AFTER_RUN:
        return
    transaction.on_commit(lambda: forecast_after_run_task.delay(business_date.isoformat()), robust=True)


def forecast_queue(*, scenario: Scenario) -> None:
    transaction.on_commit(lambda: forecast_task.delay(scenario.pk), robust=True)
