"""Policy versions (API.md, Staff endpoints; SPEC §2, art. 40): the renewal of the measures, maker-checker.

- ``GET /api/v1/policy-versions/`` — every version with every parameter (all staff);
- ``POST /api/v1/policy-versions/`` — propose a version from an existing one (``based_on``: every parameter
  copied, overrides allowed) → 201 ``proposed`` (bureau);
- ``POST /api/v1/policy-versions/{id}/approve/`` — a second bureau user approves (``approver_is_maker`` for the
  proposer, ``policy_overlap`` when the dates meet another version) → 200 ``approved``.
"""

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.policy.models import PolicyVersion
from riskfund.policy.services import PARAMETER_FIELDS, policy_version_approve, policy_version_renew

from ..fields import BusinessDateField, CountField, MoneyField, RatioField, TextField
from ..idempotency import IdempotentMixin
from ..roles import Can
from ..serializers import InputSerializer, NoBodySerializer
from .common import MethodPermissionsMixin, validated

MAX_PARAMETER = 100_000  # no count of the measures (days, months, multiples, weights) comes near it


def _parameter_field(model_field: models.Field, **kwargs) -> serializers.Field:
    """The API field of one policy parameter, typed as the model column (amounts and ratios as strings)."""
    help_text = model_field.verbose_name
    if isinstance(model_field, models.BooleanField):
        return serializers.BooleanField(help_text=help_text, **kwargs)
    if isinstance(model_field, models.DecimalField):
        field_class = RatioField if model_field.decimal_places == 6 else MoneyField
        return field_class(help_text=help_text, **kwargs)
    if isinstance(model_field, models.PositiveIntegerField):
        return CountField(min_value=0, max_value=MAX_PARAMETER, help_text=help_text, **kwargs)
    return TextField(max_length=model_field.max_length, help_text=help_text, **kwargs)


def _parameters(**kwargs) -> dict[str, serializers.Field]:
    """Every parameter of SPEC §2, in the model's order."""
    return {
        f.name: _parameter_field(f, **kwargs) for f in PolicyVersion._meta.concrete_fields if f.name in PARAMETER_FIELDS
    }


class _PolicyVersionBase(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = TextField()
    title = TextField()
    document_no = TextField()
    effective_from = BusinessDateField()
    effective_to = BusinessDateField(help_text=_("last day in force (art. 40: five years)"))
    status = serializers.SerializerMethodField(help_text=_("proposed or approved"))
    proposed_by = TextField(source="created_by.username", allow_null=True, help_text=_("the maker's username"))
    approved_by = TextField(source="approved_by.username", allow_null=True, help_text=_("the checker's username"))
    approved_at = serializers.DateTimeField(allow_null=True)

    def get_status(self, version: PolicyVersion) -> str:
        return "approved" if version.is_approved else "proposed"


PolicyVersionSerializer = type(
    "PolicyVersionSerializer",
    (_PolicyVersionBase,),
    {**_parameters(), "Meta": type("Meta", (), {"ref_name": "PolicyVersion"})},
)


class _PolicyVersionInputBase(InputSerializer):
    code = TextField(max_length=40, help_text=_("the new version's code, e.g. 2026"))
    effective_from = BusinessDateField()
    effective_to = BusinessDateField(help_text=_("last day in force"))
    based_on = TextField(max_length=40, help_text=_("code of the version whose every parameter is copied"))
    title = TextField(
        max_length=200, required=False, allow_blank=True, default="", help_text=_("default: the based-on title")
    )
    document_no = TextField(max_length=80, required=False, allow_blank=True, default="")


PolicyVersionInputSerializer = type(
    "PolicyVersionInputSerializer",
    (_PolicyVersionInputBase,),
    {**_parameters(required=False), "Meta": type("Meta", (), {"ref_name": "PolicyVersionInput"})},
)

RENEWAL_EXAMPLE = {
    "code": "2026",
    "effective_from": "2026-04-30",
    "effective_to": "2031-04-29",
    "based_on": "2021",
    "title": "包头市中小微企业助保金贷款管理办法（2026年延续）",
    "document_no": "",
    "suspension_threshold": "0.200000",
}


class PolicyVersionListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """The versions of the measures (SPEC §2); a renewal is proposed from an existing one (art. 40)."""

    method_permissions = {"GET": [Can("view_policy")], "POST": [Can("propose_policy")]}
    serializer_class = PolicyVersionSerializer
    queryset = PolicyVersion.objects.select_related("created_by", "approved_by").order_by("-effective_from")

    @extend_schema(tags=["policy"], operation_id="policy_versions_list", summary="Policy versions")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["policy"],
        operation_id="policy_versions_create",
        summary="Propose a policy version from an existing one",
        description="Every parameter is copied from the based_on version, then the ones given here replace them. "
        "The version is proposed: another bureau user approves it. Dates meeting another version → 422 "
        "policy_overlap; an unknown based_on or a code already used → 400.",
        request=PolicyVersionInputSerializer,
        responses={201: PolicyVersionSerializer},
        examples=[OpenApiExample("renewal of 2021", value=RENEWAL_EXAMPLE, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        version = policy_version_renew(user=request.user, **validated(PolicyVersionInputSerializer, request))
        return Response(PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PolicyVersionApprove(IdempotentMixin, APIView):
    """A second bureau user approves a proposed version (SPEC §2 maker-checker); from then on it is in force."""

    permission_classes = [Can("approve_policy")]

    @extend_schema(
        tags=["policy"],
        operation_id="policy_version_approve",
        summary="Approve a proposed policy version",
        description="The proposer → 422 approver_is_maker; dates meeting another version → 422 policy_overlap; "
        "an approved version → 422 policy_approved.",
        parameters=[
            OpenApiParameter("version_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="the version's id")
        ],
        request=NoBodySerializer,
        responses={200: PolicyVersionSerializer},
    )
    def post(self, request, version_id):
        validated(NoBodySerializer, request)
        version = get_object_or_404(PolicyVersion, public_id=version_id)
        approved = policy_version_approve(version=version, user=request.user)
        approved = PolicyVersion.objects.select_related("created_by", "approved_by").get(pk=approved.pk)
        return Response(PolicyVersionSerializer(approved).data)
