"""Writes of the parties: banks, guarantors, the end of a cooperation agreement, commitments. Nothing here moves
money: signing an agreement (its initial deposit) and returning the deposit are the pool's
(riskfund/pool/agreements.py).

Services here lock the ``Bank`` row, then its agreement — the global lock order of riskfund/pool/posting.py.
"""

import re
from datetime import date
from decimal import Decimal

from django.db import transaction

from riskfund import dates
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.ledger.models import Side
from riskfund.ledger.services import account_open
from riskfund.money import ZERO, to_money
from riskfund.policy.selectors import policy_for_pool

from .models import Agreement, AgreementStatus, Bank, Funder, FunderTier, Guarantor

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


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
