"""Fixtures for the daily-job tests (building blocks in ``cob_world``)."""

import pytest
from cob_world import World, build_portfolio


@pytest.fixture
def portfolio(policy_2021) -> World:
    return build_portfolio()
