"""Writes of the claims app: compensation (art. 20, 32, 36), payable settlement (SPEC §4) and recovery (art. 33, 34).

Each service is ONE database transaction that takes its locks in the global order of riskfund/pool/posting.py: the
loan (or the payable) and the rows whose counters it moves, then the ledger accounts whose balance decides the legs
(``accounts_lock``), the ``PoolState`` row last; money moves only through ``pool_post``, which posts a balanced
ledger transaction, moves F, N, B and re-evaluates the suspension of art. 37 in the same transaction.
Every split goes through ``riskfund.money.allocate`` with the weights of the LOAN's policy version (SPEC §2: a loan
keeps its version for life). Broken rules raise ``RuleViolation`` with SPEC.md's code and the article.

Codes: ``date_in_future``, ``loan_compensated`` (art. 32, one compensation per loan), ``compensation_not_due``
(art. 32: principal overdue more than N days on the deduction date; also a loan already repaid in full),
``collection_not_attempted`` (art. 31 (三): collection first),
``repayment_after_deduction`` (art. 32, SPEC §10: the loss is the outstanding principal on the deduction date,
so principal repaid after it must be claimed with a later date or reported as a recovery), ``payable_settled``,
``insufficient_pool_funds`` (art. 11), ``loan_not_compensated`` (art. 33: recovery follows a compensation),
``costs_exceed_recovery`` and ``recovery_exceeds_loss`` (art. 34, SPEC §11); malformed input is a 400
``validation_error`` with field messages.
"""

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from riskfund import dates
from riskfund.dates import not_in_future
from riskfund.dbmoney import money_plus
from riskfund.errors import RuleViolation
from riskfund.ledger.chart import SPECIAL, loss_account
from riskfund.lending.models import Loan, LoanStatus, Repayment
from riskfund.lending.selectors import collection_attempts, overdue_days
from riskfund.lending.services import listing_propose
from riskfund.lending.validation import InputError, invalid, money
from riskfund.money import ZERO, allocate
from riskfund.parties.models import Agreement, AgreementStatus, Bank, Funder
from riskfund.parties.selectors import agreement_open
from riskfund.parties.services import agreement_loans_closed
from riskfund.policy.calendar import add_working_days
from riskfund.pool.posting import accounts_lock, pool_outstanding_add, pool_post, pool_post_figures
from riskfund.pool.selectors import is_backdated

from .models import Compensation, Payable, Recovery

# SPEC §1: the funder codes of the region (自治区) and the city (市本级); districts use their division code
REGION_LOSS = loss_account("region")
CITY_LOSS = loss_account("city")
COST_KINDS = ("litigation", "enforcement", "appraisal", "commission", "other")


def _minus(after: list[Decimal], before: list[Decimal]) -> list[Decimal]:
    return [a - b for a, b in zip(after, before, strict=True)]


# --- compensation (art. 20, 32, 36) ------------------------------------------------------------------------


def _close_compensated_loan(*, loan: Loan, closed_on: date, user) -> Decimal:
    """SPEC §10: a compensated loan counts as closed. Its outstanding leaves the loan, the bank (one active loan
    fewer) and the district exactly as a full repayment's does (``repayment_post``); when the bank's agreement is
    ending and this was its last active loan the deposit return becomes due (art. 18, ``agreement_loans_closed``).
    Rows in the lock order (bank, agreement, district); the pool's outstanding moves last, by the caller. Returns
    the outstanding that left."""
    outstanding = loan.outstanding_principal
    loan.outstanding_principal = ZERO
    loan.status = LoanStatus.COMPENSATED
    loan.closed_on = closed_on
    loan.save(update_fields=["outstanding_principal", "status", "closed_on"])

    Bank.objects.filter(pk=loan.bank_id).update(
        outstanding_principal=money_plus("outstanding_principal", -outstanding), active_loans=F("active_loans") - 1
    )
    bank = Bank.objects.get(pk=loan.bank_id)
    ending = Agreement.objects.filter(bank=bank, status=AgreementStatus.ENDING).exists()
    if ending and bank.active_loans == 0:
        agreement_loans_closed(bank=bank, closed_on=closed_on)
    Funder.objects.filter(pk=loan.district_id).update(
        outstanding_principal=money_plus("outstanding_principal", -outstanding)
    )
    return outstanding


