"""Reads of the lending app shared by the API, the admin, the exports and the daily job (SPEC §9).

Overdue days on a date D (SPEC §9) — the rule, identical in Python (``overdue_days``) and SQL
(``with_first_unpaid_due``):

    R(D)  = Σ principal of the loan's repayments with paid_on ≤ D   (later repayments are ignored)
    C(k)  = Σ principal of the schedule lines with due_on ≤ due_on of line k (cumulative scheduled principal)
    U(D)  = the earliest due_on of a line k with C(k) > R(D)          (the earliest line not fully paid by D)
    overdue_days(D) = D − U(D) in calendar days when U(D) < D, else 0 (none past due, or all paid)

Buckets: 0 "current", 1–25, 26–60, 61–90, 91+. A compensated loan keeps its schedule and repayments, so the
figure is still defined; lists of overdue loans show active loans only.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from riskfund.money import ZERO

from .models import Loan, LoanEvent, LoanEventKind, LoanStatus, Recommendation, Repayment, ScheduleLine
from .rules import first_unpaid_due_from, overdue_bucket, overdue_days_from

__all__ = [
    "banks_in_district",
    "collection_attempts",
    "loan_detail",
    "loan_list",
    "loan_outstanding_on",
    "loans_with_unanswered_risk_warning",
    "overdue_bucket",
    "overdue_days",
    "recommendation_list",
    "with_first_unpaid_due",
    "with_principal_repaid",
]

_MONEY = DecimalField(max_digits=18, decimal_places=2)


def overdue_days(loan: Loan, on: date) -> int:
    """Overdue days of ``loan`` on ``on`` (SPEC §9, rule in the module docstring), from its schedule and its
    repayments with ``paid_on`` ≤ ``on``."""
    schedule = list(ScheduleLine.objects.filter(loan=loan).values_list("due_on", "principal"))
    repayments = list(Repayment.objects.filter(loan=loan).values_list("paid_on", "principal"))
    return overdue_days_from(schedule=schedule, repayments=repayments, on=on)


COLLECTION_KINDS = (LoanEventKind.COLLECTION_CALL, LoanEventKind.ONSITE_COLLECTION)


def collection_attempts(loan: Loan, on: date) -> int:
    """Art. 31 (三) "确因多次催收无果" (SPEC §10): the loan's ``collection_call`` and ``onsite_collection`` events
    dated AFTER its first unpaid due date as of ``on`` (U(on) of the module docstring) and on or before ``on``. An
    attempt on the due date itself is not collection of an overdue debt: the debtor still had that day to pay."""
    schedule = list(ScheduleLine.objects.filter(loan=loan).values_list("due_on", "principal"))
    repayments = list(Repayment.objects.filter(loan=loan).values_list("paid_on", "principal"))
    first_unpaid = first_unpaid_due_from(schedule=schedule, repayments=repayments, on=on)
    if first_unpaid is None:
        return 0
    events = LoanEvent.objects.filter(loan=loan, kind__in=COLLECTION_KINDS)
    return events.filter(occurred_on__gt=first_unpaid, occurred_on__lte=on).count()


def loan_outstanding_on(loan: Loan, on: date) -> Decimal:
    """Outstanding principal on ``on``: principal − principal repaid with ``paid_on`` ≤ ``on``; 0 before the
    disbursement and, for a compensated loan, from its compensation date (``closed_on``) on (SPEC §10: a
    compensated loan counts as closed)."""
    if on < loan.disbursed_on:
        return ZERO
    if loan.status == LoanStatus.COMPENSATED and loan.closed_on is not None and on >= loan.closed_on:
        return ZERO
    repaid = Repayment.objects.filter(loan=loan, paid_on__lte=on).aggregate(total=Sum("principal"))["total"] or ZERO
    return loan.principal - repaid


def with_first_unpaid_due(queryset: QuerySet[Loan], on: date) -> QuerySet[Loan]:
    """Annotate ``first_unpaid_due`` = U(on) of the module docstring, in SQL (one correlated subquery per loan):
    the daily job and the lists use it; overdue days = on − first_unpaid_due when it is before ``on``."""
    repaid = (
        Repayment.objects.filter(loan=OuterRef("loan"), paid_on__lte=on)
        .order_by()
        .values("loan")
        .annotate(total=Sum("principal"))
        .values("total")
    )
    cumulative = (
        ScheduleLine.objects.filter(loan=OuterRef("loan"), due_on__lte=OuterRef("due_on"))
        .order_by()
        .values("loan")
        .annotate(total=Sum("principal"))
        .values("total")
    )
    unpaid = (
        ScheduleLine.objects.filter(loan=OuterRef("pk"))
        .annotate(
            cumulative=Subquery(cumulative, output_field=_MONEY),
            repaid=Coalesce(Subquery(repaid, output_field=_MONEY), Value(ZERO, output_field=_MONEY)),
        )
        .filter(cumulative__gt=F("repaid"))
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return queryset.annotate(first_unpaid_due=Subquery(unpaid))


def with_principal_repaid(queryset: QuerySet[Loan], on: date) -> QuerySet[Loan]:
    """Annotate ``repaid`` = R(on) of the module docstring (0 when none); outstanding on ``on`` = principal − repaid
    for a loan disbursed by ``on`` and not closed by it. SQLite may hand the sum back with extra places: quantize."""
    repaid = (
        Repayment.objects.filter(loan=OuterRef("pk"), paid_on__lte=on)
        .order_by()
        .values("loan")
        .annotate(total=Sum("principal"))
        .values("total")
    )
    return queryset.annotate(repaid=Coalesce(Subquery(repaid, output_field=_MONEY), Value(ZERO, output_field=_MONEY)))


def loan_list(
    *,
    bank=None,
    status: str | None = None,
    overdue: bool | None = None,
    disbursed_after: date | None = None,
    disbursed_before: date | None = None,
    on: date | None = None,
) -> QuerySet[Loan]:
    """Loans, newest disbursement first; ``overdue`` True keeps active loans overdue on ``on`` (default today),
    False the others. ``disbursed_after`` / ``disbursed_before`` are inclusive bounds. Each row carries
    ``first_unpaid_due``."""
    on = on or timezone.localdate()
    loans = Loan.objects.select_related("bank", "enterprise", "district", "policy_version")
    if bank is not None:
        loans = loans.filter(bank=bank)
    if status is not None:
        loans = loans.filter(status=status)
    if disbursed_after is not None:
        loans = loans.filter(disbursed_on__gte=disbursed_after)
    if disbursed_before is not None:
        loans = loans.filter(disbursed_on__lte=disbursed_before)
    loans = with_first_unpaid_due(loans, on)
    if overdue is not None:
        is_overdue = Q(status=LoanStatus.ACTIVE, first_unpaid_due__lt=on)
        loans = loans.filter(is_overdue) if overdue else loans.exclude(is_overdue)
    return loans.order_by("-disbursed_on", "-registered_at")


def loan_detail(loan: Loan, today: date) -> dict:
    """One loan with its schedule, repayments, counter-guarantees and events, its outstanding principal and
    overdue days / bucket on ``today`` (API.md ``GET /api/v1/loans/{id}/``)."""
    days = overdue_days(loan, today) if loan.status == LoanStatus.ACTIVE else 0
    return {
        "loan": loan,
        "schedule": list(loan.schedule.order_by("due_on")),
        "repayments": list(loan.repayments.order_by("paid_on", "created_at")),
        "counter_guarantees": list(loan.counter_guarantees.all()),
        "events": list(loan.events.order_by("occurred_on", "created_at")),
        "outstanding_principal": loan.outstanding_principal,
        "overdue_days": days,
        "overdue_bucket": overdue_bucket(days),
    }


def recommendation_list(*, bank) -> QuerySet[Recommendation]:
    """The recommendations issued to ``bank`` (API.md ``GET /api/v1/recommendations/``), newest first."""
    return (
        Recommendation.objects.filter(bank=bank)
        .select_related("application__enterprise", "guarantor")
        .order_by("-issued_on", "-created_at")
    )


def loans_with_unanswered_risk_warning() -> QuerySet[Loan]:
    """Bureau monitoring (art. 29–30): active loans with a ``risk_warning`` and no ``visit`` on a LATER date
    than their latest warning (a visit on the warning's own day does not answer it). Each row carries
    ``last_warning_on`` and ``last_visit_on``."""
    last_of = {
        kind: Subquery(
            LoanEvent.objects.filter(loan=OuterRef("pk"), kind=kind).order_by("-occurred_on").values("occurred_on")[:1]
        )
        for kind in (LoanEventKind.RISK_WARNING, LoanEventKind.VISIT)
    }
    return (
        Loan.objects.filter(status=LoanStatus.ACTIVE)
        .annotate(last_warning_on=last_of[LoanEventKind.RISK_WARNING], last_visit_on=last_of[LoanEventKind.VISIT])
        .filter(last_warning_on__isnull=False)
        .filter(Q(last_visit_on__isnull=True) | Q(last_visit_on__lte=F("last_warning_on")))
        .select_related("bank", "enterprise")
        .order_by("last_warning_on")
    )


def banks_in_district(district: str) -> QuerySet:
    """Every bank with the outstanding principal and the number of its active loans in one district only
    (``district_outstanding``, ``district_active_loans``): what a district officer may see of a bank (SPEC §1)."""
    from riskfund.parties.models import Bank

    active_here = Q(loans__status=LoanStatus.ACTIVE, loans__district_id=district)
    return Bank.objects.order_by("code").annotate(
        district_outstanding=Coalesce(Sum("loans__outstanding_principal", filter=active_here), Value(ZERO, _MONEY)),
        district_active_loans=Count("loans", filter=active_here),
    )
