"""The signing secrets of a bank's webhook endpoint and the signature of each delivery (API.md "Webhooks to
banks"): ``X-Riskfund-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>[,v1=…]``, two ``v1`` values
during a secret rotation. Secrets are derived from ``SECRET_KEY``, never stored (banks/models.py);
``verify_signature`` is the reference receiver check.
"""

import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from riskfund.outbox.models import OutboxEvent

from .models import WebhookEndpoint

SIGNATURE_HEADER = "X-Riskfund-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300


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
