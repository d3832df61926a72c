"""Finding 7 of the outside attack (issue 12): ``costs: {"bribe": "150"}`` was dropped and the recovery posted (201,
net 100). An unknown key is a 400 naming it, at the top of a body and in every nested object (API.md: "an unknown
cost key → 400"). The attack suite (test_attack_suite.py) sends unknown keys to every POST of the schema."""

import pytest
from factories import DONGHE, make_uscc, seed_reference
from pipeline_support import collected

from riskfund.claims.models import Recovery
from riskfund.claims.services import compensation_claim
from riskfund.ledger.models import Transaction
from riskfund.lending.models import Loan
from riskfund.parties.models import Enterprise
from tests.api.apihelpers import assert_problem, post
from tests.banks.bank_world import days_ago, today


@pytest.fixture
def compensated_loan(world):
    """A 800,000 instalment loan 40 days overdue on its 320,000 first instalment, compensated today."""
    loan = world.overdue_loan("800000", overdue=40)
    compensation_claim(loan=collected(loan, today()), deducted_on=today())
    return loan


def recovery_url(loan) -> str:
    return f"/api/v1/loans/{loan.pk}/recoveries/"


def test_finding7_a_misspelled_cost_key_is_a_400_and_nothing_is_posted(world, compensated_loan):
    transactions = Transaction.objects.count()
    body = {"recovered_on": today().isoformat(), "gross": "250", "costs": {"bribe": "150"}}
    problem = assert_problem(post(world.a, recovery_url(compensated_loan), body), 400, "validation_error")
    assert list(problem["errors"]) == ["costs.bribe"]
    assert Recovery.objects.count() == 0
    assert Transaction.objects.count() == transactions


def test_finding7_the_same_recovery_with_a_known_cost_key_nets_100(world, compensated_loan):
    """gross 250.00 − litigation 150.00 = net 100.00 (art. 34)."""
    body = {"recovered_on": today().isoformat(), "gross": "250", "costs": {"litigation": "150"}}
    response = post(world.a, recovery_url(compensated_loan), body)
    assert response.status_code == 201, response.content
    assert response.json()["net"] == "100.00"


def test_finding7_an_unknown_top_level_key_is_a_400(world, compensated_loan):
    body = {"recovered_on": today().isoformat(), "gross": "250", "net": "250"}
    problem = assert_problem(post(world.a, recovery_url(compensated_loan), body), 400, "validation_error")
    assert list(problem["errors"]) == ["net"]
    assert Recovery.objects.count() == 0


@pytest.mark.parametrize(
    ("where", "errors"),
    [("schedule", ["schedule.0.note"]), ("counter_guarantees", ["counter_guarantees.0.note"])],
)
def test_finding7_an_unknown_key_inside_a_list_item_is_a_400(world, where, errors):
    recommendation = world.recommendation("500000", approve=True)
    disbursed = days_ago(10)
    maturity = disbursed.replace(year=disbursed.year + 1)
    body = {
        "recommendation": str(recommendation.pk),
        "contract_no": "UK-0001",
        "principal": "500000",
        "disbursed_on": disbursed.isoformat(),
        "maturity_on": maturity.isoformat(),
        "annual_rate": "3.45",
        "repayment_method": "instalments",
        "schedule": [{"due_on": maturity.isoformat(), "principal": "500000"}],
        "counter_guarantees": [{"kind": "movable", "description": "设备抵押", "value": "100000"}],
    }
    body[where][0]["note"] = "x"
    problem = assert_problem(post(world.a, "/api/v1/loans/", body), 400, "validation_error")
    assert list(problem["errors"]) == errors
    assert Loan.objects.count() == 0


@pytest.mark.django_db
def test_finding7_an_unknown_key_on_a_staff_endpoint_is_a_400(policy_2021, make_staff):
    seed_reference()
    body = {
        "uscc": make_uscc(770001),
        "name": "包头多字段企业有限公司",
        "district": DONGHE,
        "industry": "industry",
        "employees": 50,
        "revenue": "10000000",
        "total_assets": "8000000",
        "established_on": "2015-06-01",
        "size_class": "micro",
    }
    problem = assert_problem(post(make_staff("bureau"), "/api/v1/enterprises/", body), 400, "validation_error")
    assert list(problem["errors"]) == ["size_class"]
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_finding7_an_unknown_key_on_the_login_is_a_400(client):
    body = {"username": "nobody", "password": "x", "otp": "123456"}
    problem = assert_problem(
        client.post("/api/v1/auth/token/", body, content_type="application/json"), 400, "validation_error"
    )
    assert list(problem["errors"]) == ["otp"]
