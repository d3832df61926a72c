"""The pool's posting path and its running figures: every money movement of the pool goes through ``pool_post``.

A posting is a handful of statements (SPEC §4, art. 11, 32, 37): the ledger transaction row and all its entries (the
database moves the account balances on entry insert, riskfund/ledger/migrations/0003); when money leaves the
special account or a deposit, one read of those balances, now locked by the posting, refuses an overdraft; the
changes of F, N, B are computed from the legs, not re-read, and added to the ``PoolState`` row by one
``UPDATE … RETURNING``; the suspension of art. 37 is re-evaluated from the figures it returns when F or N moved.
No savepoint: an error aborts the caller's database transaction, which every service lets propagate.

Global lock order (every writer takes the locks it needs in this order, so no two writers deadlock):

    1. the operation's own domain rows, in this order: Loan → Bank → Agreement → Recommendation → Enterprise →
       Funder → the business records (Compensation, Payable, DepositTopUp, Injection) — a service reads the ids it
       needs unlocked first (they never change), then locks;
    2. ledger accounts, in id order: ``accounts_lock`` when a balance decides the legs (it locks every account the
       posting may touch), then the entry-insert trigger, which locks the posted accounts in id order too;
    3. the ``PoolState`` row LAST, by the ``UPDATE … RETURNING`` of ``pool_post`` or ``pool_outstanding_add`` (or
       the conditional reservation of a loan registration), held only until the commit.

The daily job's steps update loan rows set-wise in their own transactions and take nothing else; its last
transaction locks the run, then the ``PoolState`` row.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from riskfund.errors import RuleViolation
from riskfund.ledger.chart import DEPOSIT, FUNDER, INTEREST, LOSS, PAYABLE, SPECIAL
from riskfund.ledger.models import Account, Side, Transaction
from riskfund.ledger.services import Leg, Line, posting_lines, transaction_post, transaction_reverse
from riskfund.money import FEN, ZERO
from riskfund.outbox.models import EventType
from riskfund.outbox.services import outbox_emit_to_active_banks
from riskfund.policy.selectors import policy_for_pool

from .models import PoolState, PoolStateChange
from .selectors import compensation_ratio, is_suspended

CREDIT_NORMAL = (FUNDER, PAYABLE, INTEREST)  # the ledger's credit-normal accounts (ledger models docstring)
MOVE_FIGURES = """
UPDATE pool_poolstate SET
    pool_funds = ROUND(pool_funds + CAST(%s AS NUMERIC), 2),
    net_compensation = ROUND(net_compensation + CAST(%s AS NUMERIC), 2),
    pool_balance = ROUND(pool_balance + CAST(%s AS NUMERIC), 2),
    outstanding_principal = ROUND(outstanding_principal + CAST(%s AS NUMERIC), 2),
    updated_at = %s
