"""Per-bank API keys (API.md "Authentication", Banks): ``Authorization: Api-Key <key>``.

Key format
    ``rf_<prefix>_<secret>``: ``prefix`` is 8 lowercase hex characters (public, unique, indexed: it finds the
    row and appears in logs and the admin), ``secret`` 64 hex characters (256 random bits). The key is shown
    once, when issued (``bank_api_key_issue``: admin, or ``python manage.py issue_bank_key <BANK_CODE>``).

Storage
    Only the hex SHA-256 of the whole key is stored (``BankApiKey.key_hash``). A fast hash is right for a
    256-bit random secret (no dictionary to try, 2^256 guesses out of reach); a slow password hash would only
    slow every request down. The hash is compared with ``hmac.compare_digest``; an unknown prefix is compared
    against a dummy hash so both failures take the same path.

Authentication
    ``BankApiKeyAuthentication`` answers ``None`` to any other scheme (staff ``Token``), so the staff
    authenticator and this one live side by side in ``DEFAULT_AUTHENTICATION_CLASSES``. A malformed, unknown,
    expired or revoked key → 401 ``not_authenticated``. On success ``request.user`` is a ``BankPrincipal``
    (authenticated, no staff role), ``request.auth`` the ``BankApiKey`` (it has ``bank_id``) and
    ``request.bank`` the ``Bank``: ``riskfund.api.roles.client_scope`` then gives ``"bank:<id>"`` and
    ``request_bank_id`` the bank, for staff endpoints open to banks such as ``GET /api/v1/pool/``.
    ``last_used_at`` is written at most once a minute per key (one conditional UPDATE).

Throttling
    ``BankRateThrottle`` counts requests per bank (rate ``"bank"`` in ``DEFAULT_THROTTLE_RATES``), whichever
    of the bank's keys is used; it ignores staff and anonymous requests.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from riskfund.access import request_bank_id
from riskfund.api.roles import BANK_SCHEME

from .models import BankApiKey

SCHEME = BANK_SCHEME
KEY_PREFIX = "rf"
PREFIX_LENGTH = 8
SECRET_BYTES = 32
KEY_RE = re.compile(r"^rf_([0-9a-f]{8})_([0-9a-f]{64})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)
_DUMMY_HASH = hashlib.sha256(b"riskfund-no-such-key").hexdigest()


def key_hash(key: str) -> str:
    """The stored form of a key: hex SHA-256 of its full text."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def bank_api_key_issue(*, bank, name: str = "", expires_at=None) -> tuple[BankApiKey, str]:
    """Issue a key for ``bank``: returns the row and the plain key, which is not stored and cannot be shown
    again. A (very unlikely) prefix collision is retried with a new key."""
    for _attempt in range(5):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        key = f"{KEY_PREFIX}_{prefix}_{secrets.token_hex(SECRET_BYTES)}"
        try:
            with transaction.atomic():
                row = BankApiKey.objects.create(
                    bank=bank, name=name, prefix=prefix, key_hash=key_hash(key), expires_at=expires_at
                )
        except IntegrityError:
            continue
        return row, key
    raise RuntimeError("could not find a free key prefix")


def bank_api_key_revoke(*, api_key: BankApiKey, now=None) -> BankApiKey:
    """Revoke a key at once (idempotent: a revoked key keeps its first revocation time)."""
    now = now or timezone.now()
    BankApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


class BankPrincipal:
    """``request.user`` for a bank key: authenticated, active, with no staff role and no Django user row."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, bank) -> None:
        self.bank = bank
        # a per-bank identity for anything keyed on ``user.pk`` (DRF's user throttles), never a User id
        self.pk = self.id = f"bank:{bank.pk}"
        self.username = f"bank:{bank.code}"

    @property
    def groups(self):
        return Group.objects.none()

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.bank.name

    def get_short_name(self) -> str:
        return self.bank.code

    def __str__(self) -> str:
        return self.username


class BankApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key rf_<prefix>_<secret>`` (see the module docstring)."""

    keyword = SCHEME

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Api-Key header: send `Api-Key <key>`."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        api_key = self._lookup(key)
        now = timezone.now()
        if not api_key.is_usable(now):
            raise exceptions.AuthenticationFailed(_("This API key has expired or has been revoked."))
        self._touch(api_key, now)
        bank = api_key.bank
        request.bank = bank  # the DRF request (views, client_scope) …
        request._request.bank = bank  # … and the Django request underneath (middleware, logging)
        return BankPrincipal(bank), api_key

    def _lookup(self, key: str) -> BankApiKey:
        match = KEY_RE.fullmatch(key)
        row = None
        if match:
            row = BankApiKey.objects.select_related("bank").filter(prefix=match.group(1)).first()
        expected = row.key_hash if row is not None else _DUMMY_HASH
        if not hmac.compare_digest(expected.encode(), key_hash(key).encode()) or row is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        return row

    @staticmethod
    def _touch(api_key: BankApiKey, now) -> None:
        if api_key.last_used_at is not None and api_key.last_used_at > now - LAST_USED_RESOLUTION:
            return
        BankApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        api_key.last_used_at = now

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


# The authenticators of bank endpoints: a bank key first, so that a 401 challenges with ``Api-Key`` (DRF takes
# WWW-Authenticate from the first one); a staff token is still recognised, to be refused with a 403 by ``IsBank``.
BANK_AUTHENTICATION = [BankApiKeyAuthentication, TokenAuthentication]


class IsBank(BasePermission):
    """Lets in requests authenticated with a bank key; staff get 403, anonymous requests 401.

    Bank endpoints serve the bank behind the key, whose objects they scope to; staff have their own
    endpoints and the admin, so a staff token here is refused rather than given a cross-bank view.
    """

    message = _("This endpoint is for partner banks: authenticate with `Authorization: Api-Key <key>`.")
    security_schemes = frozenset({BANK_SCHEME})

    def has_permission(self, request, view) -> bool:
        return request_bank_id(request) is not None


class BankRateThrottle(SimpleRateThrottle):
    """Per-bank rate limit (rate ``"bank"``): all keys of one bank share one bucket; others are not counted."""

    scope = "bank"
    counts_scheme = BANK_SCHEME  # the schema declares 429 where a bank key is let in (riskfund/api/schema.py)

    def get_cache_key(self, request, view):
        bank_id = request_bank_id(request)
        if bank_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": bank_id}


class BankApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "banks.auth.BankApiKeyAuthentication"
    name = BANK_SCHEME

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Partner bank key: `Authorization: Api-Key rf_<prefix>_<secret>`. Issued once (admin or "
                "`manage.py issue_bank_key`), stored hashed, may expire and be revoked."
            ),
        }
