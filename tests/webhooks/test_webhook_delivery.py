"""Signed delivery to a real HTTP receiver on 127.0.0.1: failure, backoff, retry, duplicates, give-up."""

import datetime as dt
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction

from banks import webhooks
from banks.models import WebhookDelivery
from banks.webhook_signing import endpoint_secret, verify_signature
from banks.webhooks import MAX_ATTEMPTS, backoff, deliver, webhook_endpoint_register
from riskfund.outbox.models import EventState, EventType, OutboxEvent
from riskfund.outbox.services import outbox_emit

NOW = dt.datetime(2025, 6, 3, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def bank(make_bank):
    return make_bank("BOC")


@pytest.fixture
def endpoint(bank, receiver, loopback_allowed):
    endpoint, _ = webhook_endpoint_register(bank=bank, url=receiver.url, now=NOW)
    return endpoint


def _emit(bank, now=NOW):
    with transaction.atomic():
        return outbox_emit(
            bank=bank,
            type=EventType.TOPUP_APPROVED,
            data={"topup": "3f1c2a", "amount": Decimal("250000.00"), "approved_on": dt.date(2025, 6, 3)},
            now=now,
        )


def test_first_attempt_fails_then_the_retry_after_backoff_succeeds_and_is_verifiable(bank, endpoint, receiver):
    event = _emit(bank)
    receiver.statuses.extend([500, 200])

    first = deliver(event.id, now=NOW)

    assert (first.attempt, first.success, first.status_code, first.started_at) == (1, False, 500, NOW)
    assert "HTTP 500" in first.error
    event.refresh_from_db()
    assert (event.state, event.attempts) == (EventState.PENDING, 1)
    assert event.next_attempt_at == NOW + dt.timedelta(minutes=1)

    assert deliver(event.id, now=NOW + dt.timedelta(seconds=59)) is None  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    retry_at = NOW + dt.timedelta(minutes=1)
    second = deliver(event.id, now=retry_at)

    assert (second.attempt, second.success, second.status_code, second.error) == (2, True, 200, "")
    event.refresh_from_db()
    assert (event.state, event.attempts, event.delivered_at, event.next_attempt_at) == ("delivered", 2, retry_at, None)
    assert list(WebhookDelivery.objects.filter(event=event).order_by("attempt").values_list("success", flat=True)) == [
        False,
        True,
    ]

    request = receiver.requests[-1]
    header = request["headers"]["X-Riskfund-Signature"]
    assert header.startswith(f"t={int(retry_at.timestamp())},v1=")
    assert verify_signature(header, request["body"], [endpoint_secret(endpoint)], now=retry_at)
    assert not verify_signature(header, request["body"], ["some-other-secret"], now=retry_at)
    body = json.loads(request["body"])
    assert body == {
        "id": str(event.id),
        "type": "topup.approved",
        "created": "2025-06-03T17:30:00+08:00",
        "data": {"topup": "3f1c2a", "amount": "250000.00", "approved_on": "2025-06-03"},
    }
    assert request["body"] == json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    assert receiver.requests[0]["body"] == request["body"]  # the same id both times: the receiver can dedupe


def test_delivering_an_already_delivered_event_does_nothing(bank, endpoint, receiver):
    event = _emit(bank)
    assert deliver(event.id, now=NOW).success
    later = NOW + dt.timedelta(hours=1)
    assert deliver(event.id, now=later) is None
    assert deliver(event.id, now=later) is None
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.filter(event=event).count() == 1


def test_backoff_doubles_from_one_minute_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(9) == dt.timedelta(hours=4)


def test_event_fails_after_the_last_attempt(bank, endpoint, receiver):
    event = _emit(bank)
    receiver.statuses.extend([503] * MAX_ATTEMPTS)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        delivery = deliver(event.id, now=now)
        assert (delivery.attempt, delivery.success) == (attempt, False)
        event.refresh_from_db()
        if attempt < MAX_ATTEMPTS:
            assert event.next_attempt_at == now + backoff(attempt)
            now = event.next_attempt_at
    assert (event.state, event.attempts, event.next_attempt_at) == (EventState.FAILED, MAX_ATTEMPTS, None)
    assert deliver(event.id, now=now + dt.timedelta(days=1)) is None
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_redirects_are_not_followed(bank, endpoint, receiver):
    event = _emit(bank)
    receiver.statuses.append(302)
    delivery = deliver(event.id, now=NOW)
    assert (delivery.success, delivery.status_code) == (False, 302)
    assert len(receiver.requests) == 1
    event.refresh_from_db()
    assert event.state == EventState.PENDING


def test_unreachable_receiver_is_logged_and_retried(bank, loopback_allowed):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook_endpoint_register(bank=bank, url=f"http://127.0.0.1:{port}/hook")
    event = _emit(bank)
    delivery = deliver(event.id, now=NOW)
    assert (delivery.success, delivery.status_code) == (False, None)
    assert "refused" in delivery.error.lower()
    event.refresh_from_db()
    assert event.next_attempt_at == NOW + dt.timedelta(minutes=1)


def test_event_for_a_bank_without_endpoint_is_skipped(bank):
    event = _emit(bank)
    assert deliver(event.id, now=NOW) is None
    event.refresh_from_db()
    assert (event.state, event.attempts, event.next_attempt_at) == (EventState.SKIPPED, 0, None)


def test_host_resolving_to_a_private_address_at_delivery_is_refused(bank, receiver, monkeypatch):
    """DNS rebinding: the name was fine when registered, and now resolves into the bureau's network."""
    endpoint, _ = webhook_endpoint_register(bank=bank, url="https://hooks.boc.example.cn/riskfund")
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "hooks.boc.example.cn":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    event = _emit(bank)
    delivery = deliver(event.id, now=NOW)
    assert (delivery.success, delivery.status_code, delivery.endpoint_id) == (False, None, endpoint.id)
    assert "10.0.0.7" in delivery.error
    assert receiver.requests == []


def test_connection_goes_to_the_checked_address_not_a_second_lookup(bank, receiver, loopback_allowed, monkeypatch):
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    webhook_endpoint_register(bank=bank, url=f"http://receiver.localhost:{port}/hooks/riskfund")
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def first_loopback_then_private(host, port, *args, **kwargs):
        if host == "receiver.localhost":
            lookups.append(host)
            address = "127.0.0.1" if len(lookups) == 1 else "10.0.0.7"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", first_loopback_then_private)
    event = _emit(bank)
    assert deliver(event.id, now=NOW).success
    assert lookups == ["receiver.localhost"]
    assert receiver.requests[0]["headers"]["Host"] == f"receiver.localhost:{port}"


def _deliver_and_close(event_id, now):
    try:
        return deliver(event_id, now=now)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_event_at_once_send_it_once(make_bank, receiver, loopback_allowed):
    bank = make_bank("BOC")
    webhook_endpoint_register(bank=bank, url=receiver.url)
    with mock.patch("riskfund.outbox.services.outbox_delivery_queue"):  # no eager attempt at commit
        event = _emit(bank)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: _deliver_and_close(event.id, NOW), range(4)))
    assert sum(r is not None for r in results) == 1
    assert len(receiver.requests) == 1
    assert OutboxEvent.objects.get(pk=event.pk).state == EventState.DELIVERED


def test_unsigned_body_change_is_detected(bank, endpoint, receiver):
    event = _emit(bank)
    deliver(event.id, now=NOW)
    request = receiver.requests[0]
    tampered = request["body"].replace(b"250000.00", b"950000.00")
    header = request["headers"]["X-Riskfund-Signature"]
    assert verify_signature(header, request["body"], [endpoint_secret(endpoint)], now=NOW)
    assert not verify_signature(header, tampered, [endpoint_secret(endpoint)], now=NOW)


def test_delivery_module_posts_with_a_short_timeout():
    assert webhooks.TIMEOUT_SECONDS <= 10
