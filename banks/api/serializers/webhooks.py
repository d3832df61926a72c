"""The bank's webhook endpoint (API.md "Webhooks")."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from riskfund.api.fields import TextField
from riskfund.api.serializers import InputSerializer


class BankWebhookInputSerializer(InputSerializer):
    url = serializers.URLField(
        max_length=500,
        trim_whitespace=False,  # matched whole: "https://…\n" is not a URL
        help_text=_("HTTPS; replaces this bank's active endpoint"),
    )

    class Meta:
        ref_name = "BankWebhookInput"


class BankWebhookSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    active = serializers.BooleanField()
    secret_generation = serializers.IntegerField()
    created = serializers.DateTimeField()

    class Meta:
        ref_name = "BankWebhook"


class BankWebhookCreatedSerializer(BankWebhookSerializer):
    secret = TextField(
        allow_null=True, help_text=_("signing secret: shown once, never again (null in a replay of this answer)")
    )
    secret_withheld = serializers.BooleanField(
        help_text=_("true in a replay (Idempotent-Replayed): the secret is stored nowhere, so it is not repeated")
    )

    class Meta:
        ref_name = "BankWebhookCreated"
