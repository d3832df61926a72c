"""The public disclosure page (API.md "Public pages"): the figures of the latest month-end snapshot, no personal data,
figures about fewer than 3 enterprises suppressed (with the cell a total would give away), cached, switchable off."""

import re
from datetime import date
from decimal import Decimal

import pytest
from claims_world import TODAY, build_world
from django.test import Client, override_settings
from pipeline_support import collected

from riskfund.claims.services import compensation_claim
from riskfund.cob.models import PoolSnapshot
from riskfund.cob.services import cob_run
from riskfund.lending.models import Loan
from riskfund.parties.models import Enterprise

D = Decimal
WITHHELD = "不足3家企业，不予公布"
USCC = re.compile(r"\b[0-9A-HJ-NP-RT-UW-Y]{2}\d{6}[0-9A-HJ-NP-RT-UW-Y]{10}\b")


def close(*days: date) -> None:
    for day in days:
        cob_run(business_date=day, today=TODAY)


@pytest.fixture
def published(september):
    """September 2024 closed on its last day, then 2024-10-01 (not a month end: the page stays on September)."""
    close(date(2024, 9, 30), date(2024, 10, 1))
    return september


def summary(client=None, **extra) -> dict:
    response = (client or Client()).get("/public/summary.json", **extra)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_the_figures_equal_the_snapshot_of_the_month_end(published):
    snap = PoolSnapshot.objects.get(business_date=date(2024, 9, 30))
    body = summary()
    assert body["as_of"] == "2024-09-30" and body["policy_version"] == snap.policy_version
    pool = body["pool"]
    assert pool["funds"]["total"] == str(snap.pool_funds) == "24296000.00"
    assert pool["pool_balance"] == {"value": str(snap.pool_balance), "suppressed": False}
    assert pool["pool_balance"]["value"] == "23375999.99"  # F − N = 24,296,000 − 920,000.01
    assert pool["credit_capacity"]["value"] == str(snap.credit_capacity) == "233759999.90"
    assert pool["compensation_ratio"]["value"] == str(snap.compensation_ratio) == "0.037866"
    assert (pool["suspension_threshold"], pool["suspended"]) == (str(snap.suspension_threshold), False)
    # the 2,300,000 outstanding rests on two enterprises (L2, L3): withheld, and the leverage that would give it away
    assert snap.outstanding_principal == D("2300000.00")
    assert pool["outstanding_principal"] == pool["leverage_achieved"] == {"value": None, "suppressed": True}
    assert pool["leverage_allowed"] == "10"
    # F by tier, from the ledger up to 2024-09-30: region 6,000,000 + city 6,000,000 + districts 12,296,000
    assert pool["funds"] == {
        "region": "6000000.00",
        "city": "6000000.00",
        "districts": "12296000.00",
        "interest": "0.00",
        "total": "24296000.00",
    }
    assert sum(D(pool["funds"][k]) for k in ("region", "city", "districts", "interest")) == snap.pool_funds
    # five loans to five enterprises in 2024: 600,000 + 500,000 + 2,000,000 + 1,000,000.03 + 800,000
    lending = body["lending"]
    assert lending["loans_total"]["value"] == lending["loans_year"]["value"] == 5
    assert lending["amount_total"]["value"] == "4900000.03" and lending["firms_total"]["value"] == 5
    claims = body["claims"]
    assert (claims["compensations_total"]["value"], claims["compensated_total"]["value"]) == (3, "2400000.03")
    # one recovery on one enterprise: withheld
    assert claims["recovered_total"] == {"value": None, "suppressed": True}
    [bank] = body["banks"]
    # 2,400,000.03 ÷ 4,900,000.03 = 0.4897959…
    assert (bank["code"], bank["loans"]["value"], bank["compensation_rate"]["value"]) == ("BOB", 5, "0.489796")


def test_a_later_day_that_is_not_a_month_end_does_not_move_the_page(published):
    close(date(2024, 10, 2))
    assert summary()["as_of"] == "2024-09-30"


def test_small_cells_are_suppressed_with_the_cell_a_total_would_give_away(published):
    districts = {row["code"]: row for row in summary()["districts"]}
    # 150203 lent to one enterprise: withheld; 150202 (four) is the only other non-zero district, and the total is
    # published, so 150202 is withheld as well; the districts that lent nothing show 0
    assert districts["150203"]["loans"] == districts["150203"]["amount"] == {"value": None, "suppressed": True}
    assert districts["150202"]["amount"] == {"value": None, "suppressed": True}
    assert districts["150204"]["loans"] == {"value": 0, "suppressed": False}
    html = Client().get("/public/").content.decode()
    assert html.count(WITHHELD) >= 5


def test_while_one_or_two_enterprises_were_compensated_the_figures_that_reveal_their_loss_are_withheld(policy_2021):
    world = build_world(policy_2021)
    defaulted = world.lend("600000", maturity_on=date(2024, 7, 1))
    for _ in range(3):
        world.lend("100000")
    compensation_claim(loan=collected(defaulted, date(2024, 7, 27)), deducted_on=date(2024, 7, 27), today=TODAY)
    close(date(2024, 7, 31))
    pool = summary()["pool"]
    for key in ("compensation_ratio", "pool_balance", "credit_capacity", "leverage_achieved"):
        assert pool[key] == {"value": None, "suppressed": True}, key
    assert pool["funds"]["total"] == "24200000.00" and pool["suspended"] is False
    assert pool["outstanding_principal"] == {"value": "300000.00", "suppressed": False}


def test_no_enterprise_name_uscc_or_contract_number_on_the_page_or_in_the_json(published):
    texts = [
        Client().get("/public/").content.decode(),
        Client().get("/public/?lang=en").content.decode(),
        Client().get("/public/summary.json").content.decode(),
    ]
    names = list(Enterprise.objects.values_list("name", flat=True))
    usccs = list(Enterprise.objects.values_list("uscc", flat=True))
    contracts = list(Loan.objects.values_list("contract_no", flat=True))
    assert names and usccs and contracts
    for text in texts:
        assert not USCC.search(text)
        assert not re.search(r"有限(责任)?公司|股份有限|合作社", text)  # no company name of any kind
        for value in (*names, *usccs, *contracts):
            assert value not in text
        assert not re.search(r"DC-\d{5}", text)


def test_chinese_by_default_english_on_request(published):
    chinese = Client().get("/public/")
    assert chinese.status_code == 200 and "资金池资金" in chinese.content.decode()
    assert chinese["Content-Language"] == "zh-hans" and "Accept-Language" in chinese["Vary"]
    assert "public" in chinese["Cache-Control"]
    for english in (Client().get("/public/?lang=en"), Client().get("/public/", HTTP_ACCEPT_LANGUAGE="en")):
        text = english.content.decode()
        assert english["Content-Language"] == "en"
        assert "Pool funds" in text and "资金池资金" not in text and "withheld: fewer than 3 enterprises" in text
    assert "<script" not in chinese.content.decode() and "style=" not in chinese.content.decode()


def test_the_figures_are_cached(published, django_assert_max_num_queries):
    summary()
    with django_assert_max_num_queries(2):  # the latest snapshot's id and date, then the snapshot row
        summary()


def test_no_month_end_yet_says_so(policy_2021):
    build_world(policy_2021)
    assert summary()["as_of"] is None
    assert "尚无月末数据可公开" in Client().get("/public/").content.decode()


@override_settings(RISKFUND_PUBLIC_PAGE=False)
def test_switched_off_the_public_pages_are_404(published):
    assert Client().get("/public/").status_code == 404
    assert Client().get("/public/summary.json").status_code == 404
