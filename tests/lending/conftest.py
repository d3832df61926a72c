"""Fixtures for the lending tests (building blocks in ``lending_world``)."""

import pytest
from lending_world import World, build_world


@pytest.fixture
def world(policy_2021) -> World:
    """Pool balance B = 4,000,000 paid in by 东河区 (capacity 40,000,000; district cap 100,000,000)."""
    return build_world(policy_2021)
