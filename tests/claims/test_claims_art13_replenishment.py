"""Art. 13 (对发生代偿的地区……应及时补充“资金池”代偿资金，补充后应不低于地区最低注资标准) and SPEC §6: after real
compensations and recoveries, a district's replenishment due = max(0, L_d − R_d, M_d − (P_d − L_d))."""

from datetime import date
from decimal import Decimal

from claims_world import MATURITY_ON, TODAY, after, inject
from pipeline_support import collected

from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.parties.models import Funder
from riskfund.parties.services import commitment_set
from riskfund.pool.selectors import funder_list

D = Decimal
DAY_26 = after(MATURITY_ON, 26)


def due() -> dict[str, Decimal]:
    return {row["code"]: row["replenishment_due"] for row in funder_list(TODAY)}


def loss_of(code: str) -> Decimal:
    return next(row["loss"] for row in funder_list(TODAY) if row["code"] == code)


def test_art13_district_replenishment_due_follows_compensation_replenishment_and_recovery(world):
    # before any loss: 150202 paid its minimum 8,000,000; 150203 paid 4,200,000 of the standard 8,000,000
    assert (due()["150202"], due()["150203"], due()["region"], due()["city"]) == (
        D("0.00"),
        D("3800000.00"),
        D("0.00"),
        D("0.00"),
    )
    loan = world.lend("5000000")  # 150202
    compensation_claim(loan=collected(loan, DAY_26), deducted_on=DAY_26, today=TODAY)
    # L = 800,000, R = 0, P = 8,000,000, M = 8,000,000: max(0, 800,000, 8,000,000 − 7,200,000) = 800,000
    assert (loss_of("150202"), due()["150202"]) == (D("800000.00"), D("800000.00"))
    assert (loss_of("region"), due()["region"], due()["city"]) == (D("600000.00"), D("0.00"), D("0.00"))

    inject("150202", "500000", on=date(2024, 10, 10), kind="replenishment")
    # P = 8,500,000, R = 500,000: max(0, 300,000, 8,000,000 − 7,700,000) = 300,000
    assert due()["150202"] == D("300000.00")

    recovery_post(loan=loan, recovered_on=date(2024, 11, 1), gross=D("1000000"), today=TODAY)
    # 1,000,000 → pool 400,000 → 120,000 / 120,000 / 160,000; L = 640,000:
    # max(0, 640,000 − 500,000, 8,000,000 − (8,500,000 − 640,000)) = 140,000
    assert (loss_of("150202"), due()["150202"]) == (D("640000.00"), D("140000.00"))

    inject("150202", "140000", on=date(2024, 11, 4), kind="replenishment")
    # P = 8,640,000, R = 640,000: max(0, 0, 8,000,000 − 8,000,000) = 0
    assert due()["150202"] == D("0.00")
    recovery_post(loan=loan, recovered_on=date(2024, 12, 2), gross=D("500000"), today=TODAY)
    # L = 560,000: max(0, −80,000, 8,000,000 − 8,080,000) = 0 — never negative
    assert (loss_of("150202"), due()["150202"]) == (D("560000.00"), D("0.00"))


def test_art13_a_reduced_standard_district_owes_its_loss_a_standard_one_also_its_shortfall(world):
    loan = world.lend("2099999.98", district="150203")
    compensation_claim(loan=collected(loan, DAY_26), deducted_on=DAY_26, today=TODAY)
    # pool 839,999.99 → district 335,999.99; P = 4,200,000
    assert loss_of("150203") == D("335999.99")
    # standard minimum 8,000,000: max(0, 335,999.99, 8,000,000 − 3,864,000.01) = 4,135,999.99
    assert due()["150203"] == D("4135999.99")
    commitment_set(
        funder=Funder.objects.get(code="150203"), amount=D("4200000"), reduced_standard=True, reason="财力困难"
    )
    # reduced minimum 4,000,000 (art. 8): max(0, 335,999.99, 4,000,000 − 3,864,000.01 = 135,999.99) = 335,999.99
    assert due()["150203"] == D("335999.99")