WHERE id = 1
RETURNING pool_funds, net_compensation, pool_balance, outstanding_principal, suspended, last_closed_business_date
"""


def _money(value) -> Decimal:
    """A figure as the database returns it (an exact numeric, or SQLite's double) → two-place Decimal."""
    return Decimal(str(value)).quantize(FEN)


def _state(row) -> PoolState:
    funds, net, balance, outstanding, suspended, last_closed = row
    if isinstance(last_closed, str):  # SQLite returns dates of raw queries as text
        last_closed = date.fromisoformat(last_closed)
    return PoolState(
        pk=1,
        pool_funds=_money(funds),
        net_compensation=_money(net),
        pool_balance=_money(balance),
        outstanding_principal=_money(outstanding),
        suspended=bool(suspended),
        last_closed_business_date=last_closed,
    )


def pool_figures_move(
    *, funds: Decimal = ZERO, net: Decimal = ZERO, balance: Decimal = ZERO, outstanding: Decimal = ZERO
) -> PoolState:
    """Add to F, N, B and the outstanding principal in one statement that locks the ``PoolState`` row (last, see the
    lock order) and returns the new figures; creates the row on first use."""
    params = [funds, net, balance, outstanding, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(MOVE_FIGURES, params)
        row = cursor.fetchone()
        if row is None:
            PoolState.objects.get_or_create(pk=1)
            cursor.execute(MOVE_FIGURES, params)
            row = cursor.fetchone()
    state = _state(row)
    if state.outstanding_principal < ZERO:
        raise ValueError(f"pool outstanding principal would be negative: {state.outstanding_principal}")
    return state


def pool_state_lock() -> PoolState:
    """Lock the single ``PoolState`` row (inside ``transaction.atomic()``) and return it; creates it on first use.
    Only for a writer that takes nothing after it (the lock order above)."""
    state = PoolState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        PoolState.objects.get_or_create(pk=1)
        state = PoolState.objects.select_for_update().get(pk=1)
    return state


def pool_outstanding_add(*, delta: Decimal, state: PoolState | None = None) -> PoolState:
    """Move Σ outstanding principal of active loans by ``delta``, locking the ``PoolState`` row (last)."""
    moved = pool_figures_move(outstanding=delta)
    if state is not None:
        state.outstanding_principal = moved.outstanding_principal
    return moved


def accounts_lock(codes: Sequence[str]) -> dict[str, Decimal]:
    """Lock the accounts a posting may touch, in id order (step 2 of the lock order), and return their balances:
    for a service whose legs depend on a balance (a compensation's deposit part, a deposit's return)."""
    rows = Account.objects.select_for_update().filter(code__in=set(codes)).order_by("id").values_list("code", "balance")
    return dict(rows)


def _signed(side: str, code: str, amount: Decimal) -> Decimal:
    normal = Side.CREDIT if code.startswith(CREDIT_NORMAL) else Side.DEBIT
    return amount if side == normal else -amount


def figure_deltas(lines: Sequence[Line]) -> tuple[Decimal, Decimal, Decimal]:
    """Changes of F, N, B from a posting's lines ``(side, code, amount)`` (SPEC §4)."""
    d_funds = d_net = d_balance = ZERO
    for side, code, amount in lines:
        signed = _signed(side, code, amount)
        if code.startswith(FUNDER) or code == INTEREST:
            d_funds += signed
        elif code.startswith(LOSS):
            d_net += signed
        elif code == SPECIAL or code.startswith(DEPOSIT):
            d_balance += signed
        elif code.startswith(PAYABLE):
            d_balance -= signed
        else:
            raise ValueError(f"account {code} is not a pool account")
    return d_funds, d_net, d_balance


def _refuse_overdraft(lines: Sequence[Line]) -> None:
    """Art. 11, 32: the special account and a bank deposit are real money and cannot go below zero. Only accounts
    the posting draws on are read, after the posting moved (and locked) them."""
    drawn = {c for s, c, _ in lines if s == Side.CREDIT and (c == SPECIAL or c.startswith(DEPOSIT))}
    if not drawn:
        return
    overdrawn = set(Account.objects.filter(code__in=drawn, balance__lt=0).values_list("code", flat=True))
    if SPECIAL in overdrawn:
        raise RuleViolation("insufficient_pool_funds", "art. 11", "the special account of the pool lacks the money")
    if overdrawn:
        raise RuleViolation("insufficient_deposit", "art. 32", f"the deposit {min(overdrawn)} lacks the money")


def _evaluate_suspension(state: PoolState, business_date: date, cause: str) -> PoolStateChange | None:
    """Art. 37 / SPEC §5: suspended ⇔ N ≥ threshold × F; each crossing is a ``PoolStateChange``."""
    threshold = policy_for_pool(business_date).suspension_threshold
    suspended = is_suspended(state.pool_funds, state.net_compensation, threshold)
    if suspended == state.suspended:
        return None
    state.suspended = suspended
    PoolState.objects.filter(pk=1).update(suspended=suspended, updated_at=timezone.now())
    change = PoolStateChange.objects.create(
        business_date=business_date,
        suspended=suspended,
        ratio=compensation_ratio(state.pool_funds, state.net_compensation),
        pool_funds=state.pool_funds,
        net_compensation=state.net_compensation,
        cause=cause[:200],
    )
    # SPEC §5: every change notifies every active bank, in the same transaction as its cause.
    outbox_emit_to_active_banks(
        type=EventType.POOL_SUSPENDED if suspended else EventType.POOL_RESUMED,
        data={
            "business_date": business_date,
            "compensation_ratio": change.ratio,
            "pool_funds": change.pool_funds,
            "net_compensation": change.net_compensation,
            "suspension_threshold": threshold,
        },
    )
    return change


def _apply(lines: Sequence[Line], business_date: date, cause: str) -> PoolState | None:
    """After the entries: refuse an overdraft, move F, N, B (when they move), re-check art. 37 (when F or N moved).
    Returns the new figures, or None when the posting moved none of them (the ``PoolState`` row is not touched)."""
    _refuse_overdraft(lines)
    d_funds, d_net, d_balance = figure_deltas(lines)
    if d_funds == d_net == d_balance == ZERO:
        return None
    state = pool_figures_move(funds=d_funds, net=d_net, balance=d_balance)
    if d_funds != ZERO or d_net != ZERO:
        _evaluate_suspension(state, business_date, cause)
    return state


def pool_post_figures(
    *,
    kind: str,
    business_date: date,
    debits: Sequence[Leg],
    credits: Sequence[Leg],
    cause: str,
    reference: str = "",
    description: str = "",
    user=None,
) -> tuple[Transaction | None, PoolState | None]:
    """``pool_post``, also returning the pool figures after it (None when it moved none, or posted nothing)."""
    lines = posting_lines(debits, credits)
    if not lines:
        return None, None
    with transaction.atomic(savepoint=False):
        txn = transaction_post(
            kind=kind,
            business_date=business_date,
            debits=debits,
            credits=credits,
            description=description,
            reference=reference,
            user=user,
        )
        return txn, _apply(lines, business_date, cause)


def pool_post(
    *,
    kind: str,
    business_date: date,
    debits: Sequence[Leg],
    credits: Sequence[Leg],
    cause: str,
    reference: str = "",
    description: str = "",
    user=None,
) -> Transaction | None:
    """Post one pool transaction (SPEC §4) and re-check suspension (art. 37) in the same DB transaction.

    Returns None when every leg is zero (nothing is written).
    """
    txn, _ = pool_post_figures(
        kind=kind,
        business_date=business_date,
        debits=debits,
        credits=credits,
        cause=cause,
        reference=reference,
        description=description,
        user=user,
    )
    return txn


def pool_reverse(*, original: Transaction, business_date: date, reason: str, cause: str, user=None) -> Transaction:
    """Reverse a pool transaction through the same path, so F, N, B and the suspension follow."""
    with transaction.atomic(savepoint=False):
        reversal = transaction_reverse(original=original, business_date=business_date, reason=reason, user=user)
        lines = [(e.side, e.account.code, e.amount) for e in reversal.entries.select_related("account")]
        _apply(lines, business_date, cause)
        return reversal


def pool_suspension_check(*, business_date: date, cause: str) -> PoolStateChange | None:
    """Re-check the threshold without a posting (daily job, new policy version), art. 37."""
    with transaction.atomic():
        return _evaluate_suspension(pool_state_lock(), business_date, cause)
