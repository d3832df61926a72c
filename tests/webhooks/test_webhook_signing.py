"""Derived signing secrets, rotation windows with two v1 signatures, and the reference receiver check."""

import datetime as dt
import hashlib
import hmac

import pytest

from banks.models import WebhookEndpoint
from banks.webhook_signing import endpoint_secret, signature_header, signing_secrets, verify_signature
from banks.webhooks import webhook_endpoint_register, webhook_secret_issue, webhook_secret_rotate

NOW = dt.datetime(2025, 6, 3, 9, 30, tzinfo=dt.UTC)
T = int(NOW.timestamp())
BODY = b'{"created":"2025-06-03T17:30:00+08:00","data":{},"id":"e1","type":"pool.resumed"}'


@pytest.fixture
def endpoint(make_bank):
    endpoint, _ = webhook_endpoint_register(bank=make_bank("BOC"), url="https://hooks.boc.example.cn/riskfund")
    return endpoint


def _v1_values(header: str) -> list[str]:
    return [part.split("=", 1)[1] for part in header.split(",") if part.startswith("v1=")]


def test_secret_is_derived_from_secret_key_endpoint_and_generation_and_never_stored(endpoint, settings):
    secret = endpoint_secret(endpoint)
    expected = hmac.new(
        settings.SECRET_KEY.encode(), f"riskfund-webhook:{endpoint.id}:1".encode(), hashlib.sha256
    ).hexdigest()
    assert secret == expected
    stored = WebhookEndpoint.objects.filter(pk=endpoint.pk).values().get()
    assert secret not in {str(v) for v in stored.values()}
    settings.SECRET_KEY = "another-deployment-key"
    assert endpoint_secret(endpoint) != secret


def test_registration_returns_the_current_secret_once(make_bank):
    endpoint, secret = webhook_endpoint_register(bank=make_bank("ICBC"), url="https://hooks.icbc.example.cn/")
    assert secret == endpoint_secret(endpoint)
    assert endpoint.secret_generation == 1


def test_both_secrets_sign_during_the_rotation_window_and_only_the_new_one_after(endpoint):
    old = endpoint_secret(endpoint)
    new = webhook_secret_rotate(endpoint=endpoint, overlap=dt.timedelta(hours=24), now=NOW)
    endpoint.refresh_from_db()
    assert new != old
    assert (endpoint.secret_generation, endpoint.previous_generation_valid_until) == (2, NOW + dt.timedelta(hours=24))

    during = NOW + dt.timedelta(hours=23)
    header = signature_header(BODY, signing_secrets(endpoint, during), int(during.timestamp()))
    assert len(_v1_values(header)) == 2
    assert verify_signature(header, BODY, [old], now=during)  # a receiver not yet switched
    assert verify_signature(header, BODY, [new], now=during)  # a receiver already switched

    after = NOW + dt.timedelta(hours=24)
    header = signature_header(BODY, signing_secrets(endpoint, after), int(after.timestamp()))
    assert len(_v1_values(header)) == 1
    assert verify_signature(header, BODY, [new], now=after)
    assert not verify_signature(header, BODY, [old], now=after)


def test_issuing_a_new_secret_revokes_the_old_one_at_once(endpoint):
    old = endpoint_secret(endpoint)
    new = webhook_secret_issue(endpoint=endpoint)
    header = signature_header(BODY, signing_secrets(endpoint, NOW), T)
    assert len(_v1_values(header)) == 1
    assert verify_signature(header, BODY, [new], now=NOW)
    assert not verify_signature(header, BODY, [old], now=NOW)


def test_receiver_refuses_a_timestamp_older_than_five_minutes():
    header = signature_header(BODY, ["s3cret"], T)
    assert verify_signature(header, BODY, ["s3cret"], now=NOW + dt.timedelta(seconds=300))
    assert not verify_signature(header, BODY, ["s3cret"], now=NOW + dt.timedelta(seconds=301))
    assert not verify_signature(header, BODY, ["s3cret"], now=NOW - dt.timedelta(seconds=301))  # from the future
    assert verify_signature(header, BODY.decode(), ["s3cret"], now=T + 10)  # str body, unix now


@pytest.mark.parametrize(
    "header",
    [
        "",
        "v1=abc",
        f"t={T}",
        f"t={T},t={T},v1=abc",
        f"t=-{T},v1=abc",
        f"t={T},v1",
        f"t={T},v1=0000",
    ],
)
def test_receiver_refuses_malformed_or_unsigned_headers(header):
    assert not verify_signature(header, BODY, ["s3cret"], now=NOW)


def test_signature_is_hmac_sha256_of_t_dot_body():
    header = signature_header(BODY, ["s3cret"], T)
    expected = hmac.new(b"s3cret", f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"


def test_rotation_overlap_must_not_be_negative(endpoint):
    with pytest.raises(ValueError):
        webhook_secret_rotate(endpoint=endpoint, overlap=dt.timedelta(seconds=-1), now=NOW)
