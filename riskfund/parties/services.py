"""Writes of the parties: banks, guarantors, cooperation agreements and their deposits, commitments.

Money moves through ``pool_post`` / ``deposit_place``; services here lock the ``Bank`` row, then its agreement, then
(when a balance decides the amount) the ledger accounts — the global lock order of riskfund/pool/posting.py, which
takes the ``PoolState`` row last.
"""

import re
from datetime import date
from decimal import Decimal

from django.db import transaction

from riskfund import dates
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.ledger.chart import SPECIAL
from riskfund.ledger.models import Side
from riskfund.ledger.services import account_open
from riskfund.money import ZERO, to_money
from riskfund.policy.selectors import policy_for_pool
from riskfund.pool.posting import accounts_lock, pool_post
from riskfund.pool.services import deposit_place

from .models import Agreement, AgreementStatus, Bank, Funder, FunderTier, Guarantor

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
OPEN_AGREEMENT = [AgreementStatus.ACTIVE, AgreementStatus.ENDING]


def _check_code(code: str) -> str:
    code = code.strip()
    if not CODE_RE.fullmatch(code):
        raise RuleViolation(
            "validation_error", "", "code: 1–32 letters, digits, '-' or '_' (it names ledger accounts)", status=400
        )
    return code


def _deposit_return_due(after: date) -> date:
    """Art. 18: the deposit returns within N working days (official PRC calendar) after ``after``."""
    from riskfund.policy.calendar import add_working_days

    return add_working_days(after, policy_for_pool(after).deposit_return_working_days)


def bank_create(*, code: str, name: str) -> Bank:
    """A cooperating bank (art. 14) with its accounts ``deposit:<code>`` (debit) and ``payable:<code>`` (credit)."""
    code = _check_code(code)
    with transaction.atomic():
        if Bank.objects.filter(code=code).exists():
            raise RuleViolation("bank_code_taken", "art. 14", f"a bank with code {code} exists")
        bank = Bank.objects.create(code=code, name=name.strip())
        account_open(code=bank.deposit_account_code, name=f"风险补偿抵押金—{bank.name}", normal_side=Side.DEBIT)
        account_open(code=bank.payable_account_code, name=f"应付代偿款—{bank.name}", normal_side=Side.CREDIT)
    return bank


def guarantor_create(*, code: str, name: str) -> Guarantor:
    """A cooperating guarantee company (art. 14, 20)."""
    code = _check_code(code)
    with transaction.atomic():
        if Guarantor.objects.filter(code=code).exists():
            raise RuleViolation("guarantor_code_taken", "art. 14", f"a guarantor with code {code} exists")
        return Guarantor.objects.create(code=code, name=name.strip())


def agreement_sign(
    *,
    bank: Bank,
    guarantor: Guarantor,
    signed_on: date,
    ends_on: date | None = None,
    user=None,
    today: date | None = None,
) -> Agreement:
    """Sign a cooperation agreement and place the initial deposit (art. 16: 签订合作协议后，安排“资金池”首笔
    存入100万元风险补偿抵押金) from pool:special to deposit:B.

    A ``signed_on`` after today → ``date_in_future`` (SPEC §8; ``ends_on`` may lie ahead). A bank has at most one
    agreement that is active or ending (``agreement_exists``); the special account must hold the deposit
    (``insufficient_pool_funds``).
    """
    if ends_on is not None and ends_on < signed_on:
        raise RuleViolation("validation_error", "", "ends_on is before signed_on", status=400)
    not_in_future(signed_on, "signed_on", today)
    with transaction.atomic():
        bank = Bank.objects.select_for_update().get(pk=bank.pk)
        if Agreement.objects.filter(bank=bank, status__in=OPEN_AGREEMENT).exists():
            raise RuleViolation("agreement_exists", "art. 16", f"{bank.code} already has an agreement in force")
        agreement = Agreement.objects.create(
            bank=bank, guarantor=guarantor, signed_on=signed_on, ends_on=ends_on, created_by=user
        )
        agreement.deposit_transaction = deposit_place(
            bank=bank,
            amount=policy_for_pool(signed_on).initial_deposit,
            business_date=signed_on,
            kind="deposit_initial",
            cause=f"agreement {agreement.pk}",
            reference=str(agreement.pk),
            user=user,
        )
        agreement.save(update_fields=["deposit_transaction"])
    return agreement


