"""The bureau's adjustment of a bank's deposit (art. 16 "适时调整", SPEC §7): propose → approve → execute.

- ``deposit_adjustment_propose`` — a bureau user proposes an increase or a decrease with an amount and a reason
  (required); the maker-checker request is made in the same transaction (riskfund.approvals, kind
  ``deposit_adjustment``: bureau makes, another bureau user checks);
- ``deposit_adjustment_approve`` — another bureau user approves it (the proposer → ``approver_is_maker``); the
  execution is due within the policy's ``topup_execution_days`` (30) calendar days of the approval, and the bank
  hears of it (webhook ``deposit.adjustment_approved``);
- ``deposit_adjustment_execute`` — the trustee posts it through the pool path: deposit:B ← pool:special for an
  increase, pool:special ← deposit:B for a decrease; after the due date it is accepted and flagged late.

A decrease may not leave the deposit below the cover the bank's active outstanding needs — outstanding ÷ the
policy's ``deposit_topup_multiple`` (10), rounded UP to the fen, the figure above which art. 16 asks for a top-up —
nor below zero: ``deposit_below_cover`` (422, art. 16), checked at the proposal and again at the execution.
"""

from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db import transaction

from riskfund import dates
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation, invalid
from riskfund.ledger.selectors import account_balance
from riskfund.money import FEN, ZERO
from riskfund.outbox.models import EventType
from riskfund.outbox.services import outbox_emit
from riskfund.parties.models import Bank
from riskfund.policy.selectors import policy_for_pool

from .models import AdjustmentDirection, AdjustmentStatus, DepositAdjustment
from .posting import SPECIAL, accounts_lock, pool_post
from .selectors import is_backdated
from .services import deposit_place, not_before, positive_amount

CLAUSE = "art. 16"


def deposit_cover(bank: Bank, on: date) -> Decimal:
    """The deposit the bank's active outstanding needs on ``on``: outstanding ÷ N (10), up to the fen (art. 16)."""
    multiple = policy_for_pool(on).deposit_topup_multiple
    return (bank.outstanding_principal / multiple).quantize(FEN, rounding=ROUND_CEILING)


def _check_cover(bank: Bank, amount: Decimal, on: date, balance: Decimal) -> None:
    """Refuse a decrease of ``amount`` that would leave ``bank``'s deposit ``balance`` below its cover."""
    cover = deposit_cover(bank, on)
    if balance - amount < cover:
        raise RuleViolation(
            "deposit_below_cover",
            CLAUSE,
            f"{bank.code}: deposit {balance} − {amount} = {balance - amount} would be below the cover {cover} "
            f"(outstanding {bank.outstanding_principal} ÷ {policy_for_pool(on).deposit_topup_multiple})",
        )


def deposit_adjustment_propose(
    *, bank: Bank, direction: str, amount: Decimal | str, reason: str, user, proposed_on: date | None = None
) -> DepositAdjustment:
    """A bureau user proposes to raise or lower ``bank``'s deposit (art. 16 "适时调整"); see the module docstring."""
    from riskfund.approvals.models import ApprovalKind
    from riskfund.approvals.services import approval_request

    if direction not in AdjustmentDirection.values:
        raise invalid("direction", f"调整方向应为 increase 或 decrease，实际为 {direction!r}", CLAUSE)
    amount = positive_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "调整抵押金须说明理由", CLAUSE)
    proposed_on = not_in_future(proposed_on or dates.business_today(), "proposed_on")
    with transaction.atomic():
        bank = Bank.objects.select_for_update().get(pk=bank.pk)
        if direction == AdjustmentDirection.DECREASE:
            _check_cover(bank, amount, proposed_on, account_balance(bank.deposit_account_code))
        adjustment = DepositAdjustment.objects.create(
            bank=bank,
            direction=direction,
            amount=amount,
            reason=reason[:500],
            proposed_on=proposed_on,
            proposed_by=user,
        )
        approval_request(kind=ApprovalKind.DEPOSIT_ADJUSTMENT, subject=adjustment, payload={}, maker=user)
    return adjustment


def deposit_adjustment_approve(*, adjustment: DepositAdjustment, user, note: str = "") -> DepositAdjustment:
    """Another bureau user approves the proposal: its pending maker-checker request is approved, which runs
    ``adjustment_approved`` (below) in the same transaction. Not proposed → ``adjustment_not_proposed``."""
    from riskfund.approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
    from riskfund.approvals.services import approval_approve, subject_key

    with transaction.atomic():
        adjustment = DepositAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        request = ApprovalRequest.objects.filter(
            kind=ApprovalKind.DEPOSIT_ADJUSTMENT, subject_key=subject_key(adjustment), status=ApprovalStatus.PENDING
        ).first()
        if adjustment.status != AdjustmentStatus.PROPOSED or request is None:
            raise RuleViolation(
                "adjustment_not_proposed", CLAUSE, f"this adjustment is {adjustment.get_status_display()}"
            )
        approval_approve(request=request, checker=user, note=note)
        adjustment.refresh_from_db()
    return adjustment


