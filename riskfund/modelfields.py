"""Field declarations that the models of several apps share."""

from django.conf import settings
from django.db import models


def user_reference(verbose_name) -> models.ForeignKey:
    """The user who entered, checked or decided a record (经办人, 审核人, …): optional for the rows the system writes
    itself, never deleted from under the record (PROTECT), and without a reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
