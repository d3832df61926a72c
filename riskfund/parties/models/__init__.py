"""The parties' models (SPEC §1): the programme's funders, banks, guarantors, agreements and staff
(``programme.py``), the enterprises that borrow with their support extensions (``enterprises.py``), and the
dishonest list (``dishonest.py``). Import them from here."""

from .dishonest import (
    DishonestAction,
    DishonestCause,
    DishonestListing,
    DishonestRecord,
    ListingDecision,
    ListingStatus,
)
from .enterprises import Enterprise, SupportExtension
from .programme import (
    Agreement,
    AgreementStatus,
    Bank,
    Funder,
    FunderTier,
    Guarantor,
    Role,
    StaffProfile,
)

__all__ = [
    "Agreement",
    "AgreementStatus",
    "Bank",
    "DishonestAction",
    "DishonestCause",
    "DishonestListing",
    "DishonestRecord",
    "Enterprise",
    "Funder",
    "FunderTier",
    "Guarantor",
    "ListingDecision",
    "ListingStatus",
    "Role",
    "StaffProfile",
    "SupportExtension",
]
