import pytest
from imports_world import seed


@pytest.fixture
def world(policy_2021):
    seed()
    return policy_2021
