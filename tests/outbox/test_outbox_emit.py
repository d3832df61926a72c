"""Outbox events are written in their cause's transaction and queued for delivery only when it commits."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction

from riskfund.outbox import services
from riskfund.outbox.models import EventState, EventType, OutboxEvent
from riskfund.outbox.services import DELIVER_TASK, json_safe, outbox_emit, outbox_emit_to_active_banks

NOW = dt.datetime(2025, 6, 3, 9, 30, tzinfo=dt.UTC)


class Boom(Exception):
    pass


def test_event_of_a_rolled_back_transaction_is_not_written_nor_queued(make_bank, django_capture_on_commit_callbacks):
    bank = make_bank("BOC")
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Boom), transaction.atomic():
        outbox_emit(bank=bank, type=EventType.POOL_SUSPENDED, data={"ratio": Decimal("0.2031")})
        raise Boom
    assert callbacks == []
    assert not OutboxEvent.objects.exists()


def test_event_of_a_committed_transaction_is_queued_by_task_name(make_bank, django_capture_on_commit_callbacks):
    bank = make_bank("BOC")
    with (
        mock.patch.object(services, "outbox_delivery_queue") as queue,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        event = outbox_emit(bank=bank, type=EventType.TOPUP_APPROVED, data={"amount": Decimal("250000.00")})
        queue.assert_not_called()
    assert len(callbacks) == 1
    queue.assert_called_once_with(event_id=event.id)
    stored = OutboxEvent.objects.get()
    assert stored.state == EventState.PENDING
    assert stored.data == {"amount": "250000.00"}


def test_committed_event_runs_the_named_delivery_task_eagerly(make_bank, django_capture_on_commit_callbacks):
    bank = make_bank("BOC")  # no webhook endpoint: the task runs and finds nothing to send
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = outbox_emit(bank=bank, type=EventType.POOL_RESUMED, data={}, now=NOW)
    assert services._delivery_task().name == DELIVER_TASK
    event.refresh_from_db()
    assert event.state == EventState.SKIPPED
    assert event.next_attempt_at is None


def test_new_event_is_pending_and_due_at_once(make_bank):
    bank = make_bank("BOC")
    event = outbox_emit(
        bank=bank,
        type=EventType.LOAN_MATURITY_REMINDER,
        data={"loan": "5a4c…", "maturity_on": dt.date(2025, 8, 1), "outstanding_principal": Decimal("800000.00")},
        now=NOW,
    )
    event.refresh_from_db()
    assert (event.state, event.attempts, event.created, event.next_attempt_at) == ("pending", 0, NOW, NOW)
    assert event.data == {"loan": "5a4c…", "maturity_on": "2025-08-01", "outstanding_principal": "800000.00"}


def test_every_bank_with_an_active_agreement_gets_its_own_event(make_bank, django_capture_on_commit_callbacks):
    active_a, active_c = make_bank("A"), make_bank("C")
    make_bank("B", agreement="ending")
    make_bank("D", agreement=None)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        events = outbox_emit_to_active_banks(type=EventType.POOL_SUSPENDED, data={"ratio": "0.2100"}, now=NOW)
    assert [e.bank_id for e in events] == [active_a.id, active_c.id]
    assert len({e.id for e in events}) == 2
    assert OutboxEvent.objects.filter(type="pool.suspended").count() == 2
    assert len(callbacks) == 1  # one hook queues both deliveries


def test_emitting_outside_a_transaction_is_a_programming_error(make_bank):
    bank = make_bank("BOC")
    with mock.patch.object(transaction.get_connection(), "in_atomic_block", False), pytest.raises(RuntimeError):
        outbox_emit(bank=bank, type=EventType.POOL_SUSPENDED, data={})


def test_unknown_type_is_refused(make_bank):
    with pytest.raises(ValueError, match="unknown outbox event type"):
        outbox_emit(bank=make_bank("BOC"), type="loan.registered", data={})
    assert not OutboxEvent.objects.exists()


def test_data_is_made_json_safe_and_floats_are_refused():
    assert json_safe({"amount": Decimal("1.50"), "on": dt.date(2025, 1, 2), "items": (1, None, True)}) == {
        "amount": "1.50",
        "on": "2025-01-02",
        "items": [1, None, True],
    }
    with pytest.raises(TypeError, match="floats"):
        json_safe({"amount": 1.5})
    with pytest.raises(TypeError):
        json_safe({"amount": Decimal("NaN")})


def test_the_webhook_sweep_runs_every_minute_from_beat(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="banks.tasks.deliver_due_webhooks")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "minutes")
