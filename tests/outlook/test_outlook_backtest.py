"""The back-test (issue 14, "Honesty") on the hand-followed pool of ``outlook_world``, continued to 2024-09-30.

From 2024-06-30 the model (deterministic on that history, see test_outlook_services) says: C compensated in July,
N = 480,000.00; 昆都仑区 paying 200,000.00 a month of its minimum. Here that is what happens: C is compensated on
2024-07-10 and 昆都仑区 pays on the 15th of July, August and September; A and B are not repaid at maturity
(2024-09-02) and sit in 26–60 on 09-30. Realised N/F: 07-31 480,000 / 24,400,000 = 0.019672, 09-30
480,000 / 24,800,000 = 0.019354 — both inside the (one-point) bands of the forecast made on 06-30.
"""

from datetime import date
from decimal import Decimal

import pytest
from pipeline_support import collected

from riskfund.claims.services import compensation_claim
from riskfund.cob.services import cob_run
from riskfund.lending.models import Loan
from riskfund.lending.services import loan_event_record
from riskfund.outlook.backtest import backtest_run, coverage_of, origins, realised_ratio
from riskfund.outlook.models import Backtest
from riskfund.parties.models import Funder
from riskfund.pool.services import injection_post

TODAY = date(2025, 12, 31)


@pytest.fixture
def continued(world):
    c = world.loans["C"]
    for day in (date(2024, 6, 10), date(2024, 6, 20)):
        loan_event_record(loan=c, kind="collection_call", occurred_on=day, today=TODAY)
    compensation_claim(
        loan=collected(Loan.objects.get(pk=c.pk), date(2024, 7, 10)),
        deducted_on=date(2024, 7, 10),
        today=date(2024, 7, 11),
    )
    kundulun = Funder.objects.get(code="150203")
    for month, close in ((7, date(2024, 7, 31)), (8, date(2024, 8, 31)), (9, date(2024, 9, 30))):
        injection_post(funder=kundulun, paid_on=date(2024, month, 15), amount=Decimal("200000"))
        cob_run(business_date=close, today=TODAY)
    return world


def test_realised_ratio_from_the_ledger_by_business_date_art_37(world):
    """2024-05-31: N = 320,000 (D compensated, nothing recovered yet) → 320,000 / 24,200,000 = 0.013223;
    2024-06-30: 280,000 / 24,200,000 = 0.011570 (six places, truncated)."""
    assert realised_ratio(date(2024, 5, 31)) == Decimal("0.013223")
    assert realised_ratio(date(2024, 6, 30)) == Decimal("0.011570")
    assert realised_ratio(date(2023, 12, 31)) == Decimal("0.000000")


def test_origins_need_three_months_of_history_and_a_month_after(continued):
    assert origins(date(2024, 9, 30)) == [date(2024, 6, 30), date(2024, 7, 31), date(2024, 8, 31)]
    assert origins(date(2024, 6, 30)) == []


def test_backtest_compares_the_realised_ratio_with_the_bands(continued):
    result = backtest_run(as_of=date(2024, 9, 30))
    rows = {(row["origin"], row["horizon"]): row for row in result.rows}
    first = rows[("2024-06-30", 1)]
    assert (first["date"], first["realised"], first["p5"], first["p95"]) == (
        "2024-07-31",
        "0.019672",
        "0.019672",
        "0.019672",
    )
    assert first["inside"] is True
    third = rows[("2024-06-30", 3)]
    assert (third["date"], third["realised"], third["p50"], third["inside"]) == (
        "2024-09-30",
        "0.019354",
        "0.019354",
        True,
    )
    assert ("2024-06-30", 6) not in rows  # 2024-12-31 has not come yet
    assert result.coverage["1"]["total"] == 3 and result.coverage["3"]["total"] == 1
    assert backtest_run(as_of=date(2024, 9, 30)).pk == result.pk
    assert Backtest.objects.count() == 1


def test_coverage_is_the_share_inside_per_horizon():
    rows = [
        {"horizon": 1, "inside": True},
        {"horizon": 1, "inside": False},
        {"horizon": 1, "inside": True},
        {"horizon": 3, "inside": True},
    ]
    coverage = coverage_of(rows)
    assert coverage["1"] == {"covered": 2, "total": 3, "rate": "0.666667"}
    assert coverage["3"] == {"covered": 1, "total": 1, "rate": "1.000000"}
    assert coverage["6"] == {"covered": 0, "total": 0, "rate": None}
