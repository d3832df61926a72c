"""Art. 12: interest on the special account and on bank deposits rolls into the pool (counts in F)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from riskfund.errors import RuleViolation
from riskfund.ledger.selectors import account_balance
from riskfund.parties.models import Funder, Guarantor
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import InterestCredit, PoolState
from riskfund.pool.services import injection_post, interest_post

D = Decimal


@pytest.fixture
def funded(seeded):
    injection_post(funder=Funder.objects.get(code="region"), paid_on=date(2025, 1, 6), amount=D("5000000"))
    bank = bank_create(code="ICBC", name="中国工商银行包头分行")
    guarantor = Guarantor.objects.create(code="BAIJIA", name="包头市百佳融资担保有限责任公司")
    agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 1, 10))
    return bank


def test_art12_interest_to_special_and_to_a_deposit_grows_pool_funds_by_13345_68(funded, invariant):
    before = PoolState.objects.get(pk=1)
    assert (before.pool_funds, account_balance("deposit:ICBC")) == (D("5000000.00"), D("1000000.00"))
    special = interest_post(credited_on=date(2025, 3, 21), amount=D("12345.67"), account="special", reference="Q1")
    on_deposit = interest_post(credited_on=date(2025, 3, 21), amount=D("1000.01"), account="ICBC")
    after = invariant()
    assert after.pool_funds - before.pool_funds == D("13345.68")
    assert after.pool_balance - before.pool_balance == D("13345.68")
    assert account_balance("pool:interest") == D("13345.68")
    assert account_balance("pool:special") == D("4012345.67")
    assert account_balance("deposit:ICBC") == D("1001000.01")
    assert InterestCredit.objects.count() == 2
    assert special.transaction.entries.count() == 2
    assert on_deposit.account == "ICBC"
    # the ledger browser's summary names the account for people, never by its code
    assert special.transaction.description == "利息入账 资金池专户"
    assert on_deposit.transaction.description == "利息入账 风险补偿抵押金—中国工商银行包头分行"


def test_art12_interest_to_an_unknown_bank_is_refused(funded):
    with pytest.raises(RuleViolation) as err:
        interest_post(credited_on=date(2025, 3, 21), amount=D("1.00"), account="NOPE")
    assert (err.value.code, err.value.status) == ("validation_error", 400)
    assert not InterestCredit.objects.exists()


def test_art12_the_admin_names_the_interest_account_and_offers_it_by_name(funded, admin_client):
    add = admin_client.get(reverse("admin:pool_interestcredit_add")).content.decode()
    assert '<option value="special">资金池专户</option>' in add
    assert '<option value="ICBC">风险补偿抵押金—中国工商银行包头分行</option>' in add
    response = admin_client.post(
        reverse("admin:pool_interestcredit_add"),
        {"credited_on": "2025-03-21", "amount": "1000.01", "account": "ICBC", "reference": "Q1"},
    )
    assert response.status_code == 302
    assert account_balance("deposit:ICBC") == D("1001000.01")
    listing = admin_client.get(reverse("admin:pool_interestcredit_changelist")).content.decode()
    assert "风险补偿抵押金—中国工商银行包头分行" in listing
