"""Staff login with knox tokens (API.md, Authentication): hashed storage, 10-hour expiry, throttled login."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.api.apihelpers import assert_problem

LOGIN = "/api/v1/auth/token/"


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(username="alice", password="correct horse battery")


def test_login_returns_a_token_that_authenticates(alice):
    client = APIClient()
    response = client.post(LOGIN, {"username": "alice", "password": "correct horse battery"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json() == {"username": "alice", "name": "", "roles": [], "is_superuser": False}


def test_login_needs_no_idempotency_key_and_token_expires_in_ten_hours(alice):
    before = timezone.now()
    response = APIClient().post(LOGIN, {"username": "alice", "password": "correct horse battery"}, format="json")
    assert response.status_code == 200
    expiry = AuthToken.objects.get(user=alice).expiry
    assert before + timedelta(hours=10) <= expiry <= timezone.now() + timedelta(hours=10)


def test_tokens_are_stored_hashed(alice):
    token = APIClient().post(LOGIN, {"username": "alice", "password": "correct horse battery"}, format="json").json()
    plain = token["token"]
    row = AuthToken.objects.values().get(user=alice)
    assert all(plain not in str(value) for value in row.values())
    assert row["digest"] != plain and len(row["digest"]) == 128  # SHA-512 hex
    assert len(row["token_key"]) < len(plain)  # only a short lookup prefix is kept in clear


def test_bad_credentials_are_a_validation_error(alice):
    response = APIClient().post(LOGIN, {"username": "alice", "password": "wrong"}, format="json")
    body = assert_problem(response, 400, "validation_error")
    assert body["errors"]["non_field_errors"]
    missing = assert_problem(APIClient().post(LOGIN, {"username": "alice"}, format="json"), 400, "validation_error")
    assert "password" in missing["errors"]


def test_inactive_user_cannot_log_in(alice):
    alice.is_active = False
    alice.save()
    response = APIClient().post(LOGIN, {"username": "alice", "password": "correct horse battery"}, format="json")
    assert_problem(response, 400, "validation_error")


def test_eleventh_login_attempt_within_a_minute_is_throttled(alice):
    client = APIClient()
    for _ in range(10):
        assert client.post(LOGIN, {"username": "alice", "password": "wrong"}, format="json").status_code == 400
    response = client.post(LOGIN, {"username": "alice", "password": "correct horse battery"}, format="json")
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert not AuthToken.objects.filter(user=alice).exists()


def test_expired_token_is_refused(alice):
    _, token = AuthToken.objects.create(user=alice, expiry=timedelta(seconds=-1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/me/")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert_problem(client.get("/api/v1/me/"), 401, "not_authenticated")


def test_logout_revokes_the_token(make_staff):
    client = make_staff("bureau")
    response = client.post("/api/v1/auth/logout/", HTTP_IDEMPOTENCY_KEY="logout-1")
    assert response.status_code == 204
    assert not AuthToken.objects.filter(user=client.user).exists()
    assert_problem(client.get("/api/v1/me/"), 401, "not_authenticated")


def test_me_lists_roles_and_superuser_has_all(make_staff):
    assert make_staff("trustee", "auditor").get("/api/v1/me/").json()["roles"] == ["auditor", "trustee"]
    assert make_staff(superuser=True).get("/api/v1/me/").json()["roles"] == ["auditor", "bureau", "district", "trustee"]
