"""Servicing of a registered loan: repayments (art. 22 (四)) and post-loan events (art. 29–31, 33, 35)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max

from riskfund.dates import not_in_future
from riskfund.dbmoney import money_plus
from riskfund.errors import RuleViolation
from riskfund.money import ZERO
from riskfund.parties.models import Agreement, AgreementStatus, Bank, Funder
from riskfund.parties.services import agreement_loans_closed
from riskfund.pool.posting import pool_outstanding_add
from riskfund.pool.selectors import is_backdated

from ..models import Loan, LoanEvent, LoanEventKind, LoanStatus, Repayment, ScheduleLine
from ..validation import invalid, money, today_or_default


def _apply_to_schedule(loan: Loan, principal: Decimal) -> None:
    """Apply repaid principal to the unpaid instalments in due-date order (SPEC §9)."""
    left = principal
    for line in ScheduleLine.objects.select_for_update().filter(loan=loan).order_by("due_on"):
        if left == ZERO:
            break
        unpaid = line.principal - line.paid_principal
        if unpaid <= ZERO:
            continue
        applied = min(unpaid, left)
        ScheduleLine.objects.filter(pk=line.pk).update(paid_principal=money_plus("paid_principal", applied))
        left -= applied
    if left != ZERO:
        raise ValueError(f"loan {loan.pk}: {left} of principal could not be applied to the schedule")


def repayment_post(
    *, loan: Loan, paid_on: date, principal: Decimal, interest: Decimal, today: date | None = None
) -> Repayment:
    """Record a repayment of principal and interest (art. 22 (四), SPEC §9).

    Order of refusals: zero principal and zero interest (or a negative / malformed amount) → ``InputError``
    (400); ``date_in_future``; ``paid_on`` before ``disbursed_on`` → ``date_before_disbursement`` (art. 22);
    a compensated loan → ``loan_compensated`` (art. 32: money from the borrower is then a recovery); principal
    above the outstanding → ``repayment_exceeds_outstanding`` (art. 22).

    The principal is applied to the unpaid instalments in due-date order; the loan's, the bank's, the district's
    and the pool's outstanding go down in the same transaction (in the lock order of riskfund/pool/posting.py,
    PoolState last). When nothing is left the loan is ``repaid``, ``closed_on`` = the latest ``paid_on`` of its
    principal repayments, the bank has one active loan fewer, and if its agreement is ending and this was its last
    active loan the deposit return becomes due (art. 18, ``agreement_loans_closed``). A ``paid_on`` at or before the
    last closed business date is accepted and ``backdated``; the next daily run recomputes the loan's overdue days
    with it (SPEC §12).
    """
    principal = money(principal, "principal", clause="art. 22")
    interest = money(interest, "interest", clause="art. 22")
    if principal == ZERO and interest == ZERO:
        raise invalid("principal", "本金和利息不能同时为0", "art. 22")
    today = today_or_default(today)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        not_in_future(paid_on, "paid_on", today)
        if paid_on < loan.disbursed_on:
            raise RuleViolation(
                "date_before_disbursement", "art. 22", f"paid_on {paid_on} is before disbursed_on {loan.disbursed_on}"
            )
        if loan.status == LoanStatus.COMPENSATED:
            raise RuleViolation("loan_compensated", "art. 32", "a compensated loan accepts no repayment")
        if principal > loan.outstanding_principal:
            raise RuleViolation(
                "repayment_exceeds_outstanding",
                "art. 22",
                f"principal {principal} > outstanding {loan.outstanding_principal}",
            )
        repayment = Repayment.objects.create(
            loan=loan,
            paid_on=paid_on,
            principal=principal,
            interest=interest,
            backdated=is_backdated(paid_on),
        )
        if principal == ZERO:
            return repayment

        _apply_to_schedule(loan, principal)
        loan.outstanding_principal -= principal
        fields = ["outstanding_principal"]
        closed = loan.outstanding_principal == ZERO
        if closed:
            loan.status = LoanStatus.REPAID
            loan.closed_on = Repayment.objects.filter(loan=loan, principal__gt=0).aggregate(last=Max("paid_on"))["last"]
            fields += ["status", "closed_on"]
        loan.save(update_fields=fields)

        # the counters in the lock order of riskfund/pool/posting.py: bank (and its agreement), district, pool last
        bank_update = {"outstanding_principal": money_plus("outstanding_principal", -principal)}
        if closed:
            bank_update["active_loans"] = F("active_loans") - 1
        Bank.objects.filter(pk=loan.bank_id).update(**bank_update)
        if closed:
            bank = Bank.objects.get(pk=loan.bank_id)
            ending = Agreement.objects.filter(bank=bank, status=AgreementStatus.ENDING).exists()
            if ending and bank.active_loans == 0:
                agreement_loans_closed(bank=bank, closed_on=loan.closed_on)
        Funder.objects.filter(pk=loan.district_id).update(
            outstanding_principal=money_plus("outstanding_principal", -principal)
        )
        state = pool_outstanding_add(delta=-principal)
        if is_backdated(paid_on, state) != repayment.backdated:  # a close of business ran meanwhile
            repayment.backdated = not repayment.backdated
            repayment.save(update_fields=["backdated"])
    return repayment


def loan_event_record(
    *, loan: Loan, kind: str, occurred_on: date, notes: str = "", today: date | None = None
) -> LoanEvent:
    """A post-loan event reported by the bank (art. 29 visits and warnings, art. 31 reminders and collection,
    art. 33 litigation and enforcement, art. 35 recovery reports); ``occurred_on`` may not be in the future, and
    at or before the last closed business date it is ``backdated`` (SPEC §12)."""
    if kind not in LoanEventKind.values:
        raise invalid("kind", f"未知贷后事项 {kind!r}", "art. 29")
    not_in_future(occurred_on, "occurred_on", today_or_default(today))
    return LoanEvent.objects.create(
        loan=loan, kind=kind, occurred_on=occurred_on, notes=notes or "", backdated=is_backdated(occurred_on)
    )
