"""Fixtures for the reconciliation tests: bank A's book on 2025-03-31 (helpers in tests/statements/excel_world)."""

import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "statements"))

from excel_world import World, build_world, lend

from riskfund.lending.services import repayment_post

D = Decimal


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Book:
    world: World
    outstanding: dict[str, Decimal]  # riskfund's figures on AS_OF, by contract


@pytest.fixture
def book(db) -> Book:
    """Bank A on 2025-03-31: R-1 1,000,000; R-2 799,999.99 (repaid 200,000.01); R-3 300,000; R-4 repaid in full
    (0); R-5 disbursed after AS_OF. Bank B: R-B 400,000."""
    world = build_world()
    lend(world, "R-1", "1000000", date(2025, 1, 10))
    r2 = lend(world, "R-2", "1000000", date(2025, 1, 12))
    repayment_post(loan=r2, paid_on=date(2025, 3, 15), principal=D("200000.01"), interest=D("100"))
    lend(world, "R-3", "300000", date(2025, 2, 1))
    r4 = lend(world, "R-4", "200000", date(2024, 12, 1))
    repayment_post(loan=r4, paid_on=date(2025, 2, 20), principal=D("200000"), interest=D("0"))
    lend(world, "R-5", "150000", date(2025, 4, 2))
    lend(world, "R-B", "400000", date(2025, 3, 6), bank=world.bank_b)
    return Book(world, {"R-1": D("1000000.00"), "R-2": D("799999.99"), "R-3": D("300000.00"), "R-4": D("0.00")})
