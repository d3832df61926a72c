"""Small pieces the staff endpoints share: per-method permissions, input validation, district scope."""

from rest_framework import serializers

from ..scope import visible_district


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
