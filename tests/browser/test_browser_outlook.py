"""The stop-line forecast in a real headless Chromium (issue 14): the dashboard card draws its fan chart, the
scenario page its fan chart and per-funder table, the comparison page one chart per scenario — no inline script.
Screenshots: artifacts/screenshots/outlook-card.png, outlook-scenario.png, outlook-compare.png."""

from importlib import import_module

import pytest
from conftest import SCREENSHOTS, login
from dashboard_world import DEMO_PASSWORDS
from django.apps import apps

from riskfund.outlook.models import BASE, Scenario
from riskfund.outlook.services import forecast_compute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAINTED = """(id) => {
    const chart = Chart.getChart(document.getElementById(id));
    if (!chart) return false;
    const pixels = chart.canvas.getContext('2d').getImageData(0, 0, chart.canvas.width, chart.canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
    return false;
}"""


def test_card_scenario_page_and_comparison_draw_the_forecast(browser, live_server, demo_portfolio):
    # a transactional test before this one flushed the scenarios its migration seeds: seed them again, the same way
    import_module("riskfund.outlook.migrations.0002_seed_scenarios").seed(apps, None)
    for scenario in Scenario.objects.filter(active=True):
        forecast_compute(scenario=scenario, paths=400)
    page = login(browser, live_server, "bureau", DEMO_PASSWORDS["bureau"])
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-outlook-fan'))")
    assert page.evaluate(PAINTED, "chart-outlook-fan")
    card = page.inner_text("#rf-outlook")
    assert "12个月内触及暂停线的概率" in card and "预计停贷月份（中位数）" in card
    page.locator("#rf-outlook").screenshot(path=str(SCREENSHOTS / "outlook-card.png"))

    base = Scenario.objects.get(name=BASE)
    page.goto(f"{live_server.url}/admin/outlook/scenario/{base.pk}/change/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-outlook-scenario'))")
    assert page.evaluate(PAINTED, "chart-outlook-scenario")
    assert page.locator("#rf-outlook-funders tbody tr").count() == 12
    assert page.locator("#rf-outlook-months tbody tr").count() == 12
    page.screenshot(path=str(SCREENSHOTS / "outlook-scenario.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/outlook/scenario/compare/")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 3")
    assert page.locator("#rf-outlook-compare").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "outlook-compare.png"), full_page=True)
