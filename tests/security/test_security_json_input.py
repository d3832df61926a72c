"""Findings 1–3 of the outside attack (issue 12) and the body-size limit, each as the attacker sent it.

1. ``[`` × 100,000 to the login endpoint answered 500 (``RecursionError`` escaped the JSON parser): JSON nested
   deeper than 32 levels is a 400 ``validation_error`` (API.md Conventions).
2. ``employees`` / ``term_months`` of 3,000,000,000 answered 500 on PostgreSQL ("integer out of range") and 10**20
   raised ``OverflowError`` on SQLite: every count has a documented range and a value outside it is a 400.
3. ``"principal": "1000\\n"`` was accepted (a ``$`` anchor matches before a final newline): strict fields match the
   whole string.

Also: a JSON body above 1 MiB is answered 413 before it is parsed (a 30 MB body was parsed and a loan written).
"""

import json

import pytest
from factories import DONGHE, make_uscc, seed_reference

from riskfund.lending.models import Application, Loan
from riskfund.parties.models import Enterprise
from tests.api.apihelpers import assert_problem, post
from tests.api.staff_world import small_enterprise
from tests.banks.bank_world import days_ago

MIB = 1024 * 1024


def raw_post(client, path, body: bytes | str, *, content_type="application/json", key="raw-key-1"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.generic("POST", path, body, content_type=content_type, **extra)


# --- finding 1: nesting ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_finding1_hundred_thousand_brackets_to_the_login_are_a_400(client):
    response = client.generic("POST", "/api/v1/auth/token/", "[" * 100_000, content_type="application/json")
    body = assert_problem(response, 400, "validation_error")
    assert "32" in body["errors"]["non_field_errors"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("depth", "status"), [(32, 400), (33, 400)])
def test_finding1_nesting_is_limited_to_32_levels(client, depth, status):
    """32 levels parse (and fail as a login body, 400 with field messages); 33 are refused by the parser."""
    nested = "[" * (depth - 1) + "1" + "]" * (depth - 1)
    response = client.generic(
        "POST", "/api/v1/auth/token/", '{"username": ' + nested + "}", content_type="application/json"
    )
    body = assert_problem(response, status, "validation_error")
    if depth == 32:
        assert "username" in body["errors"]  # parsed; the field itself is wrong
    else:
        assert "nested" in body["errors"]["non_field_errors"][0]


# --- finding 2: counts out of range --------------------------------------------------------------------------


def enterprise_body(**changes):
    body = {
        "uscc": make_uscc(880001),
        "name": "包头大数企业有限公司",
        "district": DONGHE,
        "industry": "industry",
        "employees": 50,
        "revenue": "10000000",
        "total_assets": "8000000",
        "established_on": "2015-06-01",
    }
    return {**body, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize("employees", [3_000_000_000, 10**20, -1, 1_000_001])
def test_finding2_employees_outside_its_range_are_a_400(policy_2021, make_staff, employees):
    seed_reference()
    response = post(make_staff("bureau"), "/api/v1/enterprises/", enterprise_body(employees=employees))
    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == ["employees"]
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_finding2_employees_at_the_top_of_the_range_are_accepted(policy_2021, make_staff):
    """1,000,000 persons is the documented maximum: in range, so the enterprise is registered."""
    seed_reference()
    response = post(make_staff("bureau"), "/api/v1/enterprises/", enterprise_body(employees=1_000_000))
    assert response.status_code == 201, response.content
    assert response.json()["employees"] == 1_000_000


@pytest.mark.django_db
@pytest.mark.parametrize("term_months", [3_000_000_000, 10**20, 0, 361])
def test_finding2_term_months_outside_its_range_are_a_400(policy_2021, make_staff, term_months):
    seed_reference()
    enterprise = small_enterprise()
    body = {"enterprise": enterprise.uscc, "amount": "1000000", "term_months": term_months}
    response = post(make_staff("bureau"), "/api/v1/applications/", body)
    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == ["term_months"]
    assert Application.objects.count() == 0


def test_finding2_count_ranges_are_documented_in_the_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    employees = schema["EnterpriseInputRequest"]["properties"]["employees"]
    term_months = schema["ApplicationInputRequest"]["properties"]["term_months"]
    assert (employees["minimum"], employees["maximum"]) == (0, 1_000_000)
    assert (term_months["minimum"], term_months["maximum"]) == (1, 360)


# --- finding 3: a trailing newline ---------------------------------------------------------------------------


def loan_body(world, **changes):
    recommendation = world.recommendation("500000", approve=True)
    body = {
        "recommendation": str(recommendation.pk),
        "contract_no": "NL-0001",
        "principal": "500000",
        "disbursed_on": days_ago(10).isoformat(),
        "maturity_on": days_ago(10).replace(year=days_ago(10).year + 1).isoformat(),
        "annual_rate": "3.45",
        "repayment_method": "bullet",
        "extended_term": False,
        "counter_guarantees": [{"kind": "movable", "description": "设备抵押", "value": "100000"}],
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("principal", "500000\n"),
        ("annual_rate", "3.45\n"),
        ("disbursed_on", "DATE\n"),
        ("principal", "500000\r"),
        ("principal", " 500000"),
    ],
)
def test_finding3_a_trailing_newline_is_not_an_amount_or_a_date(world, field, value):
    body = loan_body(world)
    body[field] = value.replace("DATE", body["disbursed_on"])
    response = post(world.a, "/api/v1/loans/", body)
    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == [field]
    assert Loan.objects.count() == 0


def test_finding3_the_same_body_without_the_newline_registers(world):
    response = post(world.a, "/api/v1/loans/", loan_body(world))
    assert response.status_code == 201, response.content


# --- the 1 MiB body limit ------------------------------------------------------------------------------------


def test_a_json_body_over_one_mib_is_a_413_and_writes_nothing(world):
    body = loan_body(world)
    body["padding"] = "x" * MIB
    response = raw_post(world.a, "/api/v1/loans/", json.dumps(body))
    assert_problem(response, 413, "content_too_large")
    assert Loan.objects.count() == 0


def test_a_json_body_of_exactly_one_mib_is_read(world):
    """1,048,576 bytes are allowed: the body is parsed and refused for its unknown key, not for its size."""
    body = loan_body(world)
    text = json.dumps({**body, "padding": ""})
    body["padding"] = "x" * (MIB - len(text))
    data = json.dumps(body)
    assert len(data.encode()) == MIB
    response = raw_post(world.a, "/api/v1/loans/", data)
    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == ["padding"]


@pytest.mark.django_db
def test_an_oversized_login_body_is_a_413(client):
    response = client.generic(
        "POST", "/api/v1/auth/token/", json.dumps({"username": "x" * (2 * MIB)}), content_type="application/json"
    )
    assert_problem(response, 413, "content_too_large")
