"""Art. 37, 38: new lending stops while net compensation ≥ 20 % of pool funds; a replenishment or a
recovery resumes it (SPEC §5). Every crossing is a PoolStateChange."""

from datetime import date
from decimal import Decimal

import pytest

from riskfund.outbox.models import OutboxEvent
from riskfund.parties.models import Funder, Guarantor
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import PoolStateChange
from riskfund.pool.selectors import funder_list, pool_position
from riskfund.pool.services import injection_post, pool_suspension_check

D = Decimal
DAY = date(2025, 3, 3)


def inject(code: str, amount: str, kind: str = "injection", on: date = DAY) -> None:
    injection_post(funder=Funder.objects.get(code=code), paid_on=on, amount=D(amount), kind=kind)


@pytest.fixture
def pool_24_2_million(seeded):
    for code, amount in [("region", "6000000"), ("city", "6000000"), ("150202", "8000000"), ("150203", "4200000")]:
        inject(code, amount)
    bank = bank_create(code="ICBC", name="中国工商银行包头分行")
    agreement_sign(bank=bank, guarantor=Guarantor.objects.create(code="G", name="担保"), signed_on=DAY)
    return bank


def test_art37_net_compensation_5107999_99_on_24_2_million_suspends_and_replenishment_resumes(
    pool_24_2_million, invariant, loss
):
    # 4,839,999.99 < 20 % × 24,200,000 = 4,840,000: still open
    loss(bank_code="ICBC", district="150202", amount=D("4839999.99"), on=date(2025, 5, 6))
    state = invariant()
    assert state.suspended is False
    assert not PoolStateChange.objects.exists()

    loss(bank_code="ICBC", district="150203", amount=D("268000.00"), on=date(2025, 5, 7))
    state = invariant()
    assert state.net_compensation == D("5107999.99")
    assert state.pool_balance == D("19092000.01")  # 24,200,000 − 5,107,999.99
    assert state.suspended is True
    change = PoolStateChange.objects.get()
    assert (change.suspended, change.business_date) == (True, date(2025, 5, 7))
    assert change.ratio == D("0.211074")  # 5,107,999.99 ÷ 24,200,000 = 0.21107437…
    assert (change.pool_funds, change.net_compensation) == (D("24200000.00"), D("5107999.99"))
    position = pool_position(date(2025, 5, 7))
    assert position["compensation_ratio"] == D("0.211074")
    assert position["suspended"] is True
    assert (position["new_business_open"], position["new_business_closed_reason"]) == (False, "pool_suspended")
    # 5,107,999.99 ÷ 0.2 − 24,200,000 = 1,339,999.95, + 0.01
    assert position["resume_replenishment"] == D("1339999.96")
    city = next(row for row in funder_list(date(2025, 5, 7)) if row["code"] == "city")
    assert city["replenishment_due"] == D("1339999.96")  # art. 38 (二): the city replenishes

    inject("city", "1000000", kind="replenishment", on=date(2025, 6, 2))
    state = invariant()
    assert state.pool_funds == D("25200000.00")
    assert state.suspended is True  # 20 % × 25,200,000 = 5,040,000 ≤ 5,107,999.99
    assert PoolStateChange.objects.count() == 1
    position = pool_position(date(2025, 6, 2))
    assert position["compensation_ratio"] == D("0.202698")
    assert position["resume_replenishment"] == D("339999.96")  # 25,539,999.95 − 25,200,000 + 0.01

    inject("city", "1000000", kind="replenishment", on=date(2025, 6, 9))
    state = invariant()
    assert state.pool_funds == D("26200000.00")
    assert state.suspended is False  # 5,240,000 > 5,107,999.99
    resumed = PoolStateChange.objects.order_by("-occurred_at", "-business_date").first()
    assert PoolStateChange.objects.count() == 2
    # 5,107,999.99 ÷ 26,200,000 = 0.1949618…, truncated toward zero (SPEC §4)
    assert (resumed.suspended, resumed.ratio, resumed.business_date) == (False, D("0.194961"), date(2025, 6, 9))
    assert pool_position(date(2025, 6, 9))["resume_replenishment"] == D("0.00")
    # SPEC §5: each change notified the active bank through the outbox, in the same transaction
    events = list(OutboxEvent.objects.filter(bank=pool_24_2_million).order_by("created").values_list("type", "data"))
    assert [t for t, _ in events] == ["pool.suspended", "pool.resumed"]
    assert events[0][1]["compensation_ratio"] == "0.211074"
    assert events[1][1]["pool_funds"] == "26200000.00"


def test_art37_the_resume_amount_exactly_resumes_the_pool(pool_24_2_million, invariant, loss):
    loss(bank_code="ICBC", district="150202", amount=D("5107999.99"), on=date(2025, 5, 6))
    assert invariant().suspended is True
    inject("city", "1339999.95", kind="replenishment", on=date(2025, 6, 2))
    assert invariant().suspended is True  # N = 20 % × F exactly: still suspended (≥)
    inject("city", "0.01", kind="replenishment", on=date(2025, 6, 3))
    assert invariant().suspended is False


def test_art37_net_compensation_exactly_20_percent_of_funds_suspends(seeded, invariant, loss):
    inject("region", "10000000")
    bank = bank_create(code="CCB", name="建设银行")
    agreement_sign(bank=bank, guarantor=Guarantor.objects.create(code="G", name="担保"), signed_on=DAY)
    loss(bank_code="CCB", district="150207", amount=D("1999999.99"), on=date(2025, 5, 6))
    assert invariant().suspended is False
    loss(bank_code="CCB", district="150207", amount=D("0.01"), on=date(2025, 5, 7))
    state = invariant()
    assert state.net_compensation == D("2000000.00")
    assert state.suspended is True
    assert PoolStateChange.objects.get().ratio == D("0.200000")


def test_art37_a_recovery_lowering_net_compensation_resumes(pool_24_2_million, invariant, loss):
    from riskfund.pool.services import pool_post

    loss(bank_code="ICBC", district="150202", amount=D("5107999.99"), on=date(2025, 5, 6))
    assert invariant().suspended is True
    # a recovery of pool share 268,000 credits the losses back (SPEC §4), N falls to 4,839,999.99
    pool_post(
        kind="recovery",
        business_date=date(2025, 7, 1),
        debits=[("pool:special", D("268000.00"))],
        credits=[("loss:region", D("80400.00")), ("loss:city", D("80400.00")), ("loss:150202", D("107200.00"))],
        cause="test recovery",
    )
    state = invariant()
    assert (state.net_compensation, state.suspended) == (D("4839999.99"), False)
    assert [c.suspended for c in PoolStateChange.objects.order_by("business_date")] == [True, False]


def test_art37_with_no_pool_funds_the_ratio_is_zero_and_nothing_is_suspended(seeded):
    assert pool_suspension_check(business_date=DAY, cause="daily check") is None
    position = pool_position(DAY)
    assert (position["compensation_ratio"], position["suspended"]) == (D("0.000000"), False)


def test_art37_a_pool_just_below_the_line_never_shows_the_line(pool_24_2_million, invariant, loss):
    """SPEC §4: 4,839,999.99 ÷ 24,200,000 = 0.19999999958…; rounded half-up it would read "0.200000", the line
    itself, for a pool that is open. Truncated toward zero it reads 0.199999."""
    loss(bank_code="ICBC", district="150202", amount=D("4839999.99"), on=date(2025, 5, 6))
    invariant()
    position = pool_position(date(2025, 5, 6))
    assert (position["suspended"], position["new_business_open"]) == (False, True)
    assert str(position["compensation_ratio"]) == "0.199999"
