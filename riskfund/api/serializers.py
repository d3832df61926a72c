"""Serializers shared across endpoints: the problem body (for the schema) and the login exchange."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .fields import TextField


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error is answered (API.md Conventions)."""

    type = TextField(help_text=_("URI identifying the problem type"))
    title = TextField()
    status = serializers.IntegerField()
    detail = TextField()
    code = TextField(help_text=_("stable error code (SPEC.md, or one of the API's own codes)"))
    clause = TextField(required=False, help_text=_('the article of the regulation, e.g. "art. 37"'))
    errors = serializers.DictField(
        child=serializers.ListField(child=TextField()),
        required=False,
        help_text=_("messages by field (400 validation_error only)"),
    )

    class Meta:
        ref_name = "Problem"


class LoginSerializer(serializers.Serializer):
    username = TextField(max_length=150)
    password = TextField(max_length=128, write_only=True, trim_whitespace=False)

    def validate(self, attrs):
        request = self.context.get("request")
        user = authenticate(
            request=getattr(request, "_request", request), username=attrs["username"], password=attrs["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = TextField(help_text=_("send as `Authorization: Token <token>`; shown only once"))
    expiry = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    username = TextField()
    name = TextField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=["auditor", "bureau", "district", "trustee"]))
    is_superuser = serializers.BooleanField()
