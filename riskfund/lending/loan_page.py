"""What the loan page shows (riskfund/lending/admin_loans.py): the loan's facts and its related records, read through
the loan's own relations (schedule, repayments, events, counter-guarantees; the close of business's daily status,
the compensation and its recoveries), so the lending app imports neither the close of business nor the claims.

Each section is a list of (label, text) or a table of rows; labels are the models' verbose names (translated),
amounts are ``1,234,567.89``.
"""

from django.core.exceptions import ObjectDoesNotExist

from riskfund.money import money_text

from .models import Loan, LoanStatus


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _facts(obj, names: list[str], money: frozenset = frozenset()) -> list[tuple[str, str]]:
    rows = []
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if name in money:
            text = money_text(value)
        elif getattr(field, "choices", None):
            text = getattr(obj, f"get_{name}_display")()
        elif isinstance(value, bool):
            text = "✔" if value else "—"
        elif value is None or value == "":
            text = "—"
        elif hasattr(value, "isoformat"):
            text = value.isoformat()
        else:
            text = str(value)
        rows.append((str(field.verbose_name), text))
    return rows


def _related(loan: Loan, name: str):
    try:
        return getattr(loan, name)
    except ObjectDoesNotExist:
        return None


def loan_summary(loan: Loan) -> dict:
    """The loan page of ``loan``; its overdue days and bucket are those of the latest close of business."""
    facts = _facts(
        loan,
        [
            "contract_no",
            "enterprise",
            "bank",
            "guarantor",
            "district",
            "principal",
            "outstanding_principal",
            "annual_rate",
            "repayment_method",
            "disbursed_on",
            "maturity_on",
            "status",
            "closed_on",
            "notice_deadline",
            "notified_late",
            "policy_version",
        ],
        money=frozenset({"principal", "outstanding_principal"}),
    )
    # overdue as the loan list shows it: the latest close of business, for an active loan only
    daily = _related(loan, "cob_status") if loan.status == LoanStatus.ACTIVE else None
    compensation = _related(loan, "compensation")
    schedule = list(loan.schedule.order_by("due_on"))
    return {
        "facts": facts,
        "overdue_days": daily.overdue_days if daily is not None else None,
        "bucket": daily.get_bucket_display() if daily is not None else None,
        "daily_as_of": daily.as_of if daily is not None else None,
        "schedule": [
            {
                "due_on": s.due_on,
                "principal": s.principal,
                "paid": s.paid_principal,
                "open": s.principal - s.paid_principal,
            }
            for s in schedule
        ],
        "repayments": list(loan.repayments.order_by("paid_on", "created_at")),
        "events": list(loan.events.order_by("occurred_on", "created_at")),
        "counter_guarantees": list(loan.counter_guarantees.all()),
        "compensation": compensation,
        "compensation_facts": _facts(
            compensation,
            ["deducted_on", "loss", "from_deposit", "to_payable", "notice_deadline", "notified_late"],
            money=frozenset({"loss", "from_deposit", "to_payable"}),
        )
        if compensation is not None
        else [],
        "recoveries": list(loan.recoveries.order_by("recovered_on")) if compensation is not None else [],
    }
