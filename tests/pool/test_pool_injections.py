"""Art. 8, 13: injections and replenishments, their reversal, and the posting path's guards (SPEC §4, §6)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from riskfund.errors import RuleViolation
from riskfund.ledger.models import Transaction
from riskfund.ledger.selectors import account_balance
from riskfund.parties.models import Funder, Guarantor
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import Injection
from riskfund.pool.services import injection_post, injection_reverse, pool_post

D = Decimal


def test_art8_injection_posts_special_against_funder_and_sets_first_payment(seeded, invariant):
    district = Funder.objects.get(code="150207")
    later = injection_post(funder=district, paid_on=date(2025, 5, 1), amount=D("3000000"), reference="NB-2025-18")
    earlier = injection_post(funder=district, paid_on=date(2025, 2, 1), amount=D("2000000.50"))
    district.refresh_from_db()
    assert district.first_paid_on == date(2025, 2, 1)  # the instalment window starts at the first payment
    assert district.replenished_total == D("0.00")
    assert account_balance("funder:150207") == D("5000000.50")
    assert account_balance("pool:special") == D("5000000.50")
    assert later.transaction.reference == "NB-2025-18"
    assert invariant().pool_funds == D("5000000.50")

    injection_reverse(injection=earlier, reversed_on=date(2025, 5, 2), reason="到账金额录入错误")
    district.refresh_from_db()
    assert district.first_paid_on == date(2025, 5, 1)
    assert account_balance("funder:150207") == D("3000000.00")
    assert invariant().pool_funds == D("3000000.00")
    earlier.refresh_from_db()
    assert earlier.reversal.reverses_id == earlier.transaction_id
    with pytest.raises(RuleViolation) as err:
        injection_reverse(injection=earlier, reversed_on=date(2025, 5, 3), reason="again")
    assert err.value.code == "injection_already_reversed"


def test_art13_replenishment_counts_in_replenished_total_and_its_reversal_takes_it_back(seeded, invariant):
    city = Funder.objects.get(code="city")
    replenishment = injection_post(funder=city, paid_on=date(2025, 6, 1), amount=D("0.01"), kind="replenishment")
    city.refresh_from_db()
    assert city.replenished_total == D("0.01")
    injection_reverse(injection=replenishment, reversed_on=date(2025, 6, 1), reason="测试")
    city.refresh_from_db()
    assert (city.replenished_total, city.first_paid_on) == (D("0.00"), None)
    invariant()


def test_injection_amount_must_be_positive_and_paid_on_not_in_the_future(seeded):
    region = Funder.objects.get(code="region")
    for amount in (D("0"), D("-1.00"), D("1.001")):
        with pytest.raises(RuleViolation) as err:
            injection_post(funder=region, paid_on=date(2025, 1, 6), amount=amount)
        assert (err.value.code, err.value.status) == ("validation_error", 400)
    with pytest.raises(RuleViolation) as err:
        injection_post(funder=region, paid_on=timezone.localdate() + timedelta(days=1), amount=D("1"))
    assert err.value.code == "date_in_future"
    assert not Injection.objects.exists()
    assert not Transaction.objects.exists()


def test_a_reversal_that_would_overdraw_the_special_account_is_refused(seeded, invariant):
    injection = injection_post(funder=Funder.objects.get(code="region"), paid_on=date(2025, 1, 6), amount=D("1000000"))
    bank = bank_create(code="ICBC", name="工商银行")
    agreement_sign(bank=bank, guarantor=Guarantor.objects.create(code="G", name="担保"), signed_on=date(2025, 1, 7))
    with pytest.raises(RuleViolation) as err:
        injection_reverse(injection=injection, reversed_on=date(2025, 1, 8), reason="退回")
    assert (err.value.code, err.value.clause) == ("insufficient_pool_funds", "art. 11")
    injection.refresh_from_db()
    assert injection.reversal is None
    assert invariant().pool_funds == D("1000000.00")


def test_pool_post_with_nothing_to_post_writes_nothing(seeded):
    assert (
        pool_post(
            kind="x",
            business_date=date(2025, 1, 6),
            debits=[("pool:special", D("0"))],
            credits=[("funder:city", D("0"))],
            cause="nothing",
        )
        is None
    )
    assert not Transaction.objects.exists()
