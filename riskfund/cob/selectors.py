"""Reads of the daily job shared by the API and the dashboard (SPEC §12).

Backdating: an event posted with a date at or before the last closed business date is accepted and flagged
``backdated`` by the app that posts it (``riskfund.pool.selectors.is_backdated``, from
``PoolState.last_closed_business_date``, which a run sets when it is done: the domain apps cannot import this
one); the next run takes it into account because every step recomputes from the records themselves (overdue
days from the schedule and ALL repayments with ``paid_on`` ≤ D, figures from running balances), never from
yesterday's results.
"""

from datetime import date

from django.db.models import QuerySet

from .models import PoolSnapshot


def snapshot_history(*, since: date | None = None, until: date | None = None) -> QuerySet[PoolSnapshot]:
    """Daily snapshots in date order, for the dashboard's history charts."""
    snapshots = PoolSnapshot.objects.order_by("business_date")
    if since is not None:
        snapshots = snapshots.filter(business_date__gte=since)
    if until is not None:
        snapshots = snapshots.filter(business_date__lte=until)
    return snapshots
