"""What the bank serializers share: the strict JSON boolean, the rate field and the ``backdated`` help text."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from riskfund.api.fields import DecimalStringField

BACKDATED_HELP = _("dated at or before the last closed business date: accepted, and counted by the next daily run")


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true``/``false`` only (DRF's BooleanField also takes "yes", 1, "on" …)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class RateField(DecimalStringField):
    """An annual rate in percent, e.g. ``"3.45"``: up to four places, below 100."""

    example = "3.45"

    def __init__(self, **kwargs) -> None:
        super().__init__(places=4, max_digits=7, **kwargs)
