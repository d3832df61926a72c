"""Reads of the daily job shared by the other apps, the API and the dashboard (SPEC §12).

Backdating: an event posted with a date at or before the last closed business date is accepted and flagged
``backdated`` by the app that posts it (``is_backdated(d)``); the next run takes it into account because every
step recomputes from the records themselves (overdue days from the schedule and ALL repayments with
``paid_on`` ≤ D, figures from running balances), never from yesterday's results.
"""

from datetime import date

from django.db.models import QuerySet

from .models import CobRun, PoolSnapshot, RunStatus


def last_closed_business_date() -> date | None:
    """The latest business date whose run is done; None before the first run."""
    return (
        CobRun.objects.filter(status=RunStatus.DONE)
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )


def is_backdated(d: date) -> bool:
    """True when ``d`` is at or before the last closed business date (SPEC §12)."""
    last = last_closed_business_date()
    return last is not None and d <= last


def snapshot_history(*, since: date | None = None, until: date | None = None) -> QuerySet[PoolSnapshot]:
    """Daily snapshots in date order, for the dashboard's history charts."""
    snapshots = PoolSnapshot.objects.order_by("business_date")
    if since is not None:
        snapshots = snapshots.filter(business_date__gte=since)
    if until is not None:
        snapshots = snapshots.filter(business_date__lte=until)
    return snapshots
