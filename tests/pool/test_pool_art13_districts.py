"""Art. 13: a district lends at most 25 × its paid-in; after losses it replenishes (SPEC §6)."""

from datetime import date
from decimal import Decimal

from riskfund.parties.models import Funder, Guarantor
from riskfund.parties.services import bank_create, commitment_set
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.selectors import funder_list, funder_minimum
from riskfund.pool.services import injection_post

D = Decimal
DAY = date(2025, 3, 3)


def inject(code: str, amount: str, kind: str = "injection") -> None:
    injection_post(funder=Funder.objects.get(code=code), paid_on=DAY, amount=D(amount), kind=kind)


def rows() -> dict[str, dict]:
    return {row["code"]: row for row in funder_list(date(2025, 6, 30))}


def test_art13_district_paid_in_8_million_caps_its_lending_at_200_million(seeded):
    inject("150202", "8000000")
    inject("region", "3000000")
    listing = rows()
    assert listing["150202"]["paid_in"] == D("8000000.00")
    assert listing["150202"]["scale_cap"] == D("200000000.00")
    assert listing["150203"]["scale_cap"] == D("0.00")
    assert listing["region"]["scale_cap"] is None
    assert listing["city"]["scale_cap"] is None
    assert [r["code"] for r in funder_list()][:3] == ["region", "city", "150202"]
    assert set(listing["150202"]) == {
        "code",
        "name",
        "tier",
        "paid_in",
        "loss",
        "commitment",
        "scale_cap",
        "outstanding_principal",
        "replenishment_due",
    }
    assert listing["150202"]["name"] == "东河区"


def test_art13_replenishment_due_after_a_loss_is_max_of_loss_unreplenished_and_minimum_gap(seeded, invariant, loss):
    inject("region", "6000000")
    inject("city", "6000000")
    inject("150202", "8000000")
    inject("150203", "10000000")
    bank = bank_create(code="ICBC", name="中国工商银行包头分行")
    agreement_sign(bank=bank, guarantor=Guarantor.objects.create(code="G", name="担保"), signed_on=DAY)
    # pool share 1,000,000 of a loss in 东河区: region 300,000, city 300,000, district 400,000 (art. 20)
    loss(bank_code="ICBC", district="150202", amount=D("1000000.00"), on=date(2025, 5, 6))
    loss(bank_code="ICBC", district="150203", amount=D("1000000.00"), on=date(2025, 5, 6))
    invariant()
    listing = rows()
    # 东河区: max(0, 400,000 − 0, 8,000,000 − (8,000,000 − 400,000)) = 400,000
    assert listing["150202"]["loss"] == D("400000.00")
    assert listing["150202"]["replenishment_due"] == D("400000.00")
    # 昆都仑区 paid 10,000,000: max(0, 400,000 − 0, 8,000,000 − 9,600,000) = 400,000 (the loss term)
    assert listing["150203"]["replenishment_due"] == D("400000.00")
    assert listing["region"]["loss"] == D("600000.00")
    assert listing["region"]["replenishment_due"] == D("0.00")
    assert listing["city"]["replenishment_due"] == D("0.00")  # not suspended: 800,000 < 20 % × 30,000,000

    inject("150202", "250000", kind="replenishment")
    inject("150203", "400000", kind="replenishment")
    listing = rows()
    # 东河区: max(0, 400,000 − 250,000, 8,000,000 − (8,250,000 − 400,000)) = 150,000
    assert listing["150202"]["replenishment_due"] == D("150000.00")
    # 昆都仑区: max(0, 0, 8,000,000 − 10,000,000) = 0
    assert listing["150203"]["replenishment_due"] == D("0.00")
    assert Funder.objects.get(code="150203").replenished_total == D("400000.00")
    invariant()


def test_art13_reduced_standard_district_minimum_is_4_million(seeded):
    district = Funder.objects.get(code="150205")
    assert funder_minimum(district) == D("8000000.00")
    commitment_set(funder=district, amount=D("4000000"), reduced_standard=True, reason="企业数量较少")
    district.refresh_from_db()
    assert funder_minimum(district) == D("4000000.00")
    assert funder_minimum(Funder.objects.get(code="city")) == D("0.00")
    inject("150205", "3000000")
    # paid in instalments, below its minimum: max(0, 0, 4,000,000 − 3,000,000) = 1,000,000
    assert rows()["150205"]["replenishment_due"] == D("1000000.00")
    inject("150205", "1000000")
    assert rows()["150205"]["replenishment_due"] == D("0.00")
