"""Signed delivery of outbox events to the banks' webhook endpoints (API.md "Webhooks to banks").

Endpoints
    ``webhook_endpoint_register`` checks the URL policy and replaces the bank's active endpoint; it returns
    the signing secret to show once. ``webhook_secret_rotate`` starts a new secret generation and keeps the
    previous one signing for ``overlap`` (both ``v1`` values are sent meanwhile); ``webhook_secret_issue``
    starts a new generation with no overlap (a leaked secret stops signing at once). Secrets are derived,
    never stored: see ``banks.models``.

URL policy
    HTTPS only. Plain http only to a loopback address (127.0.0.0/8, ::1, ``localhost``), and loopback at
    all only when ``settings.DEBUG`` or ``settings.RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK`` is true
    (development, tests). Private (10/8, 172.16/12, 192.168/16, fc00::/7, …), link-local (169.254/16,
    fe80::/10), unspecified, multicast, reserved and other non-global addresses are refused. The policy is
    checked at registration on the URL itself, and again at each delivery on every address the host
    resolves to; the connection then goes to the checked address (the name is not resolved a second time),
    so a DNS answer that changes between check and connect (DNS rebinding) cannot reach an internal host.
    Redirects are not followed and no proxy is used.

Delivery
    ``deliver(event_id, now)`` makes one attempt: it claims the event with one conditional UPDATE
    (pending, due, same attempt count) so two workers never send the same attempt, POSTs the body
    ``{"id","type","created","data"}`` (compact JSON, sorted keys) with
    ``X-Riskfund-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>[,v1=…]``, logs a
    ``WebhookDelivery``, and marks the event delivered on a 2xx answer; otherwise the next attempt is due
    after 1, 2, 4, … minutes (capped at 4 hours) and after ``MAX_ATTEMPTS`` the event is failed. An event
    already delivered, failed or not yet due is left alone, so running a delivery twice is harmless.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from riskfund.errors import RuleViolation
from riskfund.outbox.models import EventState, OutboxEvent

from .models import WebhookDelivery, WebhookEndpoint

SIGNATURE_HEADER = "X-Riskfund-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 10
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=4)
# a claimed attempt is retried by the sweep after this, should its worker die mid-send (≫ TIMEOUT_SECONDS)
CLAIM_LEASE = timedelta(minutes=5)
ERROR_TEXT_LIMIT = 1000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


# --- URL policy ------------------------------------------------------------------------------------


def loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK", False))


@dataclass(frozen=True)
class WebhookTarget:
    scheme: str
    host: str
    port: int
    loopback: bool


def _refuse(url: str, reason: str) -> RuleViolation:
    return RuleViolation(
        "webhook_url_not_allowed", "", _("不允许的回调地址 %(url)s：%(reason)s") % {"url": url, "reason": reason}
    )


def _embedded_ipv4(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        return ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None) or ip
    return ip


def address_refusal(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why ``ip`` may not receive webhooks, or None when it may."""
    ip = _embedded_ipv4(ip)
    if ip.is_loopback:
        return None if allow_loopback else _("本机回环地址仅限开发和测试环境")
    if ip.is_unspecified:
        return _("未指定地址")
    if ip.is_link_local:
        return _("链路本地地址")
    if ip.is_multicast:
        return _("组播地址")
    if ip.is_private:
        return _("内网地址")
    if ip.is_reserved or not ip.is_global:
        return _("保留地址")
    return None


def _literal_address(host: str) -> IPAddress | None:
    """The address a host name denotes by itself: an IP literal, or a numeric form inet_aton accepts (0x7f.1)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def webhook_url_check(url: str) -> WebhookTarget:
    """Check ``url`` against the policy on its own (no DNS); raise ``RuleViolation`` if refused."""
    allow_loopback = loopback_allowed()
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise _refuse(url, _("格式错误")) from None
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"}:
        raise _refuse(url, _("必须使用 HTTPS"))
    if parts.username is not None or parts.password is not None:
        raise _refuse(url, _("不得包含用户名或密码"))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _refuse(url, _("缺少主机名"))
    literal = _literal_address(host)
    if literal is not None:
        reason = address_refusal(literal, allow_loopback=allow_loopback)
        if reason:
            raise _refuse(url, reason)
        loopback = _embedded_ipv4(literal).is_loopback
    else:
        try:
            host.encode("idna")
        except UnicodeError:
            raise _refuse(url, _("主机名无效")) from None
        loopback = host == "localhost" or host.endswith(".localhost")
        if loopback and not allow_loopback:
            raise _refuse(url, _("本机回环地址仅限开发和测试环境"))
    if scheme == "http" and not loopback:
        raise _refuse(url, _("必须使用 HTTPS"))
    return WebhookTarget(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), loopback=loopback)


def webhook_url_resolve(url: str) -> str:
    """Check ``url``, resolve its host and check every address; return the address to connect to."""
    target = webhook_url_check(url)
    allow_loopback = loopback_allowed()
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise _refuse(url, _("无法解析主机名（%(error)s）") % {"error": exc}) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        reason = address_refusal(ip, allow_loopback=allow_loopback)
        if reason is None and target.scheme == "http" and not _embedded_ipv4(ip).is_loopback:
            reason = _("必须使用 HTTPS")
        if reason:
            raise _refuse(url, f"{ip}: {reason}")
        addresses.append(str(ip))
    if not addresses:
        raise _refuse(url, _("无法解析主机名"))
    return addresses[0]


# --- secrets and signatures ------------------------------------------------------------------------


def endpoint_secret(endpoint: WebhookEndpoint, generation: int | None = None) -> str:
    """The signing secret of ``endpoint`` for ``generation`` (default: the current one), derived, not stored."""
    generation = endpoint.secret_generation if generation is None else generation
    message = f"riskfund-webhook:{endpoint.id}:{generation}"
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign at ``now``: the current one, and the previous one during a rotation window."""
    secrets = [endpoint_secret(endpoint)]
    valid_until = endpoint.previous_generation_valid_until
    if endpoint.secret_generation > 1 and valid_until is not None and now < valid_until:
        secrets.append(endpoint_secret(endpoint, endpoint.secret_generation - 1))
    return secrets


def _v1(secret: str, t: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets: list[str], t: int) -> str:
    return ",".join([f"t={t}"] + [f"v1={_v1(secret, t, body)}" for secret in secrets])


def _unix(now: datetime | float) -> float:
    return now.timestamp() if isinstance(now, datetime) else float(now)


def verify_signature(
    header: str, body: bytes | str, secrets: list[str], now: datetime | float, tolerance: int = 300
) -> bool:
    """The reference receiver check: a ``v1`` made with one of ``secrets``, and ``t`` within ``tolerance`` s of now."""
    if isinstance(body, str):
        body = body.encode()
    t = None
    candidates = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            if t is not None or not value.isdigit():
                return False
            t = int(value)
        elif key == "v1":
            candidates.append(value)
    if t is None or not candidates or abs(_unix(now) - t) > tolerance:
        return False
    expected = [_v1(secret, t, body) for secret in secrets]
    return any(hmac.compare_digest(c.encode(), e.encode()) for c in candidates for e in expected)


def event_body(event: OutboxEvent) -> bytes:
    payload = {
        "id": str(event.id),
        "type": event.type,
        "created": timezone.localtime(event.created).isoformat(),
        "data": event.data,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


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
