"""The outbox events of the per-loan steps of the daily job: one event per loan to its bank (API.md webhooks), written
in bulk in the step's transaction (the outbox's ``outbox_emit`` writes one row per call)."""

from collections.abc import Callable, Iterable
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from .models import LoanStatus

EVENT_CHUNK = 500
# Deliveries of at most this many events are queued after commit; a larger batch (the first run over a
# migrated portfolio) is left ``pending`` for the outbox sweep ``banks.tasks.deliver_due_webhooks``.
QUEUE_LIMIT = 1000


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# PostgreSQL writes a step's events with ONE statement, the payload built in SQL as the same strings ``json_safe``
# makes (ids, amounts and dates as text): row by row in Python it took ~330 µs an event, over a minute for the
# ~250,000 events of a first run over a million loans (BENCHMARKS.md). SQLite keeps the row-by-row path.
LOAN_EVENTS_SQL = """
INSERT INTO outbox_outboxevent (id, bank_id, type, created, data, state, attempts, next_attempt_at)
SELECT gen_random_uuid(), l.bank_id, %(type)s, %(created)s, jsonb_build_object({fields}), 'pending', 0, %(created)s
FROM cob_loanstatus s JOIN lending_loan l ON l.id = s.loan_id
WHERE s.loan_id = ANY(CAST(%(ids)s AS uuid[]))
ORDER BY s.loan_id
RETURNING id
"""
COMPENSATION_DUE_FIELDS = (
    "'loan', s.loan_id::text, 'contract_no', l.contract_no, 'business_date', %(d)s, 'overdue_days', s.overdue_days, "
    "'first_unpaid_due', s.first_unpaid_due::text, 'outstanding_principal', s.outstanding_principal::text, "
    "'eligible_since', s.compensation_eligible_since::text"
)
MATURITY_REMINDER_FIELDS = (
    "'loan', s.loan_id::text, 'contract_no', l.contract_no, 'business_date', %(d)s, "
    "'maturity_on', l.maturity_on::text, 'outstanding_principal', s.outstanding_principal::text"
)


def insert_loan_events(event_type: str, loan_ids: list, d: date, fields: str, created) -> list:
    """PostgreSQL: the events of ``emit_loan_events`` in one INSERT … SELECT; returns their ids."""
    params = {"type": event_type, "created": created, "d": d.isoformat()}
    params["ids"] = "{" + ",".join(str(i) for i in loan_ids) + "}"
    with connection.cursor() as cursor:
        cursor.execute(LOAN_EVENTS_SQL.format(fields=fields), params)
        return [row[0] for row in cursor.fetchall()]


def emit_loan_events(
    event_type: str, loan_ids: list, data: Callable[[dict], dict], *, d: date | None = None, sql_fields: str = ""
) -> int:
    """Write one outbox event per loan to its bank, in the caller's transaction (API.md webhooks).

    Bulk inserts of ``OutboxEvent`` rows (the outbox's ``outbox_emit`` writes one row per call) — on PostgreSQL one
    INSERT … SELECT with ``sql_fields`` as the payload; delivery is queued after commit through
    ``outbox_delivery_queue`` when the batch is small, else left to the sweep.
    """
    if not loan_ids:
        return 0
    from riskfund.outbox.models import OutboxEvent
    from riskfund.outbox.services import json_safe, outbox_delivery_queue

    created = timezone.now()
    event_ids = []
    fields = ("loan_id", "loan__bank_id", "loan__contract_no", "loan__maturity_on", "overdue_days")
    fields += ("first_unpaid_due", "outstanding_principal", "compensation_eligible_since", "as_of")
    chunks = _chunks(sorted(str(i) for i in loan_ids), EVENT_CHUNK)
    if sql_fields and d is not None and connection.vendor == "postgresql":
        event_ids, chunks = insert_loan_events(event_type, loan_ids, d, sql_fields, created), []
    for chunk in chunks:
        rows = LoanStatus.objects.filter(pk__in=chunk).order_by("loan_id").values(*fields)
        events = [
            OutboxEvent(
                bank_id=row["loan__bank_id"],
                type=event_type,
                data=json_safe(data(row)),
                created=created,
                next_attempt_at=created,
            )
            for row in rows
        ]
        OutboxEvent.objects.bulk_create(events)
        event_ids.extend(event.id for event in events)
    if len(event_ids) <= QUEUE_LIMIT:

        def queue_cob_deliveries() -> None:
            for event_id in event_ids:
                outbox_delivery_queue(event_id=event_id)

        transaction.on_commit(queue_cob_deliveries, robust=True)
    return len(event_ids)
