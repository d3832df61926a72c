from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase


def _flush_past_the_ledger_guards():
    """PostgreSQL refuses TRUNCATE of the ledger tables (riskfund/ledger/migrations/0003): the flush that ends each
    transactional test runs as a superuser with ``session_replication_role = replica``, as pg_restore does, so the
    guard triggers do not fire for it (and only for it)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    plain = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = plain(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush


def _store_hypothesis_examples():
    """Every property test and state machine keeps its failing examples in the test scratch directory
    (tests/settings.py), outside the checkout, and replays them first on the next run. Loaded before the test
    modules are imported, so the ``settings(...)`` they build inherit this database. Under CI (the ``CI`` variable)
    Hypothesis loads its own ``ci`` profile, derandomized and with no database (nothing to replay): kept as it is."""
    if hypothesis_settings().derandomize:
        return
    database = DirectoryBasedExampleDatabase(str(settings.SCRATCH_DIR / "hypothesis"))
    hypothesis_settings.register_profile("riskfund", database=database)
    hypothesis_settings.load_profile("riskfund")


def pytest_configure(config):
    """Tests keep the cache (throttle counters, the public page's figures) in each test process's memory, so the
    many fixtures that clear it need no database; settings.py gives a running site a cache all its processes share,
    and tests/security/test_security_login_throttle.py exercises that one."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _store_hypothesis_examples()
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        _flush_past_the_ledger_guards()


def pytest_runtest_setup(item):
    engine = settings.DATABASES["default"]["ENGINE"]
    if item.get_closest_marker("postgres") and engine != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")


@pytest.fixture
def policy_2021(db):
    """The 2021 revision (包府办发〔2021〕49号) with its default parameters, approved (SPEC §2)."""
    from riskfund.policy.models import PolicyVersion

    return PolicyVersion.objects.create(
        code="2021",
        title="包头市中小微企业助保金贷款管理办法（修订）",
        document_no="包府办发〔2021〕49号",
        effective_from=date(2021, 4, 30),
        effective_to=date(2026, 4, 29),
        approved_at=timezone.now(),
    )


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the dashboard's figures are cached under the highest ids of the data
    (riskfund/dashboard/cache.py), which a rolled-back test may hand out again to the next one (SQLite)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def celery_eager_unless_worker(request):
    """Run tasks in-process even when CELERY_BROKER_URL is set (CI), except in tests marked ``worker``."""
    from riskfund.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def no_forecast_after_run(settings):
    """The stop-line forecast queued when a daily run completes (riskfund/outlook/tasks.py) runs only where a test
    asks for it: with eager Celery it would compute every scenario after each close of business a test makes."""
    settings.RISKFUND_FORECAST_AFTER_RUN = False


@pytest.fixture(autouse=True)
def check_api_responses(monkeypatch):
    """Every /api/v1/ answer a test receives through Django's (or DRF's) test client is checked against the served
    OpenAPI document (tests/response_contract.py, issue 19): status, media type, body and headers."""
    from django.test import Client

    from tests.response_contract import check_response

    request = Client.request

    def checked_request(self, **environ):
        response = request(self, **environ)
        check_response(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""), response)
        return response

    monkeypatch.setattr(Client, "request", checked_request)
