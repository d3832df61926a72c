"""The outbox events of the per-loan steps of the daily job: one event per loan to its bank (API.md webhooks),
written in bulk by the outbox's service in the step's transaction. The COB names the loans and the payload; the
outbox writes the rows and queues their delivery."""

from collections.abc import Callable, Iterator
from datetime import date

from django.db import connection
from django.utils import timezone

from riskfund.outbox.services import outbox_emit_rows, outbox_emit_selected

from .models import DailyLoanStatus

LOAN_CHUNK = 500

# PostgreSQL builds a step's events in ONE statement, the payload built in SQL as the same strings ``json_safe``
# makes (ids, amounts and dates as text). SQLite keeps the row-by-row path. The given ids drive the join, so that both
# tables are read by their primary keys (with ``= ANY(ids)`` the plan read all of both tables, ~0.6 s a range).
LOAN_EVENTS_SELECT = """
SELECT l.bank_id, jsonb_build_object({fields}) AS data
FROM unnest(CAST(%(ids)s AS uuid[])) AS given(id)
JOIN cob_dailyloanstatus s ON s.loan_id = given.id
JOIN lending_loan l ON l.id = given.id
ORDER BY s.loan_id
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
STATUS_FIELDS = (
    "loan_id",
    "loan__bank_id",
    "loan__contract_no",
    "loan__maturity_on",
    "overdue_days",
    "first_unpaid_due",
    "outstanding_principal",
    "compensation_eligible_since",
    "as_of",
)


def _bank_and_payload(loan_ids: list, data: Callable[[dict], dict]) -> Iterator[tuple]:
    """``(bank_id, payload)`` per loan in loan id order, read from its status row ``LOAN_CHUNK`` loans at a time."""
    ordered = sorted(str(i) for i in loan_ids)
    for start in range(0, len(ordered), LOAN_CHUNK):
        rows = DailyLoanStatus.objects.filter(pk__in=ordered[start : start + LOAN_CHUNK]).order_by("loan_id")
        for row in rows.values(*STATUS_FIELDS):
            yield row["loan__bank_id"], data(row)


def emit_loan_events(
    event_type: str, loan_ids: list, data: Callable[[dict], dict], *, d: date | None = None, sql_fields: str = ""
) -> int:
    """Write one outbox event per loan to its bank, in the caller's transaction (API.md webhooks); returns how many.

    On PostgreSQL with ``sql_fields`` (the payload as ``jsonb_build_object`` arguments) one INSERT … SELECT, else
    ``data`` builds each payload from the loan's status row.
    """
    if not loan_ids:
        return 0
    created = timezone.now()
    if sql_fields and d is not None and connection.vendor == "postgresql":
        params = {"d": d.isoformat(), "ids": "{" + ",".join(str(i) for i in loan_ids) + "}"}
        select_sql = LOAN_EVENTS_SELECT.format(fields=sql_fields)
        return len(outbox_emit_selected(type=event_type, select_sql=select_sql, params=params, now=created))
    return len(outbox_emit_rows(type=event_type, rows=_bank_and_payload(loan_ids, data), now=created))
