"""Art. 16, 18: signing places the initial deposit; ending the cooperation returns it within 10 working
days of the official calendar once every loan is closed, late returns flagged."""

from datetime import date
from decimal import Decimal

import pytest

from riskfund.errors import RuleViolation
from riskfund.ledger.models import Account, Side
from riskfund.ledger.selectors import account_balance
from riskfund.parties.models import Agreement, AgreementStatus, Bank, Funder, Guarantor
from riskfund.parties.services import agreement_end, agreement_loans_closed, bank_create, guarantor_create
from riskfund.pool.agreements import agreement_sign, deposit_return
from riskfund.pool.models import PoolState
from riskfund.pool.services import injection_post, interest_post

D = Decimal


@pytest.fixture
def parties(seeded):
    injection_post(funder=Funder.objects.get(code="region"), paid_on=date(2025, 1, 6), amount=D("6000000"))
    return bank_create(code="ICBC", name="中国工商银行包头分行"), guarantor_create(code="BAIJIA", name="百佳担保")


def test_bank_create_opens_its_deposit_and_payable_accounts(seeded):
    bank = bank_create(code="BOC", name="中国银行包头分行")
    sides = dict(Account.objects.filter(code__endswith=":BOC").values_list("code", "normal_side"))
    assert sides == {"deposit:BOC": Side.DEBIT, "payable:BOC": Side.CREDIT}
    assert (bank.outstanding_principal, bank.active_loans) == (D("0.00"), 0)
    with pytest.raises(RuleViolation) as err:
        bank_create(code="BOC", name="again")
    assert err.value.code == "bank_code_taken"
    with pytest.raises(RuleViolation) as err:
        bank_create(code="deposit:X", name="bad")
    assert (err.value.code, err.value.status) == ("validation_error", 400)


def test_art16_signing_places_the_initial_deposit_of_1_million(parties, invariant):
    bank, guarantor = parties
    before = PoolState.objects.get(pk=1)
    agreement = agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 1, 10))
    after = invariant()
    assert agreement.status == AgreementStatus.ACTIVE
    assert account_balance("pool:special") == D("5000000.00")  # 6,000,000 − 1,000,000
    assert account_balance("deposit:ICBC") == D("1000000.00")
    assert (
        (after.pool_funds, after.pool_balance)
        == (before.pool_funds, before.pool_balance)
        == (
            D("6000000.00"),
            D("6000000.00"),
        )
    )
    assert agreement.deposit_transaction.kind == "deposit_initial"
    with pytest.raises(RuleViolation) as err:
        agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 2, 1))
    assert err.value.code == "agreement_exists"


def test_art16_signing_is_refused_when_the_special_account_lacks_the_deposit(seeded):
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("999999.99"))
    bank = bank_create(code="ABC", name="农业银行")
    with pytest.raises(RuleViolation) as err:
        agreement_sign(bank=bank, guarantor=guarantor_create(code="G", name="担保"), signed_on=date(2025, 1, 10))
    assert (err.value.code, err.value.clause) == ("insufficient_pool_funds", "art. 16")
    assert not Agreement.objects.exists()
    assert account_balance("deposit:ABC") == D("0.00")


def test_art18_ended_with_no_loans_the_deposit_is_due_after_10_working_days_across_national_day(parties, invariant):
    bank, guarantor = parties
    agreement = agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 1, 10))
    interest_post(credited_on=date(2025, 6, 21), amount=D("2500.00"), account="ICBC")
    agreement = agreement_end(agreement=agreement, ended_on=date(2025, 9, 26))
    # Fri 26 Sept 2025: working days 28 Sept (Sunday, made up), 29, 30 Sept, then 1–8 Oct holiday,
    # 9, 10, 11 (Saturday, made up), 13, 14, 15, 16 Oct → the 10th is 16 October
    assert (agreement.status, agreement.return_due_on) == (AgreementStatus.ENDING, date(2025, 10, 16))
    with pytest.raises(RuleViolation) as err:
        agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 10, 1))
    assert err.value.code == "agreement_exists"

    agreement = deposit_return(agreement=agreement, returned_on=date(2025, 10, 16))
    assert (agreement.status, agreement.return_late, agreement.deposit_returned_on) == (
        AgreementStatus.ENDED,
        False,
        date(2025, 10, 16),
    )
    assert account_balance("deposit:ICBC") == D("0.00")
    assert account_balance("pool:special") == D("6002500.00")  # deposit and its interest are back
    assert invariant().pool_balance == D("6002500.00")


def test_art18_a_return_after_the_due_date_is_flagged_late(parties, invariant):
    bank, guarantor = parties
    agreement = agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 1, 10))
    agreement = agreement_end(agreement=agreement, ended_on=date(2025, 9, 26))
    agreement = deposit_return(agreement=agreement, returned_on=date(2025, 10, 17))
    assert agreement.return_late is True
    assert account_balance("pool:special") == D("6000000.00")
    invariant()


def test_art18_with_active_loans_the_return_waits_for_the_last_loan_to_close(parties, invariant):
    bank, guarantor = parties
    agreement = agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 1, 10))
    Bank.objects.filter(pk=bank.pk).update(active_loans=2, outstanding_principal=D("3000000"))  # as lending keeps
    agreement = agreement_end(agreement=agreement, ended_on=date(2025, 3, 31))
    assert (agreement.status, agreement.return_due_on) == (AgreementStatus.ENDING, None)
    with pytest.raises(RuleViolation) as err:
        deposit_return(agreement=agreement, returned_on=date(2025, 4, 1))
    assert (err.value.code, err.value.clause) == ("loans_active", "art. 18")
    assert agreement_loans_closed(bank=bank, closed_on=date(2025, 5, 30)) is None  # loans still active

    Bank.objects.filter(pk=bank.pk).update(active_loans=0, outstanding_principal=D("0"))
    agreement = agreement_loans_closed(bank=bank, closed_on=date(2025, 5, 30))
    # Fri 30 May 2025; 31 May – 2 June is the Dragon Boat holiday: 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 June
    assert agreement.return_due_on == date(2025, 6, 16)
    agreement = deposit_return(agreement=agreement, returned_on=date(2025, 6, 16))
    assert (agreement.status, agreement.return_late) == (AgreementStatus.ENDED, False)
    invariant()


def test_art18_only_an_active_agreement_ends(parties):
    bank, guarantor = parties
    agreement = agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 1, 10))
    agreement_end(agreement=agreement, ended_on=date(2025, 3, 31))
    with pytest.raises(RuleViolation) as err:
        agreement_end(agreement=agreement, ended_on=date(2025, 4, 1))
    assert err.value.code == "agreement_not_active"
    assert Guarantor.objects.get(code="BAIJIA").agreements.count() == 1
