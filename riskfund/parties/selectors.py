"""Reads of the parties shared by the API, the admin and the lending code."""

from .models import Agreement, AgreementStatus, Bank


def agreement_in_force(bank: Bank) -> Agreement | None:
    """The bank's active agreement (new loans allowed, art. 14–18), or None (``agreement_not_active``)."""
    return Agreement.objects.filter(bank=bank, status=AgreementStatus.ACTIVE).select_related("guarantor").first()


def agreement_open(bank: Bank) -> Agreement | None:
    """The bank's agreement that is active or ending (its deposit is still placed), or None."""
    return (
        Agreement.objects.filter(bank=bank, status__in=[AgreementStatus.ACTIVE, AgreementStatus.ENDING])
        .select_related("guarantor")
        .first()
    )
