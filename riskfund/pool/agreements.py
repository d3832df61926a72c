"""The money of a cooperation agreement (art. 16, 18): signing places the bank's initial deposit from the special
account, and the deposit returns to it once the agreement has ended. The agreement's other writes (its end, the
return's due date) are riskfund/parties/services.py.

Services here lock the ``Bank`` row, then its agreement, then (when a balance decides the amount) the ledger
accounts — the global lock order of riskfund/pool/posting.py, which takes the ``PoolState`` row last.
"""

from datetime import date

from django.db import transaction

from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.ledger.chart import SPECIAL
from riskfund.money import ZERO
from riskfund.parties.models import Agreement, AgreementStatus, Bank, Guarantor
from riskfund.policy.selectors import policy_for_pool

from .posting import accounts_lock, pool_post
from .services import deposit_place

OPEN_AGREEMENT = [AgreementStatus.ACTIVE, AgreementStatus.ENDING]


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
            description=f"风险补偿抵押金退回 {bank.name}",
            user=user,
        )
        agreement.status = AgreementStatus.ENDED
        agreement.deposit_returned_on = returned_on
        agreement.return_late = agreement.return_due_on is not None and returned_on > agreement.return_due_on
        agreement.save(update_fields=["status", "deposit_returned_on", "return_late", "return_transaction"])
    return agreement
