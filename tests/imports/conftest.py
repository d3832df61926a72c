import pytest
from factories import seed_reference


@pytest.fixture
def world(policy_2021):
    seed_reference()
    return policy_2021
