"""Writes of the pool: the central posting path, suspension, injections, interest, deposit top-ups.

Every money movement of the pool goes through ``pool_post`` (or ``pool_reverse``): it locks the
``PoolState`` row FIRST, posts to the ledger (which updates account balances in id order), moves the
running figures F, N, B by the legs' accounts, refuses a posting that would overdraw the special account or
a deposit, and re-evaluates the suspension of art. 37 in the same database transaction.
"""

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from riskfund.dates import not_in_future
from riskfund.dbmoney import money_plus
from riskfund.errors import RuleViolation
from riskfund.ledger.models import Account, Transaction
from riskfund.ledger.selectors import account_balance
from riskfund.ledger.services import Leg, transaction_post, transaction_reverse
from riskfund.money import ZERO, to_money
from riskfund.outbox.models import EventType
from riskfund.outbox.services import outbox_emit, outbox_emit_to_active_banks
from riskfund.parties.models import Bank, Funder
from riskfund.policy.selectors import policy_for_pool

from .models import (
    DepositTopUp,
    Injection,
    InjectionKind,
    InterestCredit,
    PoolState,
    PoolStateChange,
    TopUpStatus,
)
from .selectors import compensation_ratio, is_backdated, is_suspended

SPECIAL = "pool:special"
INTEREST = "pool:interest"
OPEN_TOPUP = [TopUpStatus.REQUESTED, TopUpStatus.APPROVED]


# --- helpers shared by the services ----------------------------------------------------------------


def positive_amount(value: Decimal | int | str, field: str = "amount") -> Decimal:
    """A positive two-place amount, else a 400 ``validation_error``."""
    try:
        amount = to_money(value)
    except (TypeError, ValueError) as exc:
        raise RuleViolation("validation_error", "", f"{field}: {exc}", status=400) from exc
    if amount <= ZERO:
        raise RuleViolation("validation_error", "", f"{field} must be positive", status=400)
    return amount


def not_before(value: date, earlier: date | None, field: str, other: str) -> None:
    if earlier is not None and value < earlier:
        raise RuleViolation("validation_error", "", f"{field} {value} is before {other} {earlier}", status=400)


# --- the posting path --------------------------------------------------------------------------------


def pool_state_lock() -> PoolState:
    """Lock the single ``PoolState`` row (inside ``transaction.atomic()``); creates it on first use."""
    state = PoolState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        PoolState.objects.get_or_create(pk=1)
        state = PoolState.objects.select_for_update().get(pk=1)
    return state


def _figure_deltas(txn: Transaction) -> tuple[Decimal, Decimal, Decimal]:
    """Changes of F, N, B from a transaction's entries (SPEC §4)."""
    d_funds = d_net = d_balance = ZERO
    for entry in txn.entries.select_related("account"):
        account = entry.account
        signed = entry.amount if entry.side == account.normal_side else -entry.amount
        code = account.code
        if code.startswith("funder:") or code == INTEREST:
            d_funds += signed
        elif code.startswith("loss:"):
            d_net += signed
        elif code == SPECIAL or code.startswith("deposit:"):
            d_balance += signed
        elif code.startswith("payable:"):
            d_balance -= signed
        else:
            raise ValueError(f"account {code} is not a pool account")
    return d_funds, d_net, d_balance


def _refuse_overdraft(txn: Transaction) -> None:
    """Art. 11, 32: the special account and a bank deposit are real money and cannot go below zero."""
    overdrawn = list(
        Account.objects.filter(entries__transaction=txn, balance__lt=0)
        .filter(Q(code=SPECIAL) | Q(code__startswith="deposit:"))
        .values_list("code", flat=True)
        .distinct()
    )
    if SPECIAL in overdrawn:
        raise RuleViolation("insufficient_pool_funds", "art. 11", "the special account of the pool lacks the money")
    if overdrawn:
        raise RuleViolation("insufficient_deposit", "art. 32", f"the deposit {overdrawn[0]} lacks the money")


