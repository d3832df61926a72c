"""Permission classes for API views (re-exported from ``roles`` so views import one place)."""

from .roles import ALL_ROLES, AUDITOR, BUREAU, DISTRICT, TRUSTEE, HasRole, IsStaff

__all__ = ["ALL_ROLES", "AUDITOR", "BUREAU", "DISTRICT", "TRUSTEE", "HasRole", "IsStaff"]