def compensation_claim(*, loan: Loan, deducted_on: date, today: date | None = None, user=None) -> Compensation:
    """The bank deducts the pool's share of a defaulted loan from the deposit (代偿, art. 32) and reports it.

    Refusals, in order: ``date_in_future``; ``loan_compensated`` (one compensation per loan, SPEC §10);
    ``compensation_not_due`` unless the principal is overdue MORE than the loan's ``compensation_trigger_days``
    (25) on ``deducted_on`` — day 25 refused, day 26 allowed (art. 32 "到期超过25天") — or when the loan is
    repaid in full; ``collection_not_attempted`` unless the loan has the version's ``collection_attempts_required``
    (2) collection events after its first unpaid due date and by ``deducted_on`` (art. 31 (三) "多次催收无果",
    ``collection_attempts``); ``repayment_after_deduction`` when principal was repaid after ``deducted_on``.

    Loss = all outstanding principal (SPEC §10: the bank declares the whole loan due); shares pool : bank :
    guarantor = allocate(loss, 40:20:40) and the pool share region : city : district = allocate(pool share,
    30:30:40) with the loan's frozen district (art. 20). Posted (SPEC §4): loss:region, loss:city,
    loss:<district> ← deposit:<bank> up to its balance, payable:<bank> for the rest (never refused for lack of
    deposit: the bank deducts only what is deposited with it, art. 32); the suspension is re-evaluated in the
    same transaction (art. 37, by ``pool_post``). The written notice is due within N working days
    (``notice_deadline``); a later report (``today`` > deadline) is accepted and flagged ``notified_late``.
    The loan is closed as compensated and a proposal to list the enterprise as dishonest awaits the bureau's
    decision (art. 36, ``listing_propose``; ``enterprise_under_review`` until then). A ``deducted_on``
    at or before the last closed business date is accepted and ``backdated`` (SPEC §12).
    """
    today = today or dates.business_today()
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("policy_version", "district", "bank")
            .get(pk=loan.pk)
        )
        not_in_future(deducted_on, "deducted_on", today)
        if loan.status == LoanStatus.COMPENSATED or Compensation.objects.filter(loan=loan).exists():
            raise RuleViolation("loan_compensated", "art. 32", f"{loan} has already been compensated")
        if loan.status != LoanStatus.ACTIVE:
            raise RuleViolation("compensation_not_due", "art. 32", f"{loan} is repaid in full: nothing is overdue")
        policy = loan.policy_version
        days = overdue_days(loan, deducted_on)
        if days <= policy.compensation_trigger_days:
            raise RuleViolation(
                "compensation_not_due",
                "art. 32",
                f"principal is {days} days overdue on {deducted_on}; compensation needs more than "
                f"{policy.compensation_trigger_days}",
            )
        attempts = collection_attempts(loan, deducted_on)
        if attempts < policy.collection_attempts_required:
            raise RuleViolation(
                "collection_not_attempted",
                "art. 31",
                f"{attempts} collection attempt(s) after the first unpaid due date and by {deducted_on}; "
                f"a deduction needs {policy.collection_attempts_required} (多次催收无果)",
            )
        if Repayment.objects.filter(loan=loan, paid_on__gt=deducted_on, principal__gt=0).exists():
            raise RuleViolation(
                "repayment_after_deduction",
                "art. 32",
                f"principal was repaid after {deducted_on}: claim with a later deduction date, or report the "
                "money as a recovery",
            )

        loss = loan.outstanding_principal
        share_pool, share_bank, share_guarantor = allocate(loss, policy.loss_weights)
        split_region, split_city, split_district = allocate(share_pool, policy.split_weights)
        bank = loan.bank
        _close_compensated_loan(loan=loan, closed_on=deducted_on, user=user)
        debits = [
            (REGION_LOSS, split_region),
            (CITY_LOSS, split_city),
            (loan.district.loss_account_code, split_district),
        ]
        codes = [code for code, _ in debits] + [bank.deposit_account_code, bank.payable_account_code]
        deposit = accounts_lock(codes).get(bank.deposit_account_code, ZERO)
        from_deposit = min(max(deposit, ZERO), share_pool)
        to_payable = share_pool - from_deposit

        compensation_id = uuid.uuid4()
        txn = pool_post(
            kind="compensation",
            business_date=deducted_on,
            debits=debits,
            credits=[(bank.deposit_account_code, from_deposit), (bank.payable_account_code, to_payable)],
            cause=f"compensation {compensation_id}",
            reference=str(compensation_id),
            description=f"代偿 {bank.name} {loan.contract_no}",
            user=user,
        )
        deadline = add_working_days(deducted_on, policy.notice_working_days)
        compensation = Compensation.objects.create(
            id=compensation_id,
            loan=loan,
            bank=bank,
            district=loan.district,
            policy_version=policy,
            deducted_on=deducted_on,
            overdue_days=days,
            loss=loss,
            share_pool=share_pool,
            share_bank=share_bank,
            share_guarantor=share_guarantor,
            split_region=split_region,
            split_city=split_city,
            split_district=split_district,
            from_deposit=from_deposit,
            to_payable=to_payable,
            notice_deadline=deadline,
            notified_late=today > deadline,
            backdated=is_backdated(deducted_on),
            transaction=txn,
            created_by=user,
        )
        if to_payable > ZERO:
            Payable.objects.create(compensation=compensation, bank=bank, amount=to_payable, due_since=deducted_on)
        # art. 36 (SPEC §10): a proposal to list the firm, not a listing; an insert, no enterprise row lock
        listing_propose(enterprise=loan.enterprise, compensation=compensation, proposed_on=deducted_on)
        state = pool_outstanding_add(delta=-loss)  # the PoolState row, last
        if is_backdated(deducted_on, state) != compensation.backdated:  # a close of business ran meanwhile
            compensation.backdated = not compensation.backdated
            compensation.save(update_fields=["backdated"])
    return compensation


