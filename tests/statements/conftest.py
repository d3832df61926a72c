"""Fixtures for the statement tests: the March 2025 book of bank A (see ``march``)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from excel_world import World, build_world, lend
from pipeline_support import collected

from riskfund.claims.models import Compensation, Recovery
from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.lending.models import Loan
from riskfund.lending.services import repayment_post

D = Decimal
FORMULA_NAMES = ['=HYPERLINK("http://evil.example","点我")有限公司', "+1-2包头公司", "@SUM(A1)企业", "-3+4企业"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class March:
    world: World
    repaid_in_feb: Loan
    partly_repaid: Loan
    compensated: Loan
    new_in_march: list[Loan]
    other_bank: Loan
    compensation: Compensation
    recovery: Recovery


@pytest.fixture
def march(db) -> March:
    """Bank A in March 2025:

    - A-FEB: 200,000 disbursed 2024-12-01, repaid in full 2025-02-20 (not in March's book);
    - A-PART: 1,000,000 disbursed 2025-01-10, repaid 200,000.01 principal + 2,875.50 interest on 2025-03-15;
    - A-COMP: 500,000.03 by instalments from 2024-10-01, 200,000.01 due 2025-01-15 unpaid; compensated 2025-03-10
      (loss 500,000.03), recovered 2025-03-25 (gross 100,000.03 less 0.02 litigation costs);
    - A-NEW-1…4: 300,000 each disbursed 2025-03-05 to enterprises whose names start with = + @ -;
    - bank B: B-MAR 400,000 disbursed 2025-03-06 (never in A's statement).
    """
    world = build_world()
    repaid_in_feb = lend(world, "A-FEB", "200000", date(2024, 12, 1))
    repayment_post(loan=repaid_in_feb, paid_on=date(2025, 2, 20), principal=D("200000"), interest=D("1500"))
    partly = lend(world, "A-PART", "1000000", date(2025, 1, 10))
    repayment_post(loan=partly, paid_on=date(2025, 3, 15), principal=D("200000.01"), interest=D("2875.50"))
    maturity = date(2025, 10, 1)
    comp_loan = lend(
        world,
        "A-COMP",
        "500000.03",
        date(2024, 10, 1),
        maturity_on=maturity,
        repayment_method="instalments",
        schedule=[(date(2025, 1, 15), D("200000.01")), (maturity, D("300000.02"))],
    )
    compensation = compensation_claim(loan=collected(comp_loan, date(2025, 3, 10)), deducted_on=date(2025, 3, 10))
    recovery = recovery_post(
        loan=comp_loan, recovered_on=date(2025, 3, 25), gross=D("100000.03"), costs={"litigation": D("0.02")}
    )
    new = [lend(world, f"A-NEW-{i}", "300000", date(2025, 3, 5), name=n) for i, n in enumerate(FORMULA_NAMES, 1)]
    other = lend(world, "B-MAR", "400000", date(2025, 3, 6), bank=world.bank_b)
    for loan in (repaid_in_feb, partly, comp_loan, *new):
        loan.refresh_from_db()
    return March(world, repaid_in_feb, partly, comp_loan, new, other, compensation, recovery)
