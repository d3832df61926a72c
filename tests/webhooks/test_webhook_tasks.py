"""The Celery tasks (run eagerly here): thin, safe to run twice, and a sweep that picks up due retries."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from banks.tasks import deliver_due_webhooks, deliver_webhook
from banks.webhooks import webhook_endpoint_register
from riskfund.outbox.models import EventState, EventType, OutboxEvent
from riskfund.outbox.services import outbox_emit

PAST = dt.datetime(2025, 6, 3, 9, 30, tzinfo=dt.UTC)


def _emit(bank, **kwargs):
    with transaction.atomic():
        return outbox_emit(bank=bank, type=EventType.RECOMMENDATION_ISSUED, data={"form_no": "BT-2025-0042"}, **kwargs)


def test_running_the_delivery_task_twice_sends_once(make_bank, receiver, loopback_allowed):
    bank = make_bank("BOC")
    webhook_endpoint_register(bank=bank, url=receiver.url)
    event = _emit(bank, now=PAST)
    deliver_webhook.delay(str(event.id))
    deliver_webhook.delay(str(event.id))
    assert len(receiver.requests) == 1
    event.refresh_from_db()
    assert event.state == EventState.DELIVERED


def test_sweep_sends_due_events_and_leaves_the_others(make_bank, receiver, loopback_allowed):
    bank = make_bank("BOC")
    webhook_endpoint_register(bank=bank, url=receiver.url)
    due = _emit(bank, now=PAST)
    waiting = _emit(bank, now=PAST)
    OutboxEvent.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    done = _emit(bank, now=PAST)
    OutboxEvent.objects.filter(pk=done.pk).update(state=EventState.DELIVERED, delivered_at=PAST, next_attempt_at=None)

    assert deliver_due_webhooks.delay().get() == 1

    states = dict(OutboxEvent.objects.values_list("pk", "state"))
    assert states == {due.pk: "delivered", waiting.pk: "pending", done.pk: "delivered"}
    assert len(receiver.requests) == 1
    assert deliver_due_webhooks.delay().get() == 0


def test_tasks_are_registered_under_their_documented_names():
    assert deliver_webhook.name == "banks.tasks.deliver_webhook"
    assert deliver_due_webhooks.name == "banks.tasks.deliver_due_webhooks"
