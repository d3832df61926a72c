"""DRF permission classes over the one permission model (riskfund/access.py) and the client an idempotency key
belongs to.

A bank authenticator (banks/auth.py) identifies the bank either by setting ``request.bank`` or by returning an
``auth`` object with a ``bank_id``; ``client_scope`` honours both.
"""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from riskfund.access import (
    ALL_ROLES,
    AUDITOR,
    BUREAU,
    DISTRICT,
    TRUSTEE,
    capability_roles,
    request_bank_id,
    user_roles,
)

__all__ = [
    "ALL_ROLES",
    "AUDITOR",
    "BANK_SCHEME",
    "BUREAU",
    "DISTRICT",
    "STAFF_SCHEME",
    "TRUSTEE",
    "Can",
    "HasRole",
    "IsStaff",
    "client_scope",
    "request_bank_id",
    "user_roles",
]

# The OpenAPI security schemes (riskfund/api/schema.py): a permission class names those of the clients it can let in
# as ``security_schemes``, and each operation declares exactly those (API.md Authentication).
STAFF_SCHEME = "Token"
BANK_SCHEME = "Api-Key"


def client_scope(request) -> str:
    """The client an idempotency key is scoped to: ``"bank:<id>"`` for a bank key, ``"user:<pk>"`` for staff."""
    bank_id = request_bank_id(request)
    if bank_id is not None:
        return f"bank:{bank_id}"
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    raise NotAuthenticated()


def HasRole(*roles: str) -> type[BasePermission]:
    """A permission class letting in staff with at least one of ``roles`` (per view or per action).

    Anonymous requests fail it (401 when the view has an authenticator with a challenge), authenticated
    clients without the role get 403.
    """
    unknown = set(roles) - ALL_ROLES
    if not roles or unknown:
        raise ValueError(f"unknown roles: {sorted(unknown) or 'none given'}")
    wanted = frozenset(roles)

    class _HasRole(BasePermission):
        allowed_roles = wanted
        security_schemes = frozenset({STAFF_SCHEME})

        def has_permission(self, request, view) -> bool:
            return bool(wanted & user_roles(request.user))

    _HasRole.__name__ = _HasRole.__qualname__ = "HasRole_" + "_".join(sorted(wanted))
    return _HasRole


def Can(capability: str) -> type[BasePermission]:
    """A permission class letting in staff whose role holds ``capability`` (riskfund.access.CAPABILITIES): the
    same answer as ``user.has_perm("parties.<capability>")``."""
    permission = HasRole(*sorted(capability_roles(capability)))
    permission.capability = capability
    permission.__name__ = permission.__qualname__ = f"Can_{capability}"
    return permission


IsStaff = HasRole(*sorted(ALL_ROLES))
