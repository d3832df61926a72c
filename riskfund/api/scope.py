"""What a client may see (SPEC §1, API.md Authentication): a district officer sees its own district only; a
bank may read the pool position next to staff.

A user whose only staff role is ``district`` is scoped to the district of its ``StaffProfile`` (a division
code); one with another role as well (bureau, trustee, auditor, or a superuser) sees every district. A district
officer without a district on its profile sees no district at all.
"""

from rest_framework.permissions import BasePermission

from riskfund.parties.models import StaffProfile

from .roles import AUDITOR, BUREAU, DISTRICT, TRUSTEE, request_bank_id, user_roles

WIDE_ROLES = frozenset({BUREAU, TRUSTEE, AUDITOR})
NO_DISTRICT = ""


def visible_district(user) -> str | None:
    """``None`` when ``user`` sees every district, else the one division code it may see (``""``: none)."""
    roles = user_roles(user)
    if DISTRICT not in roles or roles & WIDE_ROLES:
        return None
    code = StaffProfile.objects.filter(user=user).values_list("district_id", flat=True).first()
    return code or NO_DISTRICT


class IsStaffOrBank(BasePermission):
    """Any staff role, or a request authenticated as a bank (``request.bank`` or ``request.auth.bank_id``)."""

    def has_permission(self, request, view) -> bool:
        return bool(user_roles(request.user)) or request_bank_id(request) is not None
