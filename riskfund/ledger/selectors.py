"""Reads of the ledger: O(1) balances and the recomputation ``verify_ledger`` compares them with."""

from datetime import date
from decimal import Decimal

from django.db.models import Case, DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Round

from riskfund.dbmoney import MONEY_FIELD
from riskfund.money import FEN, ZERO

from .models import Account, Entry, Transaction


def account_balance(code: str) -> Decimal:
    return Account.objects.filter(code=code).values_list("balance", flat=True).first() or ZERO


def balances_by_prefix(prefix: str) -> dict[str, Decimal]:
    return dict(Account.objects.filter(code__startswith=prefix).values_list("code", "balance"))


def balances_on(on: date, *, prefixes: tuple[str, ...] = (), codes: tuple[str, ...] = ()) -> dict[str, Decimal]:
    """Each account's balance (normal side positive) at the end of business date ``on``, for the accounts whose code
    is in ``codes`` or starts with one of ``prefixes``: the running balance less the entries dated after ``on``.

    The work is proportional to what was posted after ``on``, not to the accounts' history; the amounts are summed in
    Python, exact on every database.
    """
    wanted = Q(code__in=codes)
    for prefix in prefixes:
        wanted |= Q(code__startswith=prefix)
    accounts = {
        code: (normal, balance)
        for code, normal, balance in Account.objects.filter(wanted).values_list("code", "normal_side", "balance")
    }
    result = {code: balance for code, (_, balance) in accounts.items()}
    later = Entry.objects.filter(account__code__in=list(accounts), transaction__business_date__gt=on).values_list(
        "account__code", "side", "amount"
    )
    for code, side, amount in later.iterator(chunk_size=2000):
        result[code] -= amount if side == accounts[code][0] else -amount
    return result


def recomputed_balances() -> dict[str, Decimal]:
    """Every account's balance summed from its entries in one grouped query (normal side positive)."""
    signed = Case(
        When(side=F("account__normal_side"), then=F("amount")),
        default=-F("amount"),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )
    sums = dict(Entry.objects.values("account__code").annotate(total=Sum(signed)).values_list("account__code", "total"))
    return {code: sums.get(code, ZERO).quantize(FEN) for code in Account.objects.values_list("code", flat=True)}


def unbalanced_transactions() -> list[str]:
    """Transactions whose debits and credits differ; sums rounded to the fen (exact on PostgreSQL, and
    free of SQLite's binary floating-point noise, see riskfund/dbmoney.py)."""
    debit = Round(Sum(Case(When(side="D", then=F("amount")), default=Value(ZERO))), 2, output_field=MONEY_FIELD)
    credit = Round(Sum(Case(When(side="C", then=F("amount")), default=Value(ZERO))), 2, output_field=MONEY_FIELD)
    rows = Entry.objects.values("transaction_id").annotate(d=debit, c=credit).exclude(d=F("c"))
    return [str(r["transaction_id"]) for r in rows]


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
