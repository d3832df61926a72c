"""Property tests of every bank POST endpoint with bodies generated from its input serializer (hypothesis):
a body with a malformed field is a 400 naming that field, and no JSON document or byte string at all makes the
server fail (only 400, 404 or 422). schemathesis would do this from the served schema; it is not installed
(see the report: schemathesis==4.32.5 for requirements-dev.txt)."""

import json
import uuid
from datetime import date, timedelta

import pytest
from bank_world import days_ago, today
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline_support import collected
from rest_framework import serializers

from banks.api.serializers import claims, deposit, loans, repayments, webhooks
from banks.api.serializers.common import StrictBooleanField
from riskfund.api.fields import BusinessDateField, DecimalStringField
from riskfund.claims.services import compensation_claim
from riskfund.dates import business_today

ENDPOINTS = {
    "due_diligence": (
        "/api/v1/recommendations/{issued}/due-diligence/",
        loans.BankDueDiligenceInputSerializer,
    ),
    "register": ("/api/v1/loans/", loans.BankLoanRegisterSerializer),
    "repayment": ("/api/v1/loans/{active}/repayments/", repayments.BankRepaymentInputSerializer),
    "event": ("/api/v1/loans/{active}/events/", repayments.BankLoanEventSerializer),
    "compensation": ("/api/v1/loans/{overdue}/compensation/", claims.BankCompensationInputSerializer),
    "recovery": ("/api/v1/loans/{compensated}/recoveries/", claims.BankRecoveryInputSerializer),
    "topup": ("/api/v1/deposit/topup-requests/", deposit.BankTopUpInputSerializer),
    "webhook": ("/api/v1/webhooks/", webhooks.BankWebhookInputSerializer),
}
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

finite_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
json_scalars = finite_scalars | st.floats() | st.text(max_size=30)  # json.dumps writes NaN/Infinity: refused
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
)
amount_texts = st.decimals(min_value=0, max_value=10**9, places=2).map(str)
past_dates = st.dates(min_value=date(2024, 1, 1), max_value=business_today() - timedelta(days=1)).map(date.isoformat)


def good_value(field) -> st.SearchStrategy:
    """Values the field accepts on its own."""
    if isinstance(field, serializers.ListSerializer):
        return st.lists(good_value(field.child), max_size=2)
    if isinstance(field, serializers.Serializer):
        return st.fixed_dictionaries({n: good_value(f) for n, f in field.fields.items() if not f.read_only})
    if isinstance(field, DecimalStringField):
        return amount_texts
    if isinstance(field, BusinessDateField):
        return past_dates
    if isinstance(field, serializers.ChoiceField):
        return st.sampled_from(list(field.choices))
    if isinstance(field, serializers.UUIDField):
        return st.uuids().map(str)
    if isinstance(field, serializers.BooleanField):
        return st.booleans()
    if isinstance(field, serializers.URLField):
        return st.just("https://bank.example.cn/hooks")
    return st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20)


def bad_value(field) -> st.SearchStrategy:
    """Values the field refuses whatever the rest of the body says."""
    containers = st.lists(st.integers(), min_size=1, max_size=2) | st.dictionaries(st.text(max_size=3), st.integers())
    if isinstance(field, serializers.ListSerializer):
        return st.none() | st.text(max_size=5) | st.integers() | st.lists(st.integers(), min_size=1, max_size=2)
    if isinstance(field, serializers.Serializer):
        return st.none() | st.text(max_size=5) | st.integers() | st.lists(st.integers(), max_size=2)
    if isinstance(field, DecimalStringField):
        one_place_too_many = "1." + "0" * field.decimal_places + "1"  # 1.001 for an amount, 1.00001 for a rate
        junk = st.sampled_from(["1e5", "NaN", "Infinity", "-1", one_place_too_many, "", " 1", "1,000", "0x10", "１０"])
        return st.none() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | junk | containers
    if isinstance(field, BusinessDateField):
        junk = st.sampled_from(["2025-02-30", "20250101", "2025/01/01", "2025-1-1", "", "today", "2025-01-01T00:00"])
        return st.none() | st.integers() | junk | containers
    if isinstance(field, serializers.ChoiceField):
        return st.none() | st.integers() | st.text(max_size=8).filter(lambda t: t not in field.choices) | containers
    if isinstance(field, serializers.UUIDField):
        return st.none() | st.integers() | st.text(max_size=8) | containers
    if isinstance(field, StrictBooleanField):
        return st.none() | st.sampled_from(["true", "false", "yes", 1, 0, ""]) | containers
    if isinstance(field, serializers.URLField):
        return st.none() | st.integers() | st.sampled_from(["not a url", "ftp//x", ""]) | containers
    too_long = st.just("x" * ((field.max_length or 100_000) + 1))
    return st.none() | st.booleans() | containers | too_long  # a CharField takes a number as its text


@st.composite
def malformed_body(draw, serializer_class):
    """A body from the serializer's fields with ``(name, body)``: the field ``name`` surely malformed, every other
    field present with a good or bad value, or absent."""
    fields = {n: f for n, f in serializer_class().fields.items() if not f.read_only}
    name = draw(st.sampled_from(sorted(fields)))
    body = {}
    for other, field in fields.items():
        if other == name:
            body[other] = draw(bad_value(field))
        else:
            choice = draw(st.sampled_from(["good", "bad", "absent"]))
            if choice != "absent":
                body[other] = draw(good_value(field) if choice == "good" else bad_value(field))
    if draw(st.booleans()):
        body[draw(st.text(min_size=1, max_size=8))] = draw(finite_scalars)  # an unknown field is reported beside it
    return name, body


@pytest.fixture
def paths(world):
    compensated = world.overdue_loan("800000", overdue=40)
    compensation_claim(loan=collected(compensated, today()), deducted_on=today())
    ids = {
        "issued": world.recommendation("300000").pk,
        "active": world.loan("1000000", disbursed_on=days_ago(20)).pk,
        "overdue": world.overdue_loan("500000", overdue=30).pk,
        "compensated": compensated.pk,
    }
    return world, {name: path.format(**ids) for name, (path, _) in ENDPOINTS.items()}


def _post(client, path, data, content_type="application/json"):
    return client.post(path, data, content_type=content_type, HTTP_IDEMPOTENCY_KEY=f"fuzz-{uuid.uuid4()}")


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_a_malformed_field_is_a_400_naming_it(paths, endpoint):
    world, urls = paths
    client = world.a
    fields = ENDPOINTS[endpoint][1]().fields

    @FUZZ
    @given(case=malformed_body(ENDPOINTS[endpoint][1]))
    def check(case):
        name, body = case
        response = _post(client, urls[endpoint], json.dumps(body))
        assert response.status_code == 400, (body, response.content)
        problem = response.json()
        assert problem["code"] == "validation_error"
        named = {key for key in problem["errors"] if key == name or key.startswith(name + ".")}
        if isinstance(fields[name], serializers.Serializer | serializers.ListSerializer):
            # riskfund.api.problems.flatten_errors reports a nested object's or list's own error ("expected a
            # dictionary", "expected a list") as top-level "non_field_errors", not "<name>.non_field_errors"
            named |= {key for key in problem["errors"] if key == "non_field_errors"}
        assert named, (name, problem)

    check()


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_no_document_makes_the_server_fail(paths, endpoint):
    world, urls = paths
    client = world.a

    @FUZZ
    @given(document=json_values.map(json.dumps) | st.binary(max_size=40))
    def check(document):
        response = _post(client, urls[endpoint], document)
        assert response.status_code in {400, 404, 422}, (document, response.content)
        assert response["Content-Type"] == "application/problem+json"

    check()