def _evaluate_suspension(state: PoolState, business_date: date, cause: str) -> PoolStateChange | None:
    """Art. 37 / SPEC §5: suspended ⇔ N ≥ threshold × F; each crossing is a ``PoolStateChange``."""
    threshold = policy_for_pool(business_date).suspension_threshold
    suspended = is_suspended(state.pool_funds, state.net_compensation, threshold)
    if suspended == state.suspended:
        return None
    state.suspended = suspended
    state.save(update_fields=["suspended", "updated_at"])
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


def _apply(state: PoolState, txn: Transaction, business_date: date, cause: str) -> None:
    _refuse_overdraft(txn)
    d_funds, d_net, d_balance = _figure_deltas(txn)
    state.pool_funds += d_funds
    state.net_compensation += d_net
    state.pool_balance += d_balance
    state.save(update_fields=["pool_funds", "net_compensation", "pool_balance", "updated_at"])
    _evaluate_suspension(state, business_date, cause)


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
    with transaction.atomic():
        state = pool_state_lock()
        txn = transaction_post(
            kind=kind,
            business_date=business_date,
            debits=debits,
            credits=credits,
            description=description,
            reference=reference,
            user=user,
        )
        if txn is not None:
            _apply(state, txn, business_date, cause)
        return txn


def pool_reverse(*, original: Transaction, business_date: date, reason: str, cause: str, user=None) -> Transaction:
    """Reverse a pool transaction through the same path, so F, N, B and the suspension follow."""
    with transaction.atomic():
        state = pool_state_lock()
        reversal = transaction_reverse(original=original, business_date=business_date, reason=reason, user=user)
        _apply(state, reversal, business_date, cause)
        return reversal


def pool_suspension_check(*, business_date: date, cause: str) -> PoolStateChange | None:
    """Re-check the threshold without a posting (daily job, new policy version), art. 37."""
    with transaction.atomic():
        return _evaluate_suspension(pool_state_lock(), business_date, cause)


def pool_outstanding_add(*, state: PoolState, delta: Decimal) -> PoolState:
    """Move Σ outstanding principal of active loans by ``delta``; the caller holds the ``PoolState`` lock."""
    delta = to_money(delta)
    PoolState.objects.filter(pk=state.pk).update(outstanding_principal=money_plus("outstanding_principal", delta))
    state.refresh_from_db(fields=["outstanding_principal", "updated_at"])
    if state.outstanding_principal < ZERO:
        raise ValueError(f"pool outstanding principal would be negative: {state.outstanding_principal}")
    return state


# --- injections (art. 8, 13, 38) ---------------------------------------------------------------------


def injection_post(
    *,
    funder: Funder,
    paid_on: date,
    amount: Decimal,
    kind: str = InjectionKind.INJECTION,
    reference: str = "",
    user=None,
) -> Injection:
    """Money paid in by a funder: pool:special ← funder:X (art. 8; a replenishment, art. 13, 38).

    Any positive amount from any funder; no commitment is required (SPEC §6). Sets the funder's first
    payment date (start of the 2-year window of art. 8); a replenishment adds to R_d of SPEC §6. A ``paid_on`` at or
    before the last closed business date is accepted and ``backdated`` (SPEC §12).
    """
    amount = positive_amount(amount)
    if kind not in InjectionKind.values:
        raise RuleViolation("validation_error", "", f"unknown injection kind {kind!r}", status=400)
    not_in_future(paid_on, "paid_on")
    injection_id = uuid.uuid4()
    with transaction.atomic():
        state = pool_state_lock()
        funder = Funder.objects.select_for_update().get(pk=funder.pk)
        txn = pool_post(
            kind=kind,
            business_date=paid_on,
            debits=[(SPECIAL, amount)],
            credits=[(funder.account_code, amount)],
            cause=f"{kind} {injection_id}",
            reference=reference,
            description=f"{funder.name} {InjectionKind(kind).label}",
            user=user,
        )
        injection = Injection.objects.create(
            id=injection_id,
            funder=funder,
            kind=kind,
            paid_on=paid_on,
            amount=amount,
            reference=reference,
            backdated=is_backdated(paid_on, state),
            transaction=txn,
            created_by=user,
        )
        if funder.first_paid_on is None or paid_on < funder.first_paid_on:
            funder.first_paid_on = paid_on
        if kind == InjectionKind.REPLENISHMENT:
            funder.replenished_total += amount
        funder.save(update_fields=["first_paid_on", "replenished_total"])
    return injection


