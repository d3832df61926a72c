"""Staff accounts (SPEC §1, API.md Operations ``create_staff``): a user with its role groups and, for a district
officer, the district it sees (``StaffProfile``)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from riskfund.access import ALL_ROLES, sync_role_groups

from .models import Funder, FunderTier, StaffProfile


class StaffInputError(ValueError):
    """A role or district that does not exist; the message says which."""


def staff_save(*, username: str, roles: list[str], district: str | None = None, password: str | None = None):
    """Create or update the staff user ``username`` with exactly ``roles`` among the role groups (other groups are
    kept), ``district`` on its profile when given, and ``password`` when given. Safe to run again."""
    username = (username or "").strip()
    if not username:
        raise StaffInputError("a username is required")
    unknown = sorted(set(roles) - ALL_ROLES)
    if not roles or unknown:
        raise StaffInputError(f"unknown role(s) {unknown or 'none given'}; roles: {', '.join(sorted(ALL_ROLES))}")
    if district is not None and not Funder.objects.filter(code=district, tier=FunderTier.DISTRICT).exists():
        raise StaffInputError(f"{district!r} is not a district's division code (run `manage.py bootstrap` first?)")
    User = get_user_model()
    with transaction.atomic():
        if Group.objects.filter(name__in=ALL_ROLES).count() < len(ALL_ROLES):
            sync_role_groups()
        user, _created = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_active = True
        if password is not None:
            user.set_password(password)
        elif not user.password:  # a new user without a password cannot log in until given one
            user.set_unusable_password()
        user.save()
        user.groups.remove(*Group.objects.filter(name__in=ALL_ROLES - set(roles)))
        user.groups.add(*Group.objects.filter(name__in=roles))
        if district is not None:
            StaffProfile.objects.update_or_create(user=user, defaults={"district_id": district})
    return user