def agreement_end(*, agreement: Agreement, ended_on: date, user=None, today: date | None = None) -> Agreement:
    """End the cooperation (art. 18): no new loans; once every loan of the bank is closed the deposit is
    due back within N working days. With no active loan the return is due from ``ended_on``; an ``ended_on``
    after today → ``date_in_future`` (SPEC §8)."""
    not_in_future(ended_on, "ended_on", today)
    with transaction.atomic():
        bank = Bank.objects.select_for_update().get(pk=agreement.bank_id)
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.status != AgreementStatus.ACTIVE:
            raise RuleViolation("agreement_not_active", "art. 18", "only an active agreement can be ended")
        if ended_on < agreement.signed_on:
            raise RuleViolation("validation_error", "", "ended_on is before signed_on", status=400)
        agreement.status = AgreementStatus.ENDING
        agreement.ended_on = ended_on
        if bank.active_loans == 0:
            agreement.return_due_on = _deposit_return_due(ended_on)
        agreement.save(update_fields=["status", "ended_on", "return_due_on"])
    return agreement


def agreement_loans_closed(*, bank: Bank, closed_on: date) -> Agreement | None:
    """For the lending code, when a bank's last active loan closes (art. 18 待存量业务履行完毕后): an ending
    agreement's deposit becomes due back N working days after ``closed_on``. Returns it, or None."""
    with transaction.atomic():
        bank = Bank.objects.select_for_update().get(pk=bank.pk)
        if bank.active_loans != 0:
            return None
        agreement = (
            Agreement.objects.select_for_update()
            .filter(bank=bank, status=AgreementStatus.ENDING, return_due_on__isnull=True)
            .first()
        )
        if agreement is None:
            return None
        agreement.return_due_on = _deposit_return_due(max(closed_on, agreement.ended_on))
        agreement.save(update_fields=["return_due_on"])
    return agreement


def deposit_return(*, agreement: Agreement, returned_on: date, user=None, today: date | None = None) -> Agreement:
    """The trustee returns the whole deposit (with its interest) to the special account: pool:special ←
    deposit:B (art. 18). Refused while the bank has active loans (``loans_active``); a return after the due
    date is accepted and flagged late; a ``returned_on`` after today → ``date_in_future`` (SPEC §8)."""
    not_in_future(returned_on, "returned_on", today)
    with transaction.atomic():
        bank = Bank.objects.select_for_update().get(pk=agreement.bank_id)
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.status != AgreementStatus.ENDING:
            raise RuleViolation("agreement_not_ending", "art. 18", "the deposit returns only after the agreement ends")
        if bank.active_loans > 0:
            raise RuleViolation("loans_active", "art. 18", f"{bank.code} still has {bank.active_loans} active loan(s)")
        if returned_on < agreement.ended_on:
            raise RuleViolation("validation_error", "", "returned_on is before ended_on", status=400)
        balance = accounts_lock([SPECIAL, bank.deposit_account_code]).get(bank.deposit_account_code, ZERO)
        agreement.return_transaction = pool_post(
            kind="deposit_return",
            business_date=returned_on,
            debits=[(SPECIAL, balance)],
            credits=[(bank.deposit_account_code, balance)],
            cause=f"deposit return {agreement.pk}",
            reference=str(agreement.pk),
            description=f"风险补偿抵押金退回 {bank.code}",
            user=user,
        )
        agreement.status = AgreementStatus.ENDED
        agreement.deposit_returned_on = returned_on
        agreement.return_late = agreement.return_due_on is not None and returned_on > agreement.return_due_on
        agreement.save(update_fields=["status", "deposit_returned_on", "return_late", "return_transaction"])
    return agreement


def commitment_set(*, funder: Funder, amount: Decimal, reduced_standard: bool = False, reason: str = "") -> Funder:
    """A district's injection commitment (art. 8: 原则上不低于800万元 … 可适当降低，但不应低于400万元).

    Districts only (``commitment_not_district``); at least the minimum, or the reduced minimum with the
    reduced-standard flag (``commitment_below_minimum``), the flag needing a reason
    (``reduced_standard_reason_required``).
    """
    amount = to_money(amount)
    reason = reason.strip()
    policy = policy_for_pool(dates.business_today())
    with transaction.atomic():
        funder = Funder.objects.select_for_update().get(pk=funder.pk)
        if funder.tier != FunderTier.DISTRICT:
            raise RuleViolation("commitment_not_district", "art. 8", "only a district commits to a minimum injection")
        if reduced_standard and not reason:
            raise RuleViolation("reduced_standard_reason_required", "art. 8", "the reduced standard needs a reason")
        minimum = policy.district_reduced_min_injection if reduced_standard else policy.district_min_injection
        if amount < minimum or amount <= ZERO:
            raise RuleViolation("commitment_below_minimum", "art. 8", f"the commitment must be at least {minimum}")
        funder.commitment = amount
        funder.reduced_standard = reduced_standard
        funder.reduced_reason = reason if reduced_standard else ""
        funder.save(update_fields=["commitment", "reduced_standard", "reduced_reason"])
    return funder
