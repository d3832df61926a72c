"""Finding 4 of the outside attack (issue 12): the login throttle counted per ``X-Forwarded-For`` value (DRF trusts
the header when ``NUM_PROXIES`` is unset) and per process (no shared cache).

The throttle now counts per client address (riskfund/security/client.py: the connecting address, or behind
``DJANGO_TRUSTED_PROXIES`` proxies the address the outermost one saw), in a cache every process shares: Django's
database cache in the embedded setup, Redis at ``REDIS_URL`` (or the broker's Redis) in production.
"""

import json

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from riskfund.security.client import client_address
from riskfund.security.models import CacheEntry
from tests.security.conftest import PRODUCTION_ENV

LOGIN = "/api/v1/auth/token/"
DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "riskfund_cache"}}


@pytest.fixture
def shared_cache(db):
    """The embedded default of settings.py: Django's database cache in the table ``migrate`` created (given back
    before the database goes, so the conftest's clearing finds the memory cache again)."""
    with override_settings(CACHES=DATABASE_CACHE):
        yield


def guess(client, number: int, forwarded_for: str | None = None, remote: str = "203.0.113.7"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    body = json.dumps({"username": "bureau-chief", "password": f"guess-{number}"})
    return client.generic("POST", LOGIN, body, content_type="application/json", **extra)


def test_finding4_thirty_guesses_with_a_new_forwarded_for_each_are_throttled(client, shared_cache):
    """10 a minute per address (API.md): guesses 1–10 are answered 400, 11–30 are 429, whatever the header says."""
    statuses = [guess(client, n, forwarded_for=f"198.51.100.{n}").status_code for n in range(1, 31)]
    assert statuses == [400] * 10 + [429] * 20


def test_finding4_the_count_is_kept_where_every_process_reads_it(client, shared_cache):
    """The throttle's history is a row of the database cache, not memory of one worker: a second worker process
    reads the same row, so 4 gunicorn workers share one limit of 10."""
    for n in range(1, 4):
        guess(client, n)
    [row] = CacheEntry.objects.filter(cache_key__contains="throttle_login_203.0.113.7")
    assert row.value
    CacheEntry.objects.exclude(pk=row.pk).delete()
    assert [guess(client, n).status_code for n in range(4, 13)] == [400] * 7 + [429] * 2


def test_finding4_behind_one_trusted_proxy_the_address_it_saw_is_counted(client, shared_cache, settings):
    """With DJANGO_TRUSTED_PROXIES=1 the proxy appends the client's address: the forged left part is ignored, and
    two real clients behind the same proxy have a limit each."""
    settings.RISKFUND_TRUSTED_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_settings.NUM_PROXIES == 1
    proxy = "10.0.0.2"
    first = [guess(client, n, f"198.51.100.{n}, 192.0.2.10", remote=proxy).status_code for n in range(1, 12)]
    second = guess(client, 12, "192.0.2.20", remote=proxy).status_code
    assert first == [400] * 10 + [429]
    assert second == 400


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "203.0.113.7"),  # no proxy: the header is the client's own words
        (1, "198.51.100.1, 192.0.2.10", "192.0.2.10"),  # what our proxy appended
        (2, "198.51.100.1, 192.0.2.10, 10.0.0.9", "192.0.2.10"),  # two proxies: the outer one's view
        (2, "192.0.2.10", "192.0.2.10"),  # a shorter header: its left-most address, as DRF's NUM_PROXIES
        (1, None, "203.0.113.7"),
    ],
)
def test_the_client_address_is_drfs_under_the_same_number_of_proxies(settings, proxies, forwarded, expected):
    settings.RISKFUND_TRUSTED_PROXIES = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    extra = {"REMOTE_ADDR": "203.0.113.7"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().post(LOGIN, **extra)
    assert client_address(request) == expected == BaseThrottle().get_ident(request)


@pytest.mark.parametrize(
    ("env", "backend", "location"),
    [
        ({}, "django.core.cache.backends.db.DatabaseCache", "riskfund_cache"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/3"},
            "django.core.cache.backends.redis.RedisCache",
            "redis://127.0.0.1:6379/3",
        ),
        (
            {**PRODUCTION_ENV, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/5"},
            "django.core.cache.backends.redis.RedisCache",
            "redis://127.0.0.1:6379/5",
        ),
        # in development a Redis broker (CI's) leaves the cache in the database: tests clear their cache
        (
            {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/5"},
            "django.core.cache.backends.db.DatabaseCache",
            "riskfund_cache",
        ),
    ],
)
def test_settings_choose_a_cache_every_process_shares(read_settings, env, backend, location):
    cache_settings = read_settings(**env)["CACHES"]["default"]
    assert (cache_settings["BACKEND"], cache_settings["LOCATION"]) == (backend, location)


@pytest.mark.parametrize(("env", "proxies"), [({}, 0), ({"DJANGO_TRUSTED_PROXIES": "2"}, 2)])
def test_forwarded_headers_are_trusted_only_behind_configured_proxies(read_settings, env, proxies):
    names = read_settings(**env)
    assert names["RISKFUND_TRUSTED_PROXIES"] == names["REST_FRAMEWORK"]["NUM_PROXIES"] == proxies
