"""SPEC §8 "dates in services": the admin goes through the services, so a staff event dated after today is refused
there as in the API — an error message naming ``date_in_future``, never a 500, and nothing is written."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

import riskfund.dates
from riskfund.errors import RuleViolation
from riskfund.ledger.selectors import account_balance
from riskfund.parties.models import Agreement, Funder, Guarantor
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import Injection, InterestCredit
from riskfund.pool.services import injection_post

D = Decimal
TODAY = date(2025, 3, 10)
TOMORROW = date(2025, 3, 11)


@pytest.fixture
def bureau_client(client, seeded, monkeypatch):
    """A superuser in the admin on 2025-03-10 (Asia/Shanghai): ``riskfund.dates.business_today`` is the one clock."""
    monkeypatch.setattr(riskfund.dates, "business_today", lambda: TODAY)
    client.force_login(get_user_model().objects.create_superuser(username="ann", password="pw-unused-123"))
    return client


def _errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_spec8_admin_injection_dated_tomorrow_is_refused_with_a_message(bureau_client):
    response = bureau_client.post(
        reverse("admin:pool_injection_add"),
        {"funder": "150202", "kind": "injection", "paid_on": TOMORROW.isoformat(), "amount": "8000000.00"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("date_in_future" in m and "2025-03-11" in m for m in _errors(response))
    assert not Injection.objects.exists()
    assert account_balance("funder:150202") == D("0.00")


def test_spec8_art12_admin_interest_credited_tomorrow_is_refused_with_a_message(bureau_client):
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("3000000"))
    response = bureau_client.post(
        reverse("admin:pool_interestcredit_add"),
        {"credited_on": TOMORROW.isoformat(), "amount": "1234.56", "account": "special", "reference": "Q1"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("date_in_future" in m for m in _errors(response))
    assert not InterestCredit.objects.exists()
    assert account_balance("pool:interest") == D("0.00")


def test_spec8_art18_admin_agreement_end_dated_tomorrow_is_refused_with_a_message(bureau_client):
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("3000000"))
    bank = bank_create(code="ICBC", name="工商银行")
    guarantor = Guarantor.objects.create(code="G", name="担保")
    agreement = agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2025, 1, 7))
    response = bureau_client.post(
        reverse("admin:parties_agreement_changelist"),
        {"action": "end_selected", "_selected_action": [agreement.pk], "on_date": TOMORROW.isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert any("date_in_future" in m for m in _errors(response))
    assert Agreement.objects.get().status == "active"


def test_spec8_art16_agreement_signed_tomorrow_is_refused_by_the_service(seeded, monkeypatch):
    """The same check without the admin: the service reads today from ``riskfund.dates.business_today``."""
    monkeypatch.setattr(riskfund.dates, "business_today", lambda: TODAY)
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("3000000"))
    bank = bank_create(code="ICBC", name="工商银行")
    guarantor = Guarantor.objects.create(code="G", name="担保")
    with pytest.raises(RuleViolation) as refused:
        agreement_sign(bank=bank, guarantor=guarantor, signed_on=TOMORROW)
    assert refused.value.code == "date_in_future"
    assert agreement_sign(bank=bank, guarantor=guarantor, signed_on=TODAY).signed_on == TODAY
    assert account_balance("deposit:ICBC") == D("1000000.00")
