"""Celery tasks of the bank edge: thin, take ids, safe to run twice.

``banks.tasks.deliver_webhook`` is queued by ``riskfund.outbox`` after the event's transaction commits (by
name: the core never imports ``banks``). ``banks.tasks.deliver_due_webhooks`` is meant for Celery beat (every
minute): it queues the attempts that are due — retries after backoff, and any event whose message the broker
lost or whose worker died mid-send.
"""

from celery import shared_task
from django.utils import timezone

from riskfund.outbox.selectors import due_event_ids

from . import webhooks


@shared_task(name="banks.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(event_id: str) -> None:
    """One delivery attempt of one outbox event; an event delivered, failed or not yet due is left alone."""
    webhooks.deliver(event_id)


@shared_task(name="banks.tasks.deliver_due_webhooks", ignore_result=True)
def deliver_due_webhooks(limit: int = 500) -> int:
    """Queue one attempt for every pending event whose next attempt is due; return how many were queued."""
    event_ids = due_event_ids(now=timezone.now(), limit=limit)
    for event_id in event_ids:
        deliver_webhook.delay(str(event_id))
    return len(event_ids)
