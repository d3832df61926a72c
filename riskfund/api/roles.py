"""Staff roles (SPEC §1) and the client an idempotency key belongs to.

A role is a Django group named ``bureau``, ``trustee``, ``district`` or ``auditor``; a superuser has every
role. Banks are not staff: a bank authenticator (banks/auth.py) identifies the bank either by setting
``request.bank`` or by returning an ``auth`` object with a ``bank_id``; ``client_scope`` honours both.
"""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

BUREAU = "bureau"
TRUSTEE = "trustee"
DISTRICT = "district"
AUDITOR = "auditor"
ALL_ROLES = frozenset({BUREAU, TRUSTEE, DISTRICT, AUDITOR})

_CACHE_ATTR = "_riskfund_roles"


def user_roles(user) -> set[str]:
    """The staff roles of ``user``: none for anonymous or inactive users, all of them for a superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ALL_ROLES)
        else:
            cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return set(cached)


def request_bank_id(request):
    """The id of the bank behind the request, or None for staff and anonymous requests."""
    bank = getattr(request, "bank", None)
    if bank is not None:
        return getattr(bank, "pk", bank)
    return getattr(getattr(request, "auth", None), "bank_id", None)


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

        def has_permission(self, request, view) -> bool:
            return bool(wanted & user_roles(request.user))

    _HasRole.__name__ = _HasRole.__qualname__ = "HasRole_" + "_".join(sorted(wanted))
    return _HasRole


IsStaff = HasRole(*sorted(ALL_ROLES))
