"""The forecast in the admin: the dashboard card, a page per scenario with its per-funder table, the scenarios
side by side, "run now" and the Excel export — by role (bureau runs and edits; trustee and auditor read)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from riskfund.exports.models import ExportJob
from riskfund.outlook.exports import EXPORT_KIND
from riskfund.outlook.models import BASE, Forecast, Scenario
from riskfund.outlook.services import forecast_compute
from riskfund.parties.models import StaffProfile


def user(role: str | None, district: str | None = None):
    account = get_user_model().objects.create_user(f"u-{role}-{district}", password="x", is_staff=True)
    if role:
        account.groups.add(Group.objects.get_or_create(name=role)[0])
    if district:
        StaffProfile.objects.create(user=account, district_id=district)
    return account


@pytest.fixture
def forecast(world) -> Forecast:
    return forecast_compute(scenario=Scenario.objects.get(name=BASE))


def test_dashboard_card_shows_the_odds_the_median_month_and_the_fan_chart(client, forecast):
    client.force_login(user("bureau"))
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="rf-outlook"' in page and 'id="chart-outlook-fan"' in page
    assert 'id="rf-outlook-data"' in page and "outlook/fan.js" in page
    assert "12个月内不触及" in page  # the median month: the line is not reached
    assert "238,000,000.00" not in page  # the card shows month 12, not month 1
    assert "<script>" not in page.split('id="rf-outlook"')[1].split("</section>")[0]  # no inline script


def test_dashboard_card_for_a_district_officer_shows_its_own_row(client, forecast):
    client.force_login(user("district", "150202"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "东河区：预计新增损失分担" in page
    assert "272,000.00" in page and "384,000.00" in page
    assert "昆都仑区：" not in page


def test_without_a_forecast_the_card_says_when_one_comes(client, world):
    client.force_login(user("bureau"))
    assert "尚无预测" in client.get(reverse("admin:index")).content.decode()


def test_scenario_page_has_the_per_funder_table_and_the_months(client, forecast):
    client.force_login(user("auditor"))
    page = client.get(reverse("admin:outlook_scenario_change", args=[forecast.scenario_id]))
    assert page.status_code == 200
    html = page.content.decode()
    funders = html.split('id="rf-outlook-funders"')[1].split("</table>")[0]
    assert "东河区" in funders and "272,000.00" in funders and "384,000.00" in funders and "40.00 %" in funders
    months = html.split('id="rf-outlook-months"')[1].split("</table>")[0]
    assert "2024-07-31" in months and "238,000,000.00" in months and "1.97 %" in months


def test_scenarios_side_by_side(client, forecast):
    forecast_compute(scenario=Scenario.objects.get(name="rolls-x1-5"))
    client.force_login(user("trustee"))
    page = client.get(reverse("admin:outlook_scenario_compare"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "基准情景" in html and "迁徙率×1.5" in html and "迁徙率×2，追偿减半" in html
    assert html.count('class="rf-outlook-fan"') == 2  # the two scenarios computed; the third shows "—"


def test_bureau_runs_a_scenario_now(client, world, django_capture_on_commit_callbacks):
    client.force_login(user("bureau"))
    scenario = Scenario.objects.get(name="rolls-x1-5")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:outlook_scenario_changelist"),
            {"action": "run_forecast", "_selected_action": [scenario.pk]},
        )
    assert response.status_code == 302
    assert Forecast.objects.filter(scenario=scenario).count() == 1


def test_the_auditor_cannot_run_or_edit(client, world):
    client.force_login(user("auditor"))
    scenario = Scenario.objects.get(name=BASE)
    response = client.post(
        reverse("admin:outlook_scenario_changelist"), {"action": "run_forecast", "_selected_action": [scenario.pk]}
    )
    assert Forecast.objects.count() == 0
    assert response.status_code in (200, 302)
    assert client.post(reverse("admin:outlook_scenario_change", args=[scenario.pk]), {}).status_code == 403


def test_bureau_adds_a_scenario_with_a_bank_set_to_another_and_bad_overrides_are_refused(client, world):
    client.force_login(user("bureau"))
    url = reverse("admin:outlook_scenario_add")
    form = {"name": "bob-like-bob", "title": "自比", "roll_multiplier": "1", "recovery_haircut": "0", "notes": ""}
    bad = client.post(url, {**form, "bank_overrides": '[{"bank": "BOB", "like": "BOB"}]'})
    assert bad.status_code == 200 and not Scenario.objects.filter(name="bob-like-bob").exists()
    not_json = client.post(url, {**form, "bank_overrides": "{{{"})
    assert not_json.status_code == 200
    too_big = client.post(url, {**form, "roll_multiplier": "11", "bank_overrides": "[]"})
    assert too_big.status_code == 200
    ok = client.post(url, {**form, "name": "x1-25", "roll_multiplier": "1.25", "bank_overrides": "[]", "active": "on"})
    assert ok.status_code == 302
    assert Scenario.objects.get(name="x1-25").roll_multiplier == 1.25


def test_the_base_scenario_cannot_be_deleted(client, world):
    client.force_login(user("bureau"))
    base = Scenario.objects.get(name=BASE)
    assert client.post(reverse("admin:outlook_scenario_delete", args=[base.pk]), {"post": "yes"}).status_code == 403


def test_excel_export_from_the_scenario_page(client, forecast):
    client.force_login(user("trustee"))
    response = client.post(reverse("admin:outlook_forecast_export", args=[forecast.pk]))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.params) == (EXPORT_KIND, {"forecast": str(forecast.pk)})
    missing = "00000000-0000-4000-8000-00000000dead"
    assert client.post(reverse("admin:outlook_forecast_export", args=[missing])).status_code == 404
    assert client.get(reverse("admin:outlook_forecast_export", args=[forecast.pk])).status_code == 302


def test_a_district_officer_has_no_scenario_pages(client, forecast):
    client.force_login(user("district", "150202"))
    assert client.get(reverse("admin:outlook_scenario_changelist")).status_code == 403
    assert client.get(reverse("admin:outlook_scenario_compare")).status_code == 403
    assert client.post(reverse("admin:outlook_forecast_export", args=[forecast.pk])).status_code == 403
