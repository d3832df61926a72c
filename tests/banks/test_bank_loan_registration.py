"""Loan registration through the API answers the first failure in SPEC §8's order: authentication (401) →
idempotency_key_required (400) → validation_error (400) → unknown recommendation (404, also another bank's) →
date_in_future → agreement_not_active, recommendation_not_usable, amount_exceeds_recommendation,
duplicate_contract_no, fees_not_allowed, term_too_long → … (422)."""

import uuid
from datetime import timedelta

import pytest
from bank_world import assert_problem, bank_client, days_ago, post, today

from riskfund.lending.models import Loan
from riskfund.lending.rules import add_months
from riskfund.parties.models import Agreement, AgreementStatus

URL = "/api/v1/loans/"


def body(rec, /, **changes) -> dict:
    disbursed = days_ago(10)
    values = {
        "recommendation": str(rec.pk) if rec is not None else str(uuid.uuid4()),
        "contract_no": "HT-ORDER-1",
        "principal": "500000",
        "disbursed_on": disbursed.isoformat(),
        "maturity_on": add_months(disbursed, 12).isoformat(),
        "annual_rate": "3.45",
        "repayment_method": "bullet",
        "extended_term": False,
        "extended_reason": "",
        "extra_fees": "0.00",
        "counter_guarantees": [{"kind": "guarantee", "description": "法定代表人连带责任保证", "value": None}],
    }
    values.update(changes)
    return values


def test_each_step_of_the_order_hides_the_later_ones(world):
    recommendation = world.recommendation("500000", approve=True)
    broken = body(recommendation, principal=500000, extra_fees="10.00")  # a JSON number: malformed

    # 1. no key (even without an Idempotency-Key, with a malformed body) → 401
    assert_problem(post(bank_client(None), URL, broken, key=None), 401, "not_authenticated")
    # 2. a key but no Idempotency-Key → 400 idempotency_key_required
    assert_problem(post(world.a, URL, broken, key=None), 400, "idempotency_key_required")
    # 3. a malformed body → 400 validation_error with the field, before the unknown recommendation
    unknown_and_broken = body(None, principal=500000)
    problem = assert_problem(post(world.a, URL, unknown_and_broken), 400, "validation_error")
    assert set(problem["errors"]) == {"principal"}
    # 4. a well-formed body naming an unknown recommendation, or another bank's → 404
    assert_problem(post(world.a, URL, body(None, extra_fees="10.00")), 404, "not_found")
    theirs = world.recommendation("500000", bank=world.bank_b, approve=True)
    assert_problem(post(world.a, URL, body(theirs)), 404, "not_found")
    # 5. then the rules, in order: a future disbursement before the fees
    tomorrow = today() + timedelta(days=1)
    future = body(recommendation, disbursed_on=tomorrow.isoformat(), maturity_on=add_months(tomorrow, 6).isoformat())
    assert_problem(post(world.a, URL, {**future, "extra_fees": "10.00"}), 422, "date_in_future")
    # 6. fees before the term (art. 17 before art. 22)
    too_long = add_months(days_ago(10), 13).isoformat()
    problem = assert_problem(
        post(world.a, URL, body(recommendation, extra_fees="0.01", maturity_on=too_long)), 422, "fees_not_allowed"
    )
    assert problem["clause"] == "art. 17"
    assert_problem(post(world.a, URL, body(recommendation, maturity_on=too_long)), 422, "term_too_long")
    assert Loan.objects.count() == 0
    # and the well-formed, rule-abiding body registers
    assert post(world.a, URL, body(recommendation)).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"principal": "1e5"}, "principal"),
        ({"principal": "-5"}, "principal"),
        ({"principal": "100.001"}, "principal"),
        ({"principal": "NaN"}, "principal"),
        ({"annual_rate": 3.45}, "annual_rate"),
        ({"disbursed_on": "2025/03/01"}, "disbursed_on"),
        ({"repayment_method": "balloon"}, "repayment_method"),
        ({"extended_term": "yes"}, "extended_term"),
        ({"recommendation": "not-a-uuid"}, "recommendation"),
        ({"contract_no": ""}, "contract_no"),
        ({"counter_guarantees": [{"kind": "gold", "value": "1"}]}, "counter_guarantees.0.kind"),
        ({"repayment_method": "instalments"}, "schedule"),
        ({"schedule": [{"due_on": "2030-01-01", "principal": "1"}]}, "schedule"),  # bullet: no schedule
        ({"maturity_on": None}, "maturity_on"),
    ],
)
def test_malformed_bodies_are_400_with_the_field(world, changes, field):
    recommendation = world.recommendation("500000", approve=True)
    problem = assert_problem(post(world.a, URL, body(recommendation, **changes)), 400, "validation_error")
    assert field in problem["errors"], problem


def test_a_schedule_the_service_refuses_is_400_on_schedule(world):
    recommendation = world.recommendation("500000", approve=True)
    disbursed = days_ago(10)
    maturity = add_months(disbursed, 12)
    wrong_sum = [
        {"due_on": add_months(disbursed, 6).isoformat(), "principal": "100000"},
        {"due_on": maturity.isoformat(), "principal": "100000"},
    ]
    problem = assert_problem(
        post(world.a, URL, body(recommendation, repayment_method="instalments", schedule=wrong_sum)),
        400,
        "validation_error",
    )
    assert "schedule" in problem["errors"]
    assert Loan.objects.count() == 0


def test_the_422_codes_of_the_registration_rules(world):
    issued = world.recommendation("500000")
    assert_problem(post(world.a, URL, body(issued)), 422, "recommendation_not_usable")

    approved = world.recommendation("500000", approve=True)
    assert_problem(post(world.a, URL, body(approved, principal="500000.01")), 422, "amount_exceeds_recommendation")
    assert_problem(post(world.a, URL, body(approved, extra_fees="100")), 422, "fees_not_allowed")
    first = post(world.a, URL, body(approved))
    assert first.status_code == 201
    assert_problem(post(world.a, URL, body(approved)), 422, "recommendation_not_usable")  # used once

    another = world.recommendation("500000", approve=True)
    assert_problem(post(world.a, URL, body(another)), 422, "duplicate_contract_no")  # HT-ORDER-1 again
    # the same contract number at another bank is fine (unique per bank)
    theirs = world.recommendation("500000", bank=world.bank_b, approve=True)
    assert post(world.b, URL, body(theirs)).status_code == 201

    Agreement.objects.filter(bank=world.bank_a).update(status=AgreementStatus.ENDING)
    assert_problem(post(world.a, URL, body(another, contract_no="HT-2")), 422, "agreement_not_active")


def test_a_late_notice_is_accepted_and_flagged_a_timely_one_is_not(world):
    timely = world.recommendation("500000", approve=True)
    answer = post(
        world.a, URL, body(timely, disbursed_on=today().isoformat(), maturity_on=add_months(today(), 12).isoformat())
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["notified_late"] is False
    late = world.recommendation("500000", approve=True)
    answer = post(
        world.a,
        URL,
        body(
            late,
            contract_no="HT-LATE",
            disbursed_on=days_ago(40).isoformat(),
            maturity_on=add_months(days_ago(40), 12).isoformat(),
        ),
    )
    assert answer.status_code == 201 and answer.json()["notified_late"] is True
