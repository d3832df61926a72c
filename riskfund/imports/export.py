"""riskfund's book written in the template (台账导出): what an import of it into an empty riskfund needs to
reproduce the same ledger, to the fen.

Every sheet of the template, with the field row under the headers. What the records do not keep is written so
that the import gives the same result: a bank's notice date (art. 27, 32) is the notice deadline when the notice
was in time and left blank (= the day of the import, late) when it was late; an injection or interest credit
without a reference gets its id as reference. Reversed injections are left out (the ledger nets them out).
Registered as the staff export ``book_export`` (the admin's export list, ``export_job_start``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from riskfund.claims.models import Compensation, Recovery
from riskfund.exports.registry import register
from riskfund.exports.xlsx import Sheet, Typed, write_workbook
from riskfund.lending.models import (
    Application,
    CounterGuarantee,
    DueDiligence,
    Loan,
    LoanEvent,
    Recommendation,
    Repayment,
    RepaymentMethod,
    ScheduleLine,
)
from riskfund.parties.models import Agreement, Enterprise
from riskfund.pool.models import DepositTopUp, Injection, InterestCredit

from .book import BookSheet
from .sheets import SHEETS

CHUNK = 2000


def book_sheets(today: date | None = None) -> list[Sheet]:
    """The template's sheets filled with riskfund's records (rows streamed from the database)."""
    today = today or timezone.localdate()
    rows = {
        "injection": _injections(),
        "agreement": _agreements(),
        "interest": _interest(),
        "topup": _topups(),
        "enterprise": _enterprises(),
        "recommendation": _recommendations(),
        "loan": _loans(today),
        "schedule": _schedule(),
        "counter_guarantee": _counter_guarantees(),
        "repayment": _repayments(),
        "event": _events(),
        "compensation": _compensations(today),
        "recovery": _recoveries(),
    }
    return [
        Sheet(sheet.title, [f.column for f in sheet.fields], _with_field_row(sheet, rows[sheet.kind]))
        for sheet in SHEETS
    ]


@register("book_export", label="台账（导入模板格式）", filename=lambda job: f"台账-{job.created_at:%Y%m%d}.xlsx")
def book_export(job) -> list[Sheet]:
    return book_sheets()


def _with_field_row(sheet: BookSheet, rows: Iterator[dict]) -> Iterator[dict]:
    yield {f.key: Typed(f.key, "text") for f in sheet.fields}
    yield from rows


def _notice(late: bool, deadline: date, today: date) -> date | None:
    return None if late else min(deadline, today)


def _injections() -> Iterator[dict]:
    for i in Injection.objects.filter(reversal__isnull=True).order_by("paid_on", "id").iterator(chunk_size=CHUNK):
        yield {
            "funder": i.funder_id,
            "kind": i.kind,
            "paid_on": i.paid_on,
            "amount": i.amount,
            "reference": i.reference or str(i.pk),
        }


def _agreements() -> Iterator[dict]:
    for a in Agreement.objects.select_related("bank", "guarantor").order_by("signed_on", "bank__code"):
        yield {
            "bank": a.bank.code,
            "bank_name": a.bank.name,
            "guarantor": a.guarantor.code,
            "guarantor_name": a.guarantor.name,
            "signed_on": a.signed_on,
            "ends_on": a.ends_on,
            "ended_on": a.ended_on,
            "returned_on": a.deposit_returned_on,
        }


def _interest() -> Iterator[dict]:
    for c in InterestCredit.objects.order_by("credited_on", "id"):
        yield {
            "credited_on": c.credited_on,
            "amount": c.amount,
            "account": c.account,
            "reference": c.reference or str(c.pk),
        }


def _topups() -> Iterator[dict]:
    for t in DepositTopUp.objects.select_related("bank").order_by("requested_on", "id"):
        yield {
            "bank": t.bank.code,
            "requested_on": t.requested_on,
            "requested_amount": t.requested_amount,
            "reason": t.reason,
            "approved_on": t.approved_on,
            "approved_amount": t.approved_amount,
            "executed_on": t.executed_on,
        }


def _enterprises() -> Iterator[dict]:
    fields = ("uscc", "name", "district_id", "industry", "employees", "revenue", "total_assets", "established_on")
    for e in Enterprise.objects.order_by("uscc").values(*fields).iterator(chunk_size=CHUNK):
        yield {**e, "district": e.pop("district_id")}


def _opinion(party: str):
    latest = DueDiligence.objects.filter(recommendation=OuterRef("pk"), party=party).order_by(
        "-reported_on", "-created_at"
    )
    return Subquery(latest.values("opinion")[:1]), Subquery(latest.values("reported_on")[:1])


def _recommendations() -> Iterator[dict]:
    bank_opinion, bank_on = _opinion("bank")
    guarantor_opinion, guarantor_on = _opinion("guarantor")
    recommendations = (
        Recommendation.objects.select_related("application__enterprise", "bank", "guarantor")
        .annotate(bo=bank_opinion, bon=bank_on, go=guarantor_opinion, gon=guarantor_on)
        .order_by("issued_on", "form_no")
    )
    for r in recommendations.iterator(chunk_size=CHUNK):
        a = r.application
        yield {
            **_application(a),
            "form_no": r.form_no,
            "issued_on": r.issued_on,
            "bank": r.bank.code,
            "guarantor": r.guarantor.code,
            "amount": r.amount,
            "bank_opinion": r.bo,
            "bank_reported_on": r.bon,
            "guarantor_opinion": r.go,
            "guarantor_reported_on": r.gon,
        }
    lone = (
        Application.objects.filter(recommendations__isnull=True).select_related("enterprise").order_by("submitted_on")
    )
    for a in lone.iterator(chunk_size=CHUNK):
        yield _application(a)


def _application(a: Application) -> dict:
    return {
        "enterprise": a.enterprise.uscc,
        "submitted_on": a.submitted_on,
        "applied_amount": a.amount,
        "term_months": a.term_months,
        "purpose": a.purpose,
    }


def _loans(today: date) -> Iterator[dict]:
    loans = Loan.objects.select_related("bank", "recommendation").order_by("disbursed_on", "registered_at")
    for loan in loans.iterator(chunk_size=CHUNK):
        yield {
            "bank": loan.bank.code,
            "contract_no": loan.contract_no,
            "form_no": loan.recommendation.form_no,
            "principal": loan.principal,
            "disbursed_on": loan.disbursed_on,
            "maturity_on": loan.maturity_on,
            "annual_rate": format(loan.annual_rate.normalize(), "f"),
            "repayment_method": loan.repayment_method,
            "extended_term": "yes" if loan.extended_term else "no",
            "extended_reason": loan.extended_reason,
            "reported_on": _notice(loan.notified_late, loan.notice_deadline, today),
        }


def _loan_rows(queryset, **fields) -> Iterator[dict]:
    for row in queryset.values("loan__bank__code", "loan__contract_no", *fields.values()).iterator(chunk_size=CHUNK):
        yield {
            "bank": row["loan__bank__code"],
            "contract_no": row["loan__contract_no"],
            **{key: row[name] for key, name in fields.items()},
        }


def _schedule() -> Iterator[dict]:
    lines = ScheduleLine.objects.filter(loan__repayment_method=RepaymentMethod.INSTALMENTS).order_by(
        "loan_id", "due_on"
    )
    return _loan_rows(lines, due_on="due_on", principal="principal")


def _counter_guarantees() -> Iterator[dict]:
    guarantees = CounterGuarantee.objects.order_by("loan_id", "id")
    return _loan_rows(guarantees, kind="kind", description="description", value="value")


def _repayments() -> Iterator[dict]:
    repayments = Repayment.objects.order_by("paid_on", "created_at", "id")
    return _loan_rows(repayments, paid_on="paid_on", principal="principal", interest="interest")


def _events() -> Iterator[dict]:
    events = LoanEvent.objects.order_by("occurred_on", "created_at", "id")
    return _loan_rows(events, kind="kind", occurred_on="occurred_on", notes="notes")


def _compensations(today: date) -> Iterator[dict]:
    compensations = Compensation.objects.select_related("loan__bank", "payable").order_by("deducted_on", "id")
    for c in compensations.iterator(chunk_size=CHUNK):
        payable = getattr(c, "payable", None)
        yield {
            "bank": c.loan.bank.code,
            "contract_no": c.loan.contract_no,
            "deducted_on": c.deducted_on,
            "reported_on": _notice(c.notified_late, c.notice_deadline, today),
            "settled_on": payable.settled_on if payable is not None else None,
        }


def _recoveries() -> Iterator[dict]:
    recoveries = Recovery.objects.order_by("recovered_on", "created_at", "id")
    costs = {kind: f"cost_{kind}" for kind in ("litigation", "enforcement", "appraisal", "commission", "other")}
    return _loan_rows(recoveries, recovered_on="recovered_on", gross="gross", **costs)


def book_bytes(rows: Mapping[str, Iterable[Mapping]]) -> bytes:
    """A workbook in the template's layout holding ``rows`` by sheet kind (for a book built elsewhere); text given
    for a number or a date is written as text, as a person may type it."""

    def cells(sheet: BookSheet) -> Iterator[dict]:
        kinds = {f.key: f.kind for f in sheet.fields}
        for row in rows[sheet.kind]:
            yield {k: Typed(v, "text") if isinstance(v, str) and kinds.get(k) != "text" else v for k, v in row.items()}

    sheets = [
        Sheet(sheet.title, [f.column for f in sheet.fields], _with_field_row(sheet, cells(sheet)))
        for sheet in SHEETS
        if sheet.kind in rows
    ]
    out = io.BytesIO()
    write_workbook(sheets, out)
    return out.getvalue()


def book_export_bytes(today: date | None = None) -> bytes:
    """riskfund's whole book as template workbook bytes."""
    out = io.BytesIO()
    write_workbook(book_sheets(today), out)
    return out.getvalue()
