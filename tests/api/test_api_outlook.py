"""``GET /api/v1/outlook/`` (API.md; art. 13, 20, 37, 38) on the hand-followed pool of tests/outlook/outlook_world.py:
all staff, a district officer with its own district's funder row, computed on demand once per closed date."""

import json
from datetime import date

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from banks.auth import bank_api_key_issue
from riskfund.outlook.models import Forecast
from riskfund.parties.models import Bank, StaffProfile
from tests.api.apihelpers import assert_problem
from tests.outlook.outlook_world import build_world

URL = "/api/v1/outlook/"


@pytest.fixture
def world(policy_2021):
    return build_world()


def no_floats(response) -> dict:
    return json.loads(response.content, parse_float=lambda text: pytest.fail(f"a float in the answer: {text}"))


def test_bureau_reads_the_base_forecast_computed_on_demand(world, make_staff):
    client = make_staff("bureau")
    assert Forecast.objects.count() == 0
    response = client.get(URL)
    assert response.status_code == 200, response.content
    body = no_floats(response)
    assert (body["as_of"], body["scenario"], body["paths"], body["seed"]) == ("2024-06-30", "base", 1000, 20210430)
    assert body["threshold"] == "0.200000"
    assert len(body["months"]) == 12
    first = body["months"][0]
    assert first["date"] == "2024-07-31"
    assert first["ratio"] == {"p5": "0.019672", "p50": "0.019672", "p95": "0.019672"}
    assert first["net_compensation"]["p50"] == "480000.00"
    assert first["capacity_left"]["p95"] == "238000000.00"
    assert first["crossed_probability"] == "0.000000"
    assert body["crossing_month_p50"] is None
    assert [row["code"] for row in body["funders"]][:3] == ["region", "city", "150202"]
    assert body["funders"][2]["replenishment_due_p50"] == "384000.00"
    assert Forecast.objects.count() == 1
    assert client.get(URL).json() == body  # stored: read again, not recomputed
    assert Forecast.objects.count() == 1


@pytest.mark.parametrize("role", ["trustee", "auditor"])
def test_every_staff_role_reads_every_funder(world, make_staff, role):
    body = make_staff(role).get(URL).json()
    assert len(body["funders"]) == 12


def test_a_district_officer_sees_its_own_district_row_only(world, make_staff):
    client = make_staff("district")
    StaffProfile.objects.create(user=client.user, district_id="150202")
    body = client.get(URL).json()
    assert [row["code"] for row in body["funders"]] == ["150202"]
    assert len(body["months"]) == 12


def test_a_district_officer_without_a_district_sees_no_funder(world, make_staff):
    body = make_staff("district").get(URL).json()
    assert body["funders"] == []


def test_another_scenario_by_name(world, make_staff):
    body = make_staff("bureau").get(URL, {"scenario": "rolls-x1-5"}).json()
    assert body["scenario"] == "rolls-x1-5"
    assert body["scenario_title"] == "迁徙率×1.5"


def test_unknown_scenario_is_404_and_a_malformed_name_400(world, make_staff):
    client = make_staff("bureau")
    assert_problem(client.get(URL, {"scenario": "no-such"}), 404, "not_found")
    assert_problem(client.get(URL, {"scenario": "a b"}), 400, "validation_error")
    assert_problem(client.get(URL, {"scenario": "x" * 41}), 400, "validation_error")


def test_nothing_closed_yet_is_404(policy_2021, make_staff):
    assert_problem(make_staff("bureau").get(URL), 404, "not_found")


def test_a_bank_may_not_read_it_and_anonymous_must_log_in(world):
    _, key = bank_api_key_issue(bank=Bank.objects.get(code="BOB"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert_problem(client.get(URL), 403, "permission_denied")
    assert_problem(APIClient().get(URL), 401, "not_authenticated")


def test_a_user_without_a_role_is_refused(world, make_staff):
    Group.objects.get_or_create(name="bureau")
    assert_problem(make_staff().get(URL), 403, "permission_denied")


def test_english_answers_keep_the_figures(world, make_staff):
    body = make_staff("bureau").get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["months"][3]["ratio"]["p50"] == "0.038400"
    assert date.fromisoformat(body["months"][3]["date"]) == date(2024, 10, 31)
