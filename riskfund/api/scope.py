"""What a client may see (SPEC §1, API.md Authentication): a district officer sees its own district only
(``riskfund.access.visible_district``); a bank may read the pool position next to staff."""

from rest_framework.permissions import BasePermission

from riskfund.access import NO_DISTRICT, request_bank_id, user_roles, visible_district

from .roles import BANK_SCHEME, STAFF_SCHEME

__all__ = ["NO_DISTRICT", "IsStaffOrBank", "visible_district"]


class IsStaffOrBank(BasePermission):
    """Any staff role, or a request authenticated as a bank (``request.bank`` or ``request.auth.bank_id``)."""

    security_schemes = frozenset({STAFF_SCHEME, BANK_SCHEME})

    def has_permission(self, request, view) -> bool:
        return bool(user_roles(request.user)) or request_bank_id(request) is not None
