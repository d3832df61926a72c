"""Fixtures of the security tests: staff clients, a bank world, a clean throttle cache per test, settings.py read
afresh under a given environment."""

import itertools
import runpy
from pathlib import Path

import pytest
from django.core.cache import cache
from factories import staff_client
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
        return staff_client(
            *roles, username=f"sec-{next(_serial)}", password="correct horse battery", is_superuser=superuser
        )

    return make


@pytest.fixture
def world(db):
    """Bank A (BOB) and bank B (BOC) with agreements and API keys over a funded pool (tests/banks/bank_world.py)."""
    from tests.banks.bank_world import build_world

    return build_world()


PRODUCTION_ENV = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "riskfund.example.org"}
SETTINGS_FILE = Path(__file__).resolve().parents[2] / "riskfund" / "settings.py"
ENVIRONMENT = (
    "DJANGO_DEBUG",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "DJANGO_TRUSTED_PROXIES",
    "RISKFUND_REQUIRE_2FA",
)


@pytest.fixture
def read_settings(monkeypatch):
    """``read_settings(**env)``: the module-level names of settings.py evaluated afresh with only ``env`` set."""

    def read(**env) -> dict:
        for name in ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return read