def injection_reverse(*, injection: Injection, reversed_on: date, reason: str, user=None) -> Injection:
    """Reverse a mistaken injection with a reversing transaction through the pool path (SPEC §4)."""
    if not reason.strip():
        raise RuleViolation("validation_error", "", "a reversal needs a reason", status=400)
    with transaction.atomic():
        pool_state_lock()
        funder = Funder.objects.select_for_update().get(pk=injection.funder_id)
        injection = Injection.objects.select_for_update().get(pk=injection.pk)
        if injection.reversal_id is not None:
            raise RuleViolation("injection_already_reversed", "", "this injection has already been reversed")
        not_before(reversed_on, injection.paid_on, "reversed_on", "paid_on")
        reversal = pool_reverse(
            original=injection.transaction,
            business_date=reversed_on,
            reason=reason,
            cause=f"{injection.kind} reversal {injection.pk}",
            user=user,
        )
        injection.reversal = reversal
        injection.reversed_on = reversed_on
        injection.reversal_reason = reason[:300]
        injection.save(update_fields=["reversal", "reversed_on", "reversal_reason"])
        if injection.kind == InjectionKind.REPLENISHMENT:
            funder.replenished_total -= injection.amount
        funder.first_paid_on = Injection.objects.filter(funder=funder, reversal__isnull=True).aggregate(
            first=Min("paid_on")
        )["first"]
        funder.save(update_fields=["first_paid_on", "replenished_total"])
    return injection


# --- interest (art. 12) ------------------------------------------------------------------------------


def interest_post(
    *, credited_on: date, amount: Decimal, account: str, reference: str = "", user=None
) -> InterestCredit:
    """Art. 12: interest rolls into the pool: pool:special or deposit:B ← pool:interest (counts in F); a
    ``credited_on`` at or before the last closed business date is ``backdated`` (SPEC §12)."""
    amount = positive_amount(amount)
    if account == InterestCredit.SPECIAL:
        debit = SPECIAL
    else:
        bank = Bank.objects.filter(code=account).first()
        if bank is None:
            raise RuleViolation("validation_error", "art. 12", f"account: unknown bank {account!r}", status=400)
        debit = bank.deposit_account_code
    credit_id = uuid.uuid4()
    with transaction.atomic():
        state = pool_state_lock()
        txn = pool_post(
            kind="interest",
            business_date=credited_on,
            debits=[(debit, amount)],
            credits=[(INTEREST, amount)],
            cause=f"interest {credit_id}",
            reference=reference,
            description=f"利息入账 {account}",
            user=user,
        )
        return InterestCredit.objects.create(
            id=credit_id,
            credited_on=credited_on,
            amount=amount,
            account=account,
            reference=reference,
            backdated=is_backdated(credited_on, state),
            transaction=txn,
            created_by=user,
        )


# --- deposits (art. 16) ------------------------------------------------------------------------------


def deposit_place(
    *, bank: Bank, amount: Decimal, business_date: date, kind: str, cause: str, reference: str = "", user=None
) -> Transaction | None:
    """Move money from the special account to a bank's deposit: deposit:B ← pool:special (art. 16).

    Refused with ``insufficient_pool_funds`` when the special account lacks the money.
    """
    amount = to_money(amount)
    with transaction.atomic():
        pool_state_lock()
        available = account_balance(SPECIAL)
        if amount > available:
            raise RuleViolation(
                "insufficient_pool_funds",
                "art. 16",
                f"the special account holds {available}, {amount} is needed for the deposit at {bank.code}",
            )
        return pool_post(
            kind=kind,
            business_date=business_date,
            debits=[(bank.deposit_account_code, amount)],
            credits=[(SPECIAL, amount)],
            cause=cause,
            reference=reference,
            description=f"风险补偿抵押金 {bank.code}",
            user=user,
        )


