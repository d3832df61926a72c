"""Fixtures for the disclosure tests: September 2024 of a small programme (``september``), staff clients by role.

Built on ``tests/claims/claims_world`` (a funded pool F = 24,200,000: region 6,000,000, city 6,000,000, 东河区 150202
8,000,000, 昆都仑区 150203 4,200,000; bank BOB with its 1,000,000 deposit), every event through the services at fixed
past dates, so the figures are the same whenever the tests run.
"""

import itertools
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "claims"))

from claims_world import TODAY, World, build_world, inject
from factories import staff_client
from pipeline_support import collected

from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.lending.models import Loan
from riskfund.lending.services import repayment_post
from riskfund.pool.models import Injection
from riskfund.pool.services import injection_reverse

D = Decimal
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class September:
    world: World
    compensated_in_august: Loan
    compensated_in_september: Loan
    overdue: Loan
    current: Loan
    other_district: Loan
    reversed_injection: Injection


@pytest.fixture
def september(policy_2021) -> September:
    """September 2024 (disbursed 2024-03-01 unless said; compensations on day 26 after maturity):

    - L0 150202 600,000.00, maturity 2024-07-01, compensated 2024-07-27 (pool 240,000.00 → 72,000 / 72,000 / 96,000);
      recovered 2024-09-25: gross 100,000.10 less 0.10 litigation = net 100,000.00 → pool 40,000.00 →
      12,000.00 / 12,000.00 / 16,000.00;
    - L1 150202 1,000,000.03, maturity 2024-09-02, compensated 2024-09-28: 40:20:40 → pool 400,000.01 (the odd fen
      goes to the bank's 200,000.01 by the largest remainder, 60 > 20), 30:30:40 → 120,000.00 / 120,000.00 /
      160,000.01;
    - L4 150203 800,000.00, maturity 2024-09-02, compensated 2024-09-28: pool 320,000 → 96,000 / 96,000 / 128,000;
    - L2 150202 500,000.00, maturity 2024-09-02, 200,000.00 repaid 2024-08-15: 300,000.00 outstanding, 28 days
      overdue on 2024-09-30 (bucket 26–60);
    - L3 150202 2,000,000.00, maturity 2025-02-28: current;
    - 150202 pays a replenishment of 96,000.00 on 2024-09-10, and an injection of 50,000.00 on 2024-09-12 that
      is reversed on 2024-09-20.
    """
    world = build_world(policy_2021)
    l0 = world.lend("600000", maturity_on=date(2024, 7, 1))
    compensation_claim(loan=collected(l0, date(2024, 7, 27)), deducted_on=date(2024, 7, 27), today=TODAY)
    l2 = world.lend("500000")
    repayment_post(loan=l2, paid_on=date(2024, 8, 15), principal=D("200000"), interest=D("2000"), today=TODAY)
    l3 = world.lend("2000000", maturity_on=date(2025, 2, 28))
    inject("150202", "96000", on=date(2024, 9, 10), kind="replenishment")
    mistaken = inject("150202", "50000", on=date(2024, 9, 12))
    injection_reverse(injection=mistaken, reversed_on=date(2024, 9, 20), reason="重复录入")
    l1 = world.lend("1000000.03")
    l4 = world.lend("800000", district="150203")
    recovery_post(
        loan=l0, recovered_on=date(2024, 9, 25), gross=D("100000.10"), costs={"litigation": D("0.10")}, today=TODAY
    )
    compensation_claim(loan=collected(l1, date(2024, 9, 28)), deducted_on=date(2024, 9, 28), today=TODAY)
    compensation_claim(loan=collected(l4, date(2024, 9, 28)), deducted_on=date(2024, 9, 28), today=TODAY)
    for loan in (l0, l1, l2, l3, l4):
        loan.refresh_from_db()
    mistaken.refresh_from_db()
    return September(world, l0, l1, l2, l3, l4, mistaken)


@pytest.fixture
def make_staff(db):
    """``make_staff("bureau")`` → an APIClient with a knox token of a fresh user with those roles;
    ``district="150202"`` gives the user that district on its staff profile."""

    def make(*roles: str, district: str | None = None) -> APIClient:
        return staff_client(*roles, username=f"s-{next(_serial)}", district=district, password="x", is_staff=True)

    return make
