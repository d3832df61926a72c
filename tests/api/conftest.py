import itertools

import pytest
from django.core.cache import cache
from factories import staff_client
from rest_framework.test import APIClient

from riskfund.ledger.models import Side
from riskfund.ledger.services import account_open

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_staff(db):
    """``make_staff("bureau")`` → an APIClient holding a fresh knox token of a user with those roles."""

    def make(*roles: str, superuser: bool = False, username: str | None = None) -> APIClient:
        return staff_client(
            *roles, username=username or f"u-{next(_serial)}", password="correct horse battery", is_superuser=superuser
        )

    return make


@pytest.fixture
def accounts(db):
    account_open(code="pool:special", name="资金池专户", normal_side=Side.DEBIT)
    account_open(code="funder:city", name="市本级", normal_side=Side.CREDIT)
    account_open(code="funder:region", name="自治区", normal_side=Side.CREDIT)


@pytest.fixture
def seeded(policy_2021):
    """The 2021 policy, the funders with their accounts, the SME standard and the LPR."""
    from factories import seed_reference

    seed_reference()
    return policy_2021


@pytest.fixture
def lending_world(policy_2021):
    """A funded pool, BOB × BJDB and two 6,000,000 loans (tests/api/staff_world.py)."""
    from tests.api.staff_world import build_lending_world

    return build_lending_world()


@pytest.fixture
def compensated_world(policy_2021):
    """``lending_world`` with the first loan compensated: a 1,400,000 payable to BOB."""
    from tests.api.staff_world import build_lending_world

    return build_lending_world(compensate=True)
