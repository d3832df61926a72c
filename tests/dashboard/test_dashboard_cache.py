"""The dashboard's figures are cached until the data under them changes (riskfund/dashboard/cache.py, issue 13): a
second request reads them from the cache, and any posting — an audited write, a ledger posting, a close of
business — shows at once, because it raises the data version the cache is keyed on."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from riskfund.cob.services import cob_run
from riskfund.dashboard import cache as dashboard_cache
from riskfund.dashboard.selectors import dashboard
from riskfund.parties.models import Funder
from riskfund.parties.seed import seed_funders
from riskfund.pool.models import InterestCredit
from riskfund.pool.services import injection_post, interest_post
from tools.demo.cast import demo_users

TODAY = date(2025, 3, 3)


@pytest.fixture
def bureau(policy_2021):
    seed_funders()
    demo_users()
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=Decimal("5000000.00"))
    return get_user_model().objects.get(username="bureau")


def _queries(function) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        result = function()
    return result, len(queries)


def test_a_second_request_reads_the_figures_from_the_cache(bureau):
    first, computed = _queries(lambda: dashboard(bureau, TODAY))
    again, cached = _queries(lambda: dashboard(bureau, TODAY))
    assert again == first
    assert computed > 10
    assert cached == 1  # the data version; the figures come from the (in-memory) cache


def test_a_posting_shows_at_once(bureau):
    before = dashboard(bureau, TODAY)
    assert Decimal(before["position"]["pool_funds"]) == Decimal("5000000.00")

    # an audited write and its ledger posting: 5,000,000.00 + 1,234,567.89 = 6,234,567.89
    injection_post(funder=Funder.objects.get(code="region"), paid_on=date(2025, 2, 3), amount=Decimal("1234567.89"))
    assert Decimal(dashboard(bureau, TODAY)["position"]["pool_funds"]) == Decimal("6234567.89")

    # interest into the pool (art. 12): 6,234,567.89 + 100.01 = 6,234,667.90
    interest_post(credited_on=date(2025, 2, 28), amount=Decimal("100.01"), account=InterestCredit.SPECIAL)
    assert Decimal(dashboard(bureau, TODAY)["position"]["pool_funds"]) == Decimal("6234667.90")


def test_a_close_of_business_shows_at_once(bureau):
    assert dashboard(bureau, TODAY)["history_source"] == "state_changes"  # no daily snapshot yet
    cob_run(business_date=date(2025, 3, 2), today=TODAY)  # writes only un-audited COB tables and its steps
    after = dashboard(bureau, TODAY)
    assert after["history_source"] == "snapshots"
    assert after["charts"]["history"]["dates"] == ["2025-03-02"]


def test_the_figures_are_computed_when_the_version_cannot_be_trusted(bureau, monkeypatch):
    monkeypatch.setattr(dashboard_cache, "data_version", lambda: None)  # a write in flight (PostgreSQL)
    first, computed = _queries(lambda: dashboard(bureau, TODAY))
    again, recomputed = _queries(lambda: dashboard(bureau, TODAY))
    assert again == first
    assert computed > 10 and recomputed > 10  # both computed: nothing was stored


def test_each_language_and_business_date_has_its_own_entry(bureau):
    from django.utils import translation

    with translation.override("zh-hans"):
        chinese = dashboard(bureau, TODAY)
    with translation.override("en"):
        english = dashboard(bureau, TODAY)
    assert chinese["status"]["line"] == "新增业务：正常"
    assert english["status"]["line"] == "New business: open"
    assert dashboard(bureau, date(2025, 3, 4))["today"] == date(2025, 3, 4)
