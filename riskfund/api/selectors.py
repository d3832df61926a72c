"""Reads the API serves that belong to no single domain app yet.

``ledger_transaction_list`` would sit well in ``riskfund/ledger/selectors.py``; it lives here until the
ledger's owner moves it.
"""

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from riskfund.ledger.models import Entry, Transaction


def ledger_transaction_list(
    *, account: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Transaction]:
    """Transactions with their entries (debits first), optionally touching ``account`` and within
    ``date_from``..``date_to`` (business dates, inclusive)."""
    entries = Entry.objects.select_related("account").order_by("-side", "id")
    qs = Transaction.objects.prefetch_related(Prefetch("entries", queryset=entries))
    if account:
        qs = qs.filter(Exists(Entry.objects.filter(transaction=OuterRef("pk"), account__code=account)))
    if date_from:
        qs = qs.filter(business_date__gte=date_from)
    if date_to:
        qs = qs.filter(business_date__lte=date_to)
    return qs.order_by("posted_at", "id")
