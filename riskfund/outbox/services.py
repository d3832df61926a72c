"""Writing outbox events and queuing their delivery after commit.

How delivery is reached without importing ``banks`` (dependencies point banks → riskfund, never back):
the outbox queues the Celery task by its NAME, ``DELIVER_TASK``, which is the message contract between
producer and consumer. A worker always has the task (it autodiscovers every app's ``tasks`` module). In a
web process, or with eager Celery (no broker: ``make demo``, tests), the task must be registered locally so
that ``apply_async`` honours ``task_always_eager``; when it is not yet, the outbox asks the Celery loader to
run task autodiscovery once (``import_default_modules``), which imports ``banks.tasks`` the same way a
worker does. If the task is still unknown the message is sent by name to the broker (``send_task``).
A registry that ``banks`` fills at app ready would also work, but adds a second wiring path next to
Celery's own; the task name is already the stable contract and is what the beat schedule uses too.

Queuing runs in ``transaction.on_commit(robust=True)``: an event of a rolled-back transaction is never
written nor queued, and a broker that is down after commit only logs the error — the event stays
``pending`` and the sweep ``banks.tasks.deliver_due_webhooks`` sends it.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import EventState, EventType, OutboxEvent

DELIVER_TASK = "banks.tasks.deliver_webhook"
# A bulk emission (``outbox_emit_rows``, ``outbox_emit_selected``) of at most this many events queues their
# deliveries after commit; a larger batch (the first daily run over a migrated portfolio) is left ``pending`` for
# the outbox sweep ``banks.tasks.deliver_due_webhooks``.
QUEUE_LIMIT = 1000
BULK_BATCH = 500
EMIT_SELECTED_SQL = """
INSERT INTO outbox_outboxevent (id, bank_id, type, created, data, state, attempts, next_attempt_at)
SELECT gen_random_uuid(), e.bank_id, %(outbox_type)s, %(outbox_created)s, e.data, %(outbox_state)s, 0,
       %(outbox_created)s
FROM ({select}) AS e
RETURNING id
"""


def json_safe(value: Any) -> Any:
    """``value`` with Decimals as strings, dates and datetimes ISO 8601, UUIDs as strings.

    Floats are refused: amounts travel as decimal strings (API.md Conventions), never as binary floats.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError("outbox data must not contain floats: pass amounts and ratios as Decimal or str")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"outbox data must not contain {value}")
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    raise TypeError(f"outbox data cannot carry a {type(value).__name__}")


def _delivery_task():
    from riskfund.celery import app

    task = app.tasks.get(DELIVER_TASK)
    if task is None:
        app.loader.import_default_modules()
        task = app.tasks.get(DELIVER_TASK)
    return task


def outbox_delivery_queue(*, event_id: uuid.UUID | str) -> None:
    """Queue one delivery attempt of an event now (used after commit, and by the admin to resend)."""
    task = _delivery_task()
    if task is not None:
        task.apply_async(args=[str(event_id)])
    else:
        from riskfund.celery import app

        app.send_task(DELIVER_TASK, args=[str(event_id)])


def _queue_after_commit(event_ids: list[uuid.UUID]) -> None:
    def queue_outbox_deliveries() -> None:
        for event_id in event_ids:
            outbox_delivery_queue(event_id=event_id)

    transaction.on_commit(queue_outbox_deliveries, robust=True)


def _require_transaction_and_type(type: str) -> None:
    """What every writer of outbox rows checks: it runs inside its cause's transaction, with a known event type."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox events must be emitted inside the database transaction of their cause")
    if type not in EventType.values:
        raise ValueError(f"unknown outbox event type {type!r}")


def outbox_emit(*, bank, type: str, data: Mapping[str, Any], now: dt.datetime | None = None) -> OutboxEvent:
    """Write one event for ``bank``; its delivery is queued when the surrounding transaction commits.

    Must be called inside the cause's transaction (``transaction.atomic``): the event and its cause are
    committed or rolled back together.
    """
    _require_transaction_and_type(type)
    created = now or timezone.now()
    event = OutboxEvent.objects.create(
        bank=bank, type=type, data=json_safe(data), created=created, next_attempt_at=created
    )
    _queue_after_commit([event.id])
    return event


def outbox_emit_to_active_banks(
    *, type: str, data: Mapping[str, Any], now: dt.datetime | None = None
) -> list[OutboxEvent]:
    """Write one event for every bank with an active agreement (SPEC §5: suspension notifies every active bank)."""
    from riskfund.parties.models import AgreementStatus, Bank

    banks = Bank.objects.filter(agreements__status=AgreementStatus.ACTIVE).distinct().order_by("code")
    return outbox_emit_many(banks=banks, type=type, data=data, now=now)


def outbox_emit_many(
    *, banks: Iterable, type: str, data: Mapping[str, Any], now: dt.datetime | None = None
) -> list[OutboxEvent]:
    """Write the same event (each with its own id) for several banks, queued together after commit."""
    _require_transaction_and_type(type)
    created = now or timezone.now()
    payload = json_safe(data)
    events = OutboxEvent.objects.bulk_create(
        [OutboxEvent(bank=bank, type=type, data=payload, created=created, next_attempt_at=created) for bank in banks]
    )
    if events:
        _queue_after_commit([e.id for e in events])
    return events


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _queue_bulk_after_commit(event_ids: list) -> None:
    if event_ids and len(event_ids) <= QUEUE_LIMIT:
        _queue_after_commit(event_ids)


def outbox_emit_rows(
    *, type: str, rows: Iterable[tuple[Any, Mapping[str, Any]]], now: dt.datetime | None = None
) -> list:
    """Write one event per ``(bank_id, data)`` row, in bulk and in the caller's transaction; returns their ids.

    ``rows`` may be a generator: it is consumed in batches of ``BULK_BATCH``. Deliveries are queued after commit
    when the batch is at most ``QUEUE_LIMIT`` events, else left to the sweep.
    """
    _require_transaction_and_type(type)
    created = now or timezone.now()
    event_ids = []
    for batch in _batches(rows, BULK_BATCH):
        events = [
            OutboxEvent(bank_id=bank_id, type=type, data=json_safe(data), created=created, next_attempt_at=created)
            for bank_id, data in batch
        ]
        OutboxEvent.objects.bulk_create(events)
        event_ids.extend(event.id for event in events)
    _queue_bulk_after_commit(event_ids)
    return event_ids


def outbox_emit_selected(
    *, type: str, select_sql: str, params: Mapping[str, Any], now: dt.datetime | None = None
) -> list:
    """PostgreSQL: one event per row of ``select_sql`` — columns ``bank_id`` and ``data`` (jsonb, built in SQL as
    the strings ``json_safe`` makes) — written by ONE ``INSERT … SELECT`` in the caller's transaction; returns
    their ids in the select's order. Deliveries are queued as in ``outbox_emit_rows``.

    Row by row in Python an event took ~330 µs, over a minute for the ~250,000 events of a first daily run over a
    million loans (BENCHMARKS.md). ``params`` must not use the names ``outbox_type``, ``outbox_state`` and
    ``outbox_created``.
    """
    _require_transaction_and_type(type)
    created = now or timezone.now()
    with connection.cursor() as cursor:
        params = {**params, "outbox_type": type, "outbox_state": EventState.PENDING.value, "outbox_created": created}
        cursor.execute(EMIT_SELECTED_SQL.format(select=select_sql), params)
        event_ids = [row[0] for row in cursor.fetchall()]
    _queue_bulk_after_commit(event_ids)
    return event_ids
