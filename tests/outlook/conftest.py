"""Fixtures for the forecast tests (the hand-followed pool in ``outlook_world``)."""

import pytest
from outlook_world import World, build_world


@pytest.fixture
def world(policy_2021) -> World:
    return build_world()