# --- payables (SPEC §4) --------------------------------------------------------------------------------------


def payable_settle(*, payable: Payable, settled_on: date, today: date | None = None, user=None) -> Payable:
    """The trustee pays the bank the part of a compensation its deposit did not cover: payable:<bank> ←
    pool:special (SPEC §4, art. 32). Refused when already settled (``payable_settled``) or when the special
    account lacks the money (``insufficient_pool_funds``, art. 11); ``settled_on`` may not be in the future nor
    before the deduction; at or before the last closed business date it is flagged ``settled_backdated`` (SPEC §12)."""
    not_in_future(settled_on, "settled_on", today)
    with transaction.atomic():
        payable = Payable.objects.select_for_update(of=("self",)).select_related("bank").get(pk=payable.pk)
        if payable.settled_on is not None:
            raise RuleViolation("payable_settled", "art. 32", f"this payable was settled on {payable.settled_on}")
        if settled_on < payable.due_since:
            raise invalid("settled_on", f"支付日期 {settled_on} 早于代偿扣划日期 {payable.due_since}", "art. 32")
        available = accounts_lock([SPECIAL, payable.bank.payable_account_code]).get(SPECIAL, ZERO)
        if available < payable.amount:
            raise RuleViolation(
                "insufficient_pool_funds",
                "art. 11",
                f"the special account holds {available}, {payable.amount} is owed to {payable.bank.code}",
            )
        payable.transaction = pool_post(
            kind="payable_settlement",
            business_date=settled_on,
            debits=[(payable.bank.payable_account_code, payable.amount)],
            credits=[(SPECIAL, payable.amount)],
            cause=f"payable settlement {payable.pk}",
            reference=str(payable.compensation_id),
            description=f"支付代偿应付款 {payable.bank.name}",
            user=user,
        )
        payable.settled_on = settled_on
        payable.settled_by = user
        payable.settled_backdated = is_backdated(settled_on)
        payable.save(update_fields=["transaction", "settled_on", "settled_by", "settled_backdated"])
    return payable


# --- recovery (art. 33, 34) ---------------------------------------------------------------------------------


def _costs(costs: Mapping[str, Decimal] | None) -> dict[str, Decimal]:
    """The itemised costs of art. 34 (诉讼费、执行费、评估费、委托费等): each a non-negative amount, 0 when absent."""
    costs = dict(costs or {})
    unknown = sorted(set(costs) - set(COST_KINDS))
    if unknown:
        raise invalid("costs", f"未知费用类别 {unknown}（应为 {', '.join(COST_KINDS)}）", "art. 34")
    out = {}
    errors: dict[str, list[str]] = {}
    for kind in COST_KINDS:
        try:
            out[kind] = money(costs.get(kind, ZERO), f"costs.{kind}", clause="art. 34")
        except InputError as exc:
            errors.update(exc.errors)
    if errors:
        raise InputError(errors, "art. 34")
    return out


