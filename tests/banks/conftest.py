"""Fixtures for the bank API tests (building blocks in ``bank_world``)."""

import pytest
from bank_world import World, build_world
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    return build_world()
