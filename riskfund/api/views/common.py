"""Small pieces the staff endpoints share: per-method permissions, input validation, district scope, and the
approval and execution of a deposit movement (a top-up, an adjustment)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..fields import BusinessDateField
from ..scope import visible_district
from ..serializers import InputSerializer


class MethodPermissionsMixin:
    """``method_permissions = {"GET": [...], "POST": [...]}``: one path, different roles per method (HEAD and
    OPTIONS follow GET); a method not listed falls back to ``permission_classes``."""

    method_permissions: dict[str, list] = {}

    def get_permissions(self):
        method = getattr(self.request, "method", "GET") or "GET"
        if method in ("HEAD", "OPTIONS"):
            method = "GET"
        classes = self.method_permissions.get(method, self.permission_classes)
        return [permission() for permission in classes]


def validated(serializer_class: type[serializers.Serializer], request) -> dict:
    """The request body through an input serializer: its ``validated_data``, or a 400 ``validation_error``."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def district_filter(request, queryset, field: str):
    """Keep only the rows of the requester's district when it is a district officer (SPEC §1)."""
    district = visible_district(request.user)
    if district is None:
        return queryset
    return queryset.filter(**{field: district})


# The body that executes an approved deposit movement (art. 16: a top-up, an adjustment). Comments, not docstrings,
# on these two bases: drf-spectacular would describe every subclass's component with a base's docstring.
class ExecuteInputSerializer(InputSerializer):
    executed_on = BusinessDateField(help_text=_("not in the future, not before the approval"))


# A deposit movement approved by a second bureau user and executed within N days (art. 16: a top-up, an
# adjustment): the fields of its approval and execution; a subclass names its model and its ``Meta.fields``.
class ApprovedExecutionSerializer(serializers.ModelSerializer):
    approved_on = BusinessDateField(allow_null=True)
    due_on = BusinessDateField(allow_null=True, help_text=_("execution due by (30 days after approval)"))
    executed_on = BusinessDateField(allow_null=True)
    transaction = serializers.UUIDField(source="transaction_id", allow_null=True)
