"""Every error is application/problem+json (RFC 9457) with a stable code, in the client's language."""

import pytest
from rest_framework.test import APIClient

from tests.api.apihelpers import assert_problem, post

pytestmark = pytest.mark.urls("tests.api.testapp_urls")


def test_400_validation_error_lists_messages_by_field(make_staff, accounts):
    response = post(make_staff("bureau"), "/t/probe/", {"amount": 1000, "on": "2025-1-5"})
    body = assert_problem(response, 400, "validation_error")
    assert set(body["errors"]) == {"amount", "on"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)
    assert "clause" not in body


def test_malformed_json_is_a_400_validation_error(make_staff):
    client = make_staff("bureau")
    for raw in ('{"amount": ', '{"amount": NaN}', '{"amount": Infinity}'):
        response = client.post("/t/probe/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=raw)
        body = assert_problem(response, 400, "validation_error")
        assert body["errors"]["non_field_errors"]


def test_401_when_no_credentials(db):
    response = APIClient().get("/api/v1/ledger/transactions/")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_403_when_role_missing(make_staff):
    assert_problem(make_staff("district").get("/api/v1/ledger/transactions/"), 403, "permission_denied")


def test_404_for_http404_and_for_unknown_api_paths(db):
    assert_problem(APIClient().get("/t/missing/"), 404, "not_found")
    assert_problem(APIClient().get("/api/v1/no/such/thing/"), 404, "not_found")
    assert_problem(APIClient().post("/api/v1/no/such/thing/", {}, format="json"), 404, "not_found")


def test_405_method_not_allowed(db):
    assert_problem(APIClient().get("/api/v1/auth/token/"), 405, "method_not_allowed")


def test_415_unsupported_media_type(make_staff):
    response = make_staff("bureau").post(
        "/t/probe/", "amount=1", content_type="application/x-www-form-urlencoded", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert_problem(response, 415, "unsupported_media_type")


def test_422_rule_violation_carries_code_and_clause(db):
    body = assert_problem(APIClient().get("/t/rule/"), 422, "pool_suspended")
    assert body["clause"] == "art. 37"
    assert "errors" not in body


def test_rule_violation_with_its_own_status(db):
    assert_problem(APIClient().get("/t/rule/?status=409"), 409, "pool_suspended")


def test_rule_violation_from_a_service_rolls_back_and_is_422(make_staff, accounts):
    from riskfund.ledger.models import Transaction

    body = assert_problem(post(make_staff("bureau"), "/t/probe/", {"amount": "100000.01"}), 422, "pool_suspended")
    assert body["clause"] == "art. 37"
    assert Transaction.objects.count() == 0


def test_date_in_future_is_422(make_staff, accounts):
    body = assert_problem(
        post(make_staff("bureau"), "/t/probe/", {"amount": "1", "on": "2999-01-01"}), 422, "date_in_future"
    )
    assert "2999-01-01" in body["detail"]


@pytest.mark.parametrize(
    ("language", "title", "detail"),
    [
        ("en", "Authentication required", "Authentication credentials were not provided."),
        ("zh-hans", "需要身份认证", "身份认证信息未提供。"),
        (None, "需要身份认证", "身份认证信息未提供。"),
    ],
)
def test_messages_follow_accept_language(db, language, title, detail):
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    body = assert_problem(APIClient().get("/api/v1/ledger/transactions/", **extra), 401, "not_authenticated")
    assert (body["title"], body["detail"]) == (title, detail)


def test_validation_messages_are_translated(make_staff, accounts):
    client = make_staff("bureau")
    en = post(client, "/t/probe/", {"amount": 1}, HTTP_ACCEPT_LANGUAGE="en").json()
    zh = post(client, "/t/probe/", {"amount": 1}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert en["title"] == "Invalid input" and zh["title"] == "输入有误"
    assert en["errors"]["amount"] == ['Enter the value as a JSON string such as "1000.00", not as a number.']
    assert zh["errors"]["amount"] == ['请以 JSON 字符串填写数值（如 "1000.00"），不要使用数字类型。']
    assert en["detail"] != zh["detail"]


def test_rule_violation_title_is_translated(db):
    assert APIClient().get("/t/rule/", HTTP_ACCEPT_LANGUAGE="en").json()["title"] == "Business rule violated"
    assert APIClient().get("/t/rule/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["title"] == "违反业务规则"


def test_nested_errors_are_flattened_to_dotted_paths():
    from riskfund.api.problems import flatten_errors

    detail = {"schedule": [{}, {"principal": ["bad"]}], "non_field_errors": ["x"], "name": ["required"]}
    assert flatten_errors(detail) == {
        "schedule.1.principal": ["bad"],
        "non_field_errors": ["x"],
        "name": ["required"],
    }
