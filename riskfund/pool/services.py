"""Writes of the pool: injections, interest, deposit top-ups.

Every money movement goes through ``pool_post`` (riskfund/pool/posting.py, which also states the global lock
order); it is re-exported here with the rest of the posting path for the callers of the domain apps.
"""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Min

from riskfund import dates
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.ledger.chart import INTEREST, SPECIAL
from riskfund.ledger.models import Account, Transaction
from riskfund.ledger.selectors import account_balance
from riskfund.money import ZERO, to_money
from riskfund.outbox.models import EventType
from riskfund.outbox.services import outbox_emit
from riskfund.parties.models import Bank, Funder
from riskfund.policy.selectors import policy_for_pool

from .models import DepositTopUp, Injection, InjectionKind, InterestCredit, TopUpStatus
from .posting import accounts_lock, pool_post_figures
from .posting import pool_outstanding_add as pool_outstanding_add
from .posting import pool_post as pool_post
from .posting import pool_reverse as pool_reverse
from .posting import pool_state_lock as pool_state_lock
from .posting import pool_suspension_check as pool_suspension_check
from .selectors import is_backdated

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


# --- injections (art. 8, 13, 38) ---------------------------------------------------------------------


def injection_post(
    *,
    funder: Funder,
    paid_on: date,
    amount: Decimal,
    kind: str = InjectionKind.INJECTION,
    reference: str = "",
    user=None,
    today: date | None = None,
) -> Injection:
    """Money paid in by a funder: pool:special ← funder:X (art. 8; a replenishment, art. 13, 38).

    Any positive amount from any funder; no commitment is required (SPEC §6). Sets the funder's first
    payment date (start of the 2-year window of art. 8); a replenishment adds to R_d of SPEC §6. A ``paid_on`` at or
    before the last closed business date is accepted and ``backdated`` (SPEC §12).
    """
    amount = positive_amount(amount)
    if kind not in InjectionKind.values:
        raise RuleViolation("validation_error", "", f"unknown injection kind {kind!r}", status=400)
    not_in_future(paid_on, "paid_on", today)
    injection_id = uuid.uuid4()
    with transaction.atomic():
        funder = Funder.objects.select_for_update().get(pk=funder.pk)
        txn, state = pool_post_figures(
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
    not_in_future(reversed_on, "reversed_on")
    with transaction.atomic():
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
    *, credited_on: date, amount: Decimal, account: str, reference: str = "", user=None, today: date | None = None
) -> InterestCredit:
    """Art. 12: interest rolls into the pool: pool:special or deposit:B ← pool:interest (counts in F); a
    ``credited_on`` after today → ``date_in_future``, at or before the last closed business date ``backdated``
    (SPEC §8, §12)."""
    amount = positive_amount(amount)
    if account == InterestCredit.SPECIAL:
        debit = SPECIAL
    else:
        bank = Bank.objects.filter(code=account).first()
        if bank is None:
            raise RuleViolation("validation_error", "art. 12", f"account: unknown bank {account!r}", status=400)
        debit = bank.deposit_account_code
    not_in_future(credited_on, "credited_on", today)
    credit_id = uuid.uuid4()
    with transaction.atomic():
        txn, state = pool_post_figures(
            kind="interest",
            business_date=credited_on,
            debits=[(debit, amount)],
            credits=[(INTEREST, amount)],
            cause=f"interest {credit_id}",
            reference=reference,
            description=f"利息入账 {Account.objects.values_list('name', flat=True).get(code=debit)}",
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
        available = accounts_lock([SPECIAL, bank.deposit_account_code]).get(SPECIAL, ZERO)
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
            description=f"风险补偿抵押金 {bank.name}",
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
    requested_on = not_in_future(requested_on or dates.business_today(), "requested_on")
    policy = policy_for_pool(requested_on)
    with transaction.atomic():
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


def topup_approve(
    *, topup: DepositTopUp, amount: Decimal, approved_on: date, user, today: date | None = None
) -> DepositTopUp:
    """Art. 16 (专项工作协调办公室研究同意): the bureau approves an amount; the approver must not be the staff
    member who requested it (maker-checker); execution is due within N calendar days of approval; an
    ``approved_on`` after today → ``date_in_future`` (SPEC §8)."""
    amount = positive_amount(amount)
    not_in_future(approved_on, "approved_on", today)
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


def topup_execute(*, topup: DepositTopUp, executed_on: date, user=None, today: date | None = None) -> DepositTopUp:
    """Art. 16 (于30日内予以补充): the trustee moves the approved amount deposit:B ← pool:special; an
    execution after the due date is accepted and flagged late, one at or before the last closed business date
    ``executed_backdated`` (SPEC §12); an ``executed_on`` after today → ``date_in_future`` (SPEC §8)."""
    not_in_future(executed_on, "executed_on", today)
    with transaction.atomic():
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
        topup.executed_backdated = is_backdated(executed_on)
        topup.save(update_fields=["status", "executed_on", "executed_late", "executed_backdated", "transaction"])
    return topup
