"""Signed delivery of outbox events to the banks' webhook endpoints (API.md "Webhooks to banks").

Endpoints
    ``webhook_endpoint_register`` checks the URL policy and replaces the bank's active endpoint; it returns
    the signing secret to show once. ``webhook_secret_rotate`` starts a new secret generation and keeps the
    previous one signing for ``overlap`` (both ``v1`` values are sent meanwhile); ``webhook_secret_issue``
    starts a new generation with no overlap (a leaked secret stops signing at once). Secrets are derived,
    never stored: see ``banks.models``.

URL policy
    ``banks.webhook_urls``: HTTPS only, no private or link-local address, checked again at each delivery.

Signing
    ``banks.webhook_signing``: the derived secrets and the ``X-Riskfund-Signature`` header.

Delivery
    ``deliver(event_id, now)`` makes one attempt: it claims the event with one conditional UPDATE
    (pending, due, same attempt count) so two workers never send the same attempt, POSTs the body
    ``{"id","type","created","data"}`` (compact JSON, sorted keys) with
    ``X-Riskfund-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>[,v1=…]``, logs a
    ``WebhookDelivery``, and marks the event delivered on a 2xx answer; otherwise the next attempt is due
    after 1, 2, 4, … minutes (capped at 4 hours) and after ``MAX_ATTEMPTS`` the event is failed. An event
    already delivered, failed or not yet due is left alone, so running a delivery twice is harmless.
"""

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from riskfund.errors import RuleViolation
from riskfund.outbox.models import EventState, OutboxEvent

from .models import WebhookDelivery, WebhookEndpoint
from .webhook_signing import SIGNATURE_HEADER, endpoint_secret, event_body, signature_header, signing_secrets
from .webhook_urls import webhook_url_check, webhook_url_resolve

TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 10
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=4)
# a claimed attempt is retried by the sweep after this, should its worker die mid-send (≫ TIMEOUT_SECONDS)
CLAIM_LEASE = timedelta(minutes=5)
ERROR_TEXT_LIMIT = 1000


# --- endpoint services -----------------------------------------------------------------------------


def webhook_endpoint_register(*, bank, url: str, now: datetime | None = None) -> tuple[WebhookEndpoint, str]:
    """Register ``url`` as the bank's endpoint (replacing its active one); return it and its secret (show once)."""
    url = url.strip()
    webhook_url_check(url)
    with transaction.atomic():
        WebhookEndpoint.objects.filter(bank=bank, active=True).update(active=False)
        endpoint = WebhookEndpoint.objects.create(bank=bank, url=url, created=now or timezone.now())
    return endpoint, endpoint_secret(endpoint)


def _new_generation(endpoint: WebhookEndpoint, previous_valid_until: datetime | None) -> str:
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            secret_generation=F("secret_generation") + 1, previous_generation_valid_until=previous_valid_until
        )
    endpoint.refresh_from_db(fields=["secret_generation", "previous_generation_valid_until"])
    return endpoint_secret(endpoint)


def webhook_secret_rotate(*, endpoint: WebhookEndpoint, overlap: timedelta, now: datetime | None = None) -> str:
    """Start a new secret; the one in use now keeps signing for ``overlap``. Return the new secret (show once)."""
    if overlap < timedelta(0):
        raise ValueError("overlap must not be negative")
    return _new_generation(endpoint, (now or timezone.now()) + overlap)


def webhook_secret_issue(*, endpoint: WebhookEndpoint) -> str:
    """Start a new secret at once, with no overlap (a leaked secret stops signing). Return it (show once)."""
    return _new_generation(endpoint, None)


def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    endpoint.active = False


# --- delivery --------------------------------------------------------------------------------------


def backoff(attempt: int) -> timedelta:
    """Wait after failed attempt number ``attempt`` (1-based): 1, 2, 4, … minutes, capped."""
    return min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP)


def _pinned(connection_class, ip: str):
    """A connection class for urllib that connects to ``ip`` whatever the URL's host resolves to now."""

    def connect_to(address, timeout, source_address=None):
        return socket.create_connection((ip, address[1]), timeout, source_address)

    def factory(host, **kwargs):
        connection = connection_class(host, **kwargs)
        connection._create_connection = connect_to
        return connection

    return factory


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, ip: str) -> None:
        super().__init__()
        self._ip = ip

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self._ip), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, ip: str) -> None:
        super().__init__(context=ssl.create_default_context())
        self._ip = ip

    def https_open(self, req):
        return self.do_open(_pinned(http.client.HTTPSConnection, self._ip), req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _post(url: str, ip: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once; return (status code or None, error text or "")."""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _PinnedHTTPHandler(ip), _PinnedHTTPSHandler(ip), _NoRedirect()
    )
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (URL checked)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(ERROR_TEXT_LIMIT)
            return response.status, ""
    except urllib.error.HTTPError as exc:
        detail = exc.read(ERROR_TEXT_LIMIT).decode("utf-8", errors="replace") if exc.fp else ""
        return exc.code, f"HTTP {exc.code} {exc.reason}: {detail}".strip()[:ERROR_TEXT_LIMIT]
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return None, f"{type(exc).__name__}: {reason}"[:ERROR_TEXT_LIMIT]


def _claim(event: OutboxEvent, now: datetime) -> int | None:
    """Take the next attempt of ``event`` for this worker; None if it is not pending and due, or taken."""
    attempt = event.attempts + 1
    claimed = OutboxEvent.objects.filter(
        pk=event.pk, state=EventState.PENDING, attempts=event.attempts, next_attempt_at__lte=now
    ).update(attempts=attempt, next_attempt_at=now + CLAIM_LEASE)
    return attempt if claimed else None


def deliver(event_id, now: datetime | None = None) -> WebhookDelivery | None:
    """Make one delivery attempt of a pending, due event; return its log row, or None when nothing was sent."""
    now = now or timezone.now()
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.state != EventState.PENDING or event.next_attempt_at > now:
        return None
    endpoint = WebhookEndpoint.objects.filter(bank_id=event.bank_id, active=True).first()
    if endpoint is None:
        OutboxEvent.objects.filter(pk=event.pk, state=EventState.PENDING, attempts=event.attempts).update(
            state=EventState.SKIPPED, next_attempt_at=None
        )
        return None
    attempt = _claim(event, now)
    if attempt is None:
        return None

    started = time.monotonic()
    try:
        ip = webhook_url_resolve(endpoint.url)
    except RuleViolation as refused:
        status, error = None, refused.message
    else:
        body = event_body(event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "riskfund-webhooks/1",
            "X-Riskfund-Event-Id": str(event.id),
            "X-Riskfund-Event-Type": event.type,
            SIGNATURE_HEADER: signature_header(body, signing_secrets(endpoint, now), int(now.timestamp())),
        }
        status, error = _post(endpoint.url, ip, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    success = status is not None and 200 <= status < 300

    if success:
        changes = {"state": EventState.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    elif attempt >= MAX_ATTEMPTS:
        changes = {"state": EventState.FAILED, "next_attempt_at": None}
    else:
        changes = {"next_attempt_at": now + backoff(attempt)}
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            event=event,
            endpoint=endpoint,
            attempt=attempt,
            started_at=now,
            duration_ms=duration_ms,
            status_code=status,
            error="" if success else error,
            success=success,
        )
        OutboxEvent.objects.filter(pk=event.pk, state=EventState.PENDING, attempts=attempt).update(**changes)
    return delivery