def topup_request(
    *,
    bank: Bank,
    amount: Decimal,
    reason: str,
    user=None,
    requested_on: date | None = None,
    by_bank: bool = False,
) -> DepositTopUp:
    """Art. 16: when the bank's outstanding exceeds N × its deposit, the bank or a staff user may ask for a
    top-up (``topup_not_needed`` otherwise); one open request per bank (``topup_already_pending``)."""
    amount = positive_amount(amount)
    requested_on = requested_on or timezone.localdate()
    policy = policy_for_pool(requested_on)
    with transaction.atomic():
        pool_state_lock()
        bank = Bank.objects.select_for_update().get(pk=bank.pk)
        balance = account_balance(bank.deposit_account_code)
        if bank.outstanding_principal <= policy.deposit_topup_multiple * balance:
            raise RuleViolation(
                "topup_not_needed",
                "art. 16",
                f"outstanding {bank.outstanding_principal} is not above "
                f"{policy.deposit_topup_multiple} × deposit {balance}",
            )
        if DepositTopUp.objects.filter(bank=bank, status__in=OPEN_TOPUP).exists():
            raise RuleViolation("topup_already_pending", "art. 16", f"{bank.code} already has an open top-up request")
        return DepositTopUp.objects.create(
            bank=bank,
            requested_amount=amount,
            reason=reason,
            requested_on=requested_on,
            requested_by=user,
            requested_by_bank=by_bank,
        )


def topup_approve(*, topup: DepositTopUp, amount: Decimal, approved_on: date, user) -> DepositTopUp:
    """Art. 16 (专项工作协调办公室研究同意): the bureau approves an amount; the approver must not be the staff
    member who requested it (maker-checker); execution is due within N calendar days of approval."""
    amount = positive_amount(amount)
    with transaction.atomic():
        topup = DepositTopUp.objects.select_for_update().get(pk=topup.pk)
        if topup.status != TopUpStatus.REQUESTED:
            raise RuleViolation("topup_not_pending", "art. 16", "only a requested top-up can be approved")
        if user is not None and topup.requested_by_id is not None and topup.requested_by_id == user.pk:
            raise RuleViolation("approver_is_requester", "art. 16", "the requester cannot approve its own request")
        policy = policy_for_pool(approved_on)
        topup.status = TopUpStatus.APPROVED
        topup.approved_amount = amount
        topup.approved_by = user
        topup.approved_on = approved_on
        topup.due_on = approved_on + timedelta(days=policy.topup_execution_days)
        topup.save(update_fields=["status", "approved_amount", "approved_by", "approved_on", "due_on"])
        outbox_emit(
            bank=topup.bank,
            type=EventType.TOPUP_APPROVED,
            data={"topup": topup.pk, "amount": amount, "approved_on": approved_on, "due_on": topup.due_on},
        )
    return topup


def topup_execute(*, topup: DepositTopUp, executed_on: date, user=None) -> DepositTopUp:
    """Art. 16 (于30日内予以补充): the trustee moves the approved amount deposit:B ← pool:special; an
    execution after the due date is accepted and flagged late, one at or before the last closed business date
    ``executed_backdated`` (SPEC §12)."""
    with transaction.atomic():
        state = pool_state_lock()
        topup = DepositTopUp.objects.select_for_update().select_related("bank").get(pk=topup.pk)
        if topup.status != TopUpStatus.APPROVED:
            raise RuleViolation("topup_not_approved", "art. 16", "only an approved top-up can be executed")
        not_before(executed_on, topup.approved_on, "executed_on", "approved_on")
        topup.transaction = deposit_place(
            bank=topup.bank,
            amount=topup.approved_amount,
            business_date=executed_on,
            kind="deposit_topup",
            cause=f"deposit top-up {topup.pk}",
            reference=str(topup.pk),
            user=user,
        )
        topup.status = TopUpStatus.EXECUTED
        topup.executed_on = executed_on
        topup.executed_late = executed_on > topup.due_on
        topup.executed_backdated = is_backdated(executed_on, state)
        topup.save(update_fields=["status", "executed_on", "executed_late", "executed_backdated", "transaction"])
    return topup
