"""Fixtures for the claims tests (building blocks in ``claims_world``)."""

import pytest
from claims_world import World, assert_pool_invariants, build_world


@pytest.fixture
def world(policy_2021) -> World:
    """F = 24,200,000 (region 6,000,000, city 6,000,000, 150202 8,000,000, 150203 4,200,000); bank BOB with an
    active agreement and its 1,000,000 deposit."""
    return build_world(policy_2021)


@pytest.fixture
def invariants():
    return assert_pool_invariants
