"""Permission classes for API views (thin wrappers over riskfund/access.py, so views import one place)."""

from .roles import ALL_ROLES, AUDITOR, BUREAU, DISTRICT, TRUSTEE, Can, HasRole, IsStaff

__all__ = ["ALL_ROLES", "AUDITOR", "BUREAU", "DISTRICT", "TRUSTEE", "Can", "HasRole", "IsStaff"]
