"""The API's own housekeeping: idempotency keys are kept 90 days (API.md), then deleted by a daily task that the
API schedules itself (migration 0002) — the daily close of business knows nothing of the API."""

from celery import shared_task

from .idempotency import idempotency_purge


@shared_task(name="riskfund.api.tasks.idempotency_keys_purge", ignore_result=True)
def idempotency_keys_purge() -> int:
    """Delete the idempotency records older than 90 days (wall-clock age, not a business date); safe to run twice."""
    return idempotency_purge()
