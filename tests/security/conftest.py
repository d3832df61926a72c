"""Fixtures of the security tests: staff clients, a bank world, a clean throttle cache per test."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_staff(db):
    """``make_staff("bureau")`` → an APIClient holding a knox token of a fresh user with those roles."""

    def make(*roles: str, superuser: bool = False) -> APIClient:
        user = get_user_model().objects.create_user(
            username=f"sec-{next(_serial)}", password="correct horse battery", is_superuser=superuser
        )
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        _, token = AuthToken.objects.create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        client.user = user
        return client

    return make


@pytest.fixture
def world(db):
    """Bank A (BOB) and bank B (BOC) with agreements and API keys over a funded pool (tests/banks/bank_world.py)."""
    from tests.banks.bank_world import build_world

    return build_world()
