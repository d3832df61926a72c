"""Writes to the ledger: open an account, post a balanced transaction, reverse one.

``transaction_post`` is the only way money moves. It runs inside the caller's database transaction
(services lock the ``PoolState`` row first, then this locks accounts in id order, so concurrent
postings cannot deadlock) and updates the running balances in the same transaction.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction as db

from riskfund.dbmoney import money_plus
from riskfund.errors import RuleViolation
from riskfund.money import ZERO, to_money

from .models import Account, Entry, Side, Transaction

Leg = tuple[str, Decimal]


def account_open(*, code: str, name: str, normal_side: str) -> Account:
    """Open an account, or return the one with that code (idempotent: bootstrap runs twice)."""
    account, _ = Account.objects.get_or_create(code=code, defaults={"name": name, "normal_side": normal_side})
    return account


def _legs(side: str, legs: Iterable[Leg]) -> list[tuple[str, str, Decimal]]:
    out = []
    for code, amount in legs:
        amount = to_money(amount)
        if amount < ZERO:
            raise RuleViolation("ledger_negative_amount", "", f"negative amount on {code}: {amount}")
        if amount > ZERO:
            out.append((side, code, amount))
    return out


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
    lines = _legs(Side.DEBIT, debits) + _legs(Side.CREDIT, credits)
    if not lines:
        return None
    total_debit = sum((a for s, _, a in lines if s == Side.DEBIT), ZERO)
    total_credit = sum((a for s, _, a in lines if s == Side.CREDIT), ZERO)
    if total_debit != total_credit:
        raise RuleViolation("ledger_unbalanced", "", f"debits {total_debit} differ from credits {total_credit}")
    with db.atomic():
        accounts = {a.code: a for a in Account.objects.filter(code__in={c for _, c, _ in lines})}
        missing = {c for _, c, _ in lines} - accounts.keys()
        if missing:
            raise RuleViolation("ledger_unknown_account", "", f"unknown accounts: {sorted(missing)}")
        txn = Transaction.objects.create(
            kind=kind,
            business_date=business_date,
            description=description[:300],
            reference=reference[:100],
            reverses=reverses,
            created_by=user,
        )
        Entry.objects.bulk_create([Entry(transaction=txn, account=accounts[c], side=s, amount=a) for s, c, a in lines])
        deltas: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for side, code, amount in lines:
            account = accounts[code]
            deltas[account.pk] += amount if side == account.normal_side else -amount
        for pk in sorted(deltas):
            Account.objects.filter(pk=pk).update(balance=money_plus("balance", deltas[pk]))
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
