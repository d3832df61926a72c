"""Amounts are decimal strings with at most two places in requests and exactly two in responses; no float
ever appears (SPEC §3, API.md Conventions)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from riskfund.api.fields import BusinessDateField, MoneyField, RatioField
from riskfund.api.parsers import loads
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from tests.api.apihelpers import assert_problem, post

pytestmark = pytest.mark.urls("tests.api.testapp_urls")


@pytest.mark.parametrize(("sent", "shown"), [("1000", "1000.00"), ("1000.5", "1000.50"), ("1000.50", "1000.50")])
def test_money_accepted_and_rendered_with_two_places(make_staff, accounts, sent, shown):
    response = post(make_staff("bureau"), "/t/probe/", {"amount": sent})
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == shown


@pytest.mark.parametrize(
    "sent", [1000, 1000.5, "1000.505", "1e3", "NaN", "-1", "Infinity", "", " 1", "1,000", "+1", "١٠", True, None]
)
def test_money_refused_with_a_field_error(make_staff, accounts, sent):
    body = assert_problem(post(make_staff("bureau"), "/t/probe/", {"amount": sent}), 400, "validation_error")
    assert list(body["errors"]) == ["amount"]


def test_money_messages_say_what_is_wrong(make_staff, accounts):
    client = make_staff("bureau")

    def message(value):
        return post(client, "/t/probe/", {"amount": value}, HTTP_ACCEPT_LANGUAGE="en").json()["errors"]["amount"][0]

    assert "JSON string" in message(1000)
    assert "at most 2 decimal places" in message("1000.505")
    assert "negative" in message("-1")
    assert "digits before the decimal point" in message("1" * 17)


def test_signed_money_and_ratio(make_staff, accounts):
    response = post(make_staff("bureau"), "/t/probe/", {"amount": "1", "adjustment": "-12.3", "ratio": "0.2"})
    assert response.status_code == 201
    assert response.json()["adjustment"] == "-12.30"
    assert response.json()["ratio"] == "0.200000"
    body = post(make_staff("bureau"), "/t/probe/", {"amount": "1", "ratio": "0.1234567"}).json()
    assert list(body["errors"]) == ["ratio"]


def test_money_field_unit():
    field = MoneyField()
    assert field.run_validation("0") == Decimal("0.00")
    assert field.run_validation("9999999999999999.99") == Decimal("9999999999999999.99")
    assert field.to_representation(Decimal("1000000")) == "1000000.00"
    with pytest.raises(serializers.ValidationError):
        field.run_validation(Decimal("1.5"))  # what the parser makes of a JSON number
    assert RatioField().to_representation(Decimal("0.2")) == "0.200000"
    assert MoneyField(min_value=Decimal("0.01")).run_validation("0.01") == Decimal("0.01")
    with pytest.raises(serializers.ValidationError):
        MoneyField(min_value=Decimal("0.01")).run_validation("0")


def test_json_parser_never_makes_floats():
    data = loads('{"a": 1.10, "b": 1e3, "c": 7, "d": [0.1]}')
    assert data == {"a": Decimal("1.10"), "b": Decimal("1E+3"), "c": 7, "d": [Decimal("0.1")]}
    assert not any(isinstance(v, float) for v in (data["a"], data["b"], data["d"][0]))
    for constant in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError):
            loads(f'{{"a": {constant}}}')


def test_business_date_is_exactly_yyyy_mm_dd():
    field = BusinessDateField()
    assert field.run_validation("2025-03-01").isoformat() == "2025-03-01"
    for bad in ("2025-3-1", "2025-03-01T00:00", "20250301", "2025-02-30", 20250301):
        with pytest.raises(serializers.ValidationError):
            field.run_validation(bad)


def test_not_in_future_is_judged_in_shanghai():
    today = timezone.localdate()
    assert not_in_future(today) == today
    with pytest.raises(RuleViolation) as caught:
        not_in_future(today + timedelta(days=1), field="paid_on")
    assert (caught.value.code, caught.value.status) == ("date_in_future", 422)
    assert "paid_on" in caught.value.message


def test_responses_never_render_decimals_as_floats():
    from riskfund.api.renderers import JSONRenderer

    assert JSONRenderer().render({"a": Decimal("0.10")}) == b'{"a":"0.10"}'
