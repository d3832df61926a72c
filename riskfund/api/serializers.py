"""Serializers shared across endpoints: the strict base of every request body, the problem body (for the schema)
and the login exchange."""

from collections.abc import Mapping

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from .fields import NamedChoiceField, TextField
from .problem_codes import PROBLEM_CODES


# The base of every request body and of every object nested in one: a key the serializer does not declare is a 400
# naming it (API.md: "an unknown cost key → 400"). DRF drops unknown keys silently, which turned a misspelled
# ``costs.bribe`` into a recovery posted without its cost. (A comment, not a docstring: drf-spectacular would
# describe every request body of the schema with an inherited docstring.)
class InputSerializer(serializers.Serializer):
    default_error_messages = {"unknown_field": _("Unknown field: this request does not take it.")}

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        known = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(str(key) for key in data if key not in known)
        if not unknown:
            return super().to_internal_value(data)
        errors = {}
        try:
            super().to_internal_value(data)
        except serializers.ValidationError as exc:  # the declared fields' own errors are reported beside
            errors.update(exc.detail)
        errors.update({key: [self.error_messages["unknown_field"]] for key in unknown})
        raise serializers.ValidationError(errors, code="unknown_field")


class NoBodySerializer(InputSerializer):
    """A POST that takes no body: nothing, or ``{}``; any key is unknown (400)."""


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error is answered (API.md Conventions)."""

    type = TextField(help_text=_("URI identifying the problem type"))
    title = TextField()
    status = serializers.IntegerField()
    detail = TextField()
    code = NamedChoiceField(
        enum_name="ProblemCode",
        choices=PROBLEM_CODES,
        help_text=_("stable error code (SPEC.md, or one of the API's own codes)"),
    )
    clause = TextField(required=False, help_text=_('the article of the regulation, e.g. "art. 37"'))
    errors = serializers.DictField(
        child=serializers.ListField(child=TextField()),
        required=False,
        help_text=_("messages by field (400 validation_error only)"),
    )

    class Meta:
        ref_name = "Problem"


class LoginSerializer(InputSerializer):
    username = TextField(max_length=150)
    password = TextField(max_length=128, write_only=True, trim_whitespace=False)

    def validate(self, attrs):
        request = self.context.get("request")
        http_request = getattr(request, "_request", request)
        user = authenticate(request=http_request, username=attrs["username"], password=attrs["password"])
        if user is None and getattr(http_request, "axes_locked_out", False):
            # too many failures for this user name or address (django-axes, riskfund/security/lockout.py)
            raise exceptions.Throttled(detail=_("Too many failed logins: this user name or address is locked."))
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
