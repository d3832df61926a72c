"""Celery tasks of the imports: thin, take the run's id, safe to run twice (a run is claimed before it runs).

A big book takes a while: these tasks have their own time limits, above the project's 30 minutes.
"""

from celery import shared_task

from . import services

TIME_LIMIT = 4 * 60 * 60


@shared_task(
    name="riskfund.imports.tasks.import_run_process",
    ignore_result=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=TIME_LIMIT - 300,
)
def import_run_process(run_id: str) -> None:
    services.import_process(run_id=run_id)


@shared_task(
    name="riskfund.imports.tasks.import_run_commit",
    ignore_result=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=TIME_LIMIT - 300,
)
def import_run_commit(run_id: str) -> None:
    services.import_commit(run_id=run_id)
