"""Writes to the ledger: open an account, post a balanced transaction, reverse one.

``transaction_post`` is the only way money moves. It runs inside the caller's database transaction (no savepoint of
its own: an error aborts the caller's whole transaction, which every service lets propagate) in two statements: the
transaction row, then every entry in one INSERT … SELECT that finds the accounts by code. The database keeps the
running balances (a trigger on entry insert, migration 0003), locking the accounts in id order, so concurrent
postings cannot deadlock on them; see ``riskfund.pool.posting`` for the global lock order.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db import transaction as db

from riskfund.errors import RuleViolation
from riskfund.money import ZERO, to_money

from .models import Account, Side, Transaction

Leg = tuple[str, Decimal]
Line = tuple[str, str, Decimal]

# One row per line, accounts found by code; ``CAST`` so both databases see a number (SQLite binds text).
ENTRY_ROW = "SELECT %s AS code, %s AS side, CAST(%s AS NUMERIC) AS amount"
INSERT_ENTRIES = """
INSERT INTO ledger_entry (transaction_id, account_id, side, amount)
SELECT %s, a.id, v.side, v.amount FROM ledger_account a, ({rows}) v WHERE a.code = v.code
RETURNING account_id
"""


def account_open(*, code: str, name: str, normal_side: str) -> Account:
    """Open an account, or return the one with that code (idempotent: bootstrap runs twice)."""
    account, _ = Account.objects.get_or_create(code=code, defaults={"name": name, "normal_side": normal_side})
    return account


def _legs(side: str, legs: Iterable[Leg]) -> list[Line]:
    out = []
    for code, amount in legs:
        amount = to_money(amount)
        if amount < ZERO:
            raise RuleViolation("ledger_negative_amount", "", f"negative amount on {code}: {amount}")
        if amount > ZERO:
            out.append((side, code, amount))
    return out


def posting_lines(debits: Sequence[Leg], credits: Sequence[Leg]) -> list[Line]:
    """The non-zero lines ``(side, code, amount)`` of a posting, refused unless debits equal credits."""
    lines = _legs(Side.DEBIT, debits) + _legs(Side.CREDIT, credits)
    total_debit = sum((a for s, _, a in lines if s == Side.DEBIT), ZERO)
    total_credit = sum((a for s, _, a in lines if s == Side.CREDIT), ZERO)
    if total_debit != total_credit:
        raise RuleViolation("ledger_unbalanced", "", f"debits {total_debit} differ from credits {total_credit}")
    return lines


def _insert_entries(txn: Transaction, lines: list[Line]) -> None:
    """Every entry in one statement; a line whose account does not exist inserts no row and is reported."""
    params: list = [Transaction._meta.pk.get_db_prep_value(txn.pk, connection)]
    for side, code, amount in lines:
        params += [code, side, amount]
    sql = INSERT_ENTRIES.format(rows=" UNION ALL ".join([ENTRY_ROW] * len(lines)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = len(cursor.fetchall())
    if inserted != len(lines):
        codes = {c for _, c, _ in lines}
        missing = codes - set(Account.objects.filter(code__in=codes).values_list("code", flat=True))
        raise RuleViolation("ledger_unknown_account", "", f"unknown accounts: {sorted(missing)}")


def transaction_post(
    *,
    kind: str,
    business_date: date,
    debits: Sequence[Leg],
    credits: Sequence[Leg],
    description: str = "",
    reference: str = "",
    user=None,
    reverses: Transaction | None = None,
) -> Transaction | None:
    """Post one balanced transaction; zero legs post nothing, and nothing at all writes nothing."""
    lines = posting_lines(debits, credits)
    if not lines:
        return None
    with db.atomic(savepoint=False):
        txn = Transaction.objects.create(
            kind=kind,
            business_date=business_date,
            description=description[:300],
            reference=reference[:100],
            reverses=reverses,
            created_by=user,
        )
        _insert_entries(txn, lines)
    return txn


def transaction_reverse(*, original: Transaction, business_date: date, reason: str = "", user=None) -> Transaction:
    """Post the mirror image of ``original`` (debits become credits); each is reversed at most once."""
    if original.reverses_id is not None:
        raise RuleViolation("ledger_reversal_of_reversal", "", "a reversal is not reversed again")
    if Transaction.objects.filter(reverses=original).exists():
        raise RuleViolation("ledger_already_reversed", "", "this transaction has already been reversed")
    entries = list(original.entries.select_related("account"))
    reversal = transaction_post(
        kind=f"{original.kind}_reversal",
        business_date=business_date,
        debits=[(e.account.code, e.amount) for e in entries if e.side == Side.CREDIT],
        credits=[(e.account.code, e.amount) for e in entries if e.side == Side.DEBIT],
        description=reason or f"reversal of {original.pk}",
        reference=original.reference,
        user=user,
        reverses=original,
    )
    assert reversal is not None  # an existing transaction always has entries
    return reversal