def recovery_post(
    *,
    loan: Loan,
    recovered_on: date,
    gross: Decimal,
    costs: Mapping[str, Decimal] | None = None,
    today: date | None = None,
    user=None,
) -> Recovery:
    """Money (or the appraised value of assets) recovered on a compensated loan (art. 33, 34).

    net = gross − (litigation + enforcement + appraisal + commission + other). Refusals, in order: malformed
    amounts → ``validation_error`` (400; gross must be positive); ``date_in_future``; ``loan_not_compensated``
    (art. 33: recovery follows a compensation); ``recovered_on`` before the deduction → ``validation_error``;
    ``costs_exceed_recovery`` when the costs exceed the gross (art. 34); ``recovery_exceeds_loss`` when the
    cumulative net would exceed the loss (SPEC §11).

    Shares are cumulative (SPEC §11): with C the net recovered before and C' = C + net after,
    shares = allocate(C', 40:20:40) − allocate(C, 40:20:40) and, with P and P' the pool parts of those,
    pool split = allocate(P', 30:30:40) − allocate(P, 30:30:40) — so the shares of all recoveries together
    always equal the allocation of their total, to the fen. The loan's policy version makes ``allocate``
    monotone (SPEC §2), so no part is negative and no loss account goes below zero. Posted (SPEC §4):
    deposit:<bank> — or pool:special once the deposit was returned (no open agreement) — ← loss:region,
    loss:city, loss:<district>; a pool part of zero posts nothing, the recovery is recorded all the same. The
    suspension is re-evaluated in the same transaction (art. 37, by ``pool_post``). A ``recovered_on`` at or before
    the last closed business date is accepted and ``backdated`` (SPEC §12).
    """
    gross = money(gross, "gross", positive=True, clause="art. 34")
    itemised = _costs(costs)
    today = today or dates.business_today()
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self",)).select_related("bank").get(pk=loan.pk)
        not_in_future(recovered_on, "recovered_on", today)
        compensation = (
            Compensation.objects.select_for_update(of=("self",))
            .select_related("policy_version", "district")
            .filter(loan=loan)
            .first()
        )
        if compensation is None:
            raise RuleViolation(
                "loan_not_compensated", "art. 33", f"{loan} has not been compensated: money from it is a repayment"
            )
        if recovered_on < compensation.deducted_on:
            raise invalid(
                "recovered_on", f"追回日期 {recovered_on} 早于代偿扣划日期 {compensation.deducted_on}", "art. 33"
            )
        costs_total = sum(itemised.values(), ZERO)
        if costs_total > gross:
            raise RuleViolation(
                "costs_exceed_recovery", "art. 34", f"costs {costs_total} exceed the amount recovered {gross}"
            )
        net = gross - costs_total
        before = Recovery.objects.filter(compensation=compensation).aggregate(total=Sum("net"))["total"] or ZERO
        after = before + net
        if after > compensation.loss:
            raise RuleViolation(
                "recovery_exceeds_loss",
                "art. 34",
                f"net recovered {before} + {net} = {after} would exceed the loss {compensation.loss}",
            )

        policy = compensation.policy_version
        shares_before = allocate(before, policy.loss_weights)
        shares_after = allocate(after, policy.loss_weights)
        share_pool, share_bank, share_guarantor = _minus(shares_after, shares_before)
        split_region, split_city, split_district = _minus(
            allocate(shares_after[0], policy.split_weights), allocate(shares_before[0], policy.split_weights)
        )

        bank = loan.bank
        debit = bank.deposit_account_code if agreement_open(bank) is not None else SPECIAL
        recovery_id = uuid.uuid4()
        txn, state = pool_post_figures(
            kind="recovery",
            business_date=recovered_on,
            debits=[(debit, share_pool)],
            credits=[
                (REGION_LOSS, split_region),
                (CITY_LOSS, split_city),
                (compensation.district.loss_account_code, split_district),
            ],
            cause=f"recovery {recovery_id}",
            reference=str(compensation.pk),
            description=f"追偿 {bank.name} {loan.contract_no}",
            user=user,
        )
        return Recovery.objects.create(
            id=recovery_id,
            loan=loan,
            compensation=compensation,
            recovered_on=recovered_on,
            gross=gross,
            cost_litigation=itemised["litigation"],
            cost_enforcement=itemised["enforcement"],
            cost_appraisal=itemised["appraisal"],
            cost_commission=itemised["commission"],
            cost_other=itemised["other"],
            net=net,
            cumulative_net=after,
            share_pool=share_pool,
            share_bank=share_bank,
            share_guarantor=share_guarantor,
            split_region=split_region,
            split_city=split_city,
            split_district=split_district,
            backdated=is_backdated(recovered_on, state),  # None (nothing posted): read unlocked
            transaction=txn,
            created_by=user,
        )