def adjustment_approved(*, adjustment: DepositAdjustment, user, approved_on: date | None = None) -> DepositAdjustment:
    """The approval itself, run by riskfund.approvals when the checker approves: due in N days, the bank told."""
    approved_on = not_in_future(approved_on or dates.business_today(), "approved_on")
    adjustment = DepositAdjustment.objects.select_for_update().select_related("bank").get(pk=adjustment.pk)
    if adjustment.status != AdjustmentStatus.PROPOSED:
        raise RuleViolation("adjustment_not_proposed", CLAUSE, f"this adjustment is {adjustment.get_status_display()}")
    adjustment.status = AdjustmentStatus.APPROVED
    adjustment.approved_by = user
    adjustment.approved_on = approved_on
    adjustment.due_on = approved_on + timedelta(days=policy_for_pool(approved_on).topup_execution_days)
    adjustment.save(update_fields=["status", "approved_by", "approved_on", "due_on"])
    outbox_emit(
        bank=adjustment.bank,
        type=EventType.DEPOSIT_ADJUSTMENT_APPROVED,
        data={
            "adjustment": adjustment.pk,
            "direction": adjustment.direction,
            "amount": adjustment.amount,
            "approved_on": approved_on,
            "due_on": adjustment.due_on,
        },
    )
    return adjustment


def adjustment_rejected(*, adjustment: DepositAdjustment) -> DepositAdjustment:
    """The checker rejected the proposal (riskfund.approvals): nothing moves."""
    DepositAdjustment.objects.filter(pk=adjustment.pk, status=AdjustmentStatus.PROPOSED).update(
        status=AdjustmentStatus.REJECTED
    )
    adjustment.refresh_from_db()
    return adjustment


def deposit_adjustment_execute(
    *, adjustment: DepositAdjustment, executed_on: date, user=None, today: date | None = None
) -> DepositAdjustment:
    """The trustee posts an approved adjustment through the pool path (art. 16): an increase deposit:B ←
    pool:special (``insufficient_pool_funds`` when the special account lacks it), a decrease pool:special ←
    deposit:B (``deposit_below_cover`` re-checked on the bank's outstanding now). ``executed_on`` after today →
    ``date_in_future``; before the approval → 400; after ``due_on`` → accepted, ``executed_late``; at or before the
    last closed business date → ``executed_backdated`` (SPEC §12). Not approved → ``adjustment_not_approved``."""
    not_in_future(executed_on, "executed_on", today)
    bank_id = DepositAdjustment.objects.values_list("bank_id", flat=True).get(pk=adjustment.pk)  # never changes
    with transaction.atomic():
        # the lock order of riskfund/pool/posting.py: Bank → the business record → accounts → PoolState
        bank = Bank.objects.select_for_update().get(pk=bank_id)
        adjustment = DepositAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if adjustment.status != AdjustmentStatus.APPROVED:
            raise RuleViolation("adjustment_not_approved", CLAUSE, "only an approved adjustment can be executed")
        not_before(executed_on, adjustment.approved_on, "executed_on", "approved_on")
        cause = f"deposit adjustment {adjustment.pk}"
        if adjustment.direction == AdjustmentDirection.INCREASE:
            txn = deposit_place(
                bank=bank,
                amount=adjustment.amount,
                business_date=executed_on,
                kind="deposit_adjustment",
                cause=cause,
                reference=str(adjustment.pk),
                user=user,
            )
        else:
            balance = accounts_lock([SPECIAL, bank.deposit_account_code]).get(bank.deposit_account_code, ZERO)
            _check_cover(bank, adjustment.amount, executed_on, balance)
            txn = pool_post(
                kind="deposit_adjustment",
                business_date=executed_on,
                debits=[(SPECIAL, adjustment.amount)],
                credits=[(bank.deposit_account_code, adjustment.amount)],
                cause=cause,
                reference=str(adjustment.pk),
                description=f"调减风险补偿抵押金 {bank.name}",
                user=user,
            )
        adjustment.transaction = txn
        adjustment.status = AdjustmentStatus.EXECUTED
        adjustment.executed_on = executed_on
        adjustment.executed_late = executed_on > adjustment.due_on
        adjustment.executed_backdated = is_backdated(executed_on)
        adjustment.save(update_fields=["transaction", "status", "executed_on", "executed_late", "executed_backdated"])
    return adjustment
