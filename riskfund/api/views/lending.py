"""Enterprises and the loan pipeline, staff side (API.md, Staff endpoints; SPEC §8, art. 4, 5, 23–25).

- ``GET/POST /api/v1/enterprises/`` — register a borrower (bureau; a district officer for its own district);
- ``POST /api/v1/enterprises/{uscc}/extension/`` — continuous-support extension (bureau, art. 23);
- ``GET/POST /api/v1/applications/`` — applications (district office, bureau; art. 24);
- ``POST /api/v1/applications/{id}/recommend/`` — recommendation with a form number (bureau, art. 25).

A district officer sees and acts on its own district's enterprises only; another district's enterprise is
reported as 404 (API.md: "404 unknown or not yours").
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.api.fields import TextField
from riskfund.lending.models import Application, ApplicationStatus, Opinion, Recommendation, RecommendationStatus
from riskfund.lending.services import (
    application_create,
    enterprise_create,
    enterprise_extension_grant,
    recommendation_issue,
)
from riskfund.parties.models import Bank, Enterprise, Guarantor
from riskfund.policy.models import SizeClass

from ..fields import BusinessDateField, CountField, MoneyField, NamedChoiceField
from ..idempotency import IdempotentMixin
from ..roles import AUDITOR, BUREAU, DISTRICT, HasRole
from ..schema import problem_answer
from ..scope import visible_district
from ..serializers import InputSerializer
from .common import MethodPermissionsMixin, district_filter, validated

POSITIVE = Decimal("0.01")
# the ranges a count may take (API.md: an integer outside its field's range → 400); both far beyond any real firm
# or loan, both inside a database integer
MAX_EMPLOYEES = 1_000_000
MAX_TERM_MONTHS = 360


# --- serializers -----------------------------------------------------------------------------------------


class EnterpriseInputSerializer(InputSerializer):
    uscc = TextField(max_length=18, help_text=_("unified social credit code (GB 32100-2015)"))
    name = TextField(max_length=200)
    district = TextField(max_length=16, help_text=_("the district's division code, e.g. 150202"))
    industry = TextField(max_length=40, help_text=_("code from sme-standard-2011.csv, e.g. industry"))
    employees = CountField(min_value=0, max_value=MAX_EMPLOYEES, help_text=_("persons employed"))
    revenue = MoneyField()
    total_assets = MoneyField()
    established_on = BusinessDateField(help_text=_("not in the future"))

    class Meta:
        ref_name = "EnterpriseInput"


class EnterpriseSerializer(serializers.ModelSerializer):
    district = TextField(source="district_id")
    revenue = MoneyField()
    total_assets = MoneyField()
    established_on = BusinessDateField()
    size_class = NamedChoiceField(
        choices=SizeClass.values, enum_name="SizeClassEnum", help_text=_("2011 national standard")
    )
    support_extension_until = BusinessDateField(allow_null=True)

    class Meta:
        model = Enterprise
        ref_name = "StaffEnterprise"
        fields = [
            "id",
            "uscc",
            "name",
            "district",
            "industry",
            "employees",
            "revenue",
            "total_assets",
            "established_on",
            "size_class",
            "dishonest",
            "support_extension_until",
        ]
        read_only_fields = fields


class ExtensionInputSerializer(InputSerializer):
    until = BusinessDateField(help_text=_("support may continue until this date (art. 23)"))
    reason = TextField(max_length=500, help_text=_("required"))

    class Meta:
        ref_name = "SupportExtensionInput"


class ExtensionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    enterprise = TextField(source="enterprise.uscc")
    until = BusinessDateField()
    reason = TextField()
    granted_at = serializers.DateTimeField()

    class Meta:
        ref_name = "SupportExtension"


class ApplicationInputSerializer(InputSerializer):
    enterprise = TextField(max_length=18, help_text=_("the enterprise's USCC"))
    amount = MoneyField(min_value=POSITIVE)
    term_months = CountField(min_value=1, max_value=MAX_TERM_MONTHS)
    purpose = TextField(required=False, allow_blank=True, default="", max_length=2000)

    class Meta:
        ref_name = "ApplicationInput"


class ApplicationSerializer(serializers.ModelSerializer):
    enterprise = TextField(source="enterprise.uscc")
    enterprise_name = TextField(source="enterprise.name")
    district = TextField(source="enterprise.district_id")
    amount = MoneyField()
    status = NamedChoiceField(choices=ApplicationStatus.values, enum_name="ApplicationStatusEnum")
    submitted_on = BusinessDateField()

    class Meta:
        model = Application
        ref_name = "StaffApplication"
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "district",
            "amount",
            "term_months",
            "purpose",
            "status",
            "submitted_on",
        ]
        read_only_fields = fields


class ApplicationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.values, required=False)


class RecommendInputSerializer(InputSerializer):
    bank = TextField(max_length=32, help_text=_("the bank's code"))
    guarantor = TextField(max_length=32, help_text=_("the guarantor's code"))
    amount = MoneyField(min_value=POSITIVE)

    class Meta:
        ref_name = "RecommendInput"


class RecommendationIssuedSerializer(serializers.ModelSerializer):
    application = serializers.UUIDField(source="application_id")
    enterprise = TextField(source="application.enterprise.uscc")
    bank = TextField(source="bank.code")
    guarantor = TextField(source="guarantor.code")
    amount = MoneyField()
    status = NamedChoiceField(
        choices=RecommendationStatus.values,
        enum_name="StaffRecommendationStatusEnum",
        help_text=_("approved once the bank and the guarantor both approve; rejected when either rejects (art. 26)"),
    )
    bank_opinion = serializers.ChoiceField(choices=Opinion.values, allow_blank=True, help_text=_("blank: none yet"))
    guarantor_opinion = serializers.ChoiceField(
        choices=Opinion.values, allow_blank=True, help_text=_("blank: none yet")
    )
    issued_on = BusinessDateField()

    class Meta:
        model = Recommendation
        ref_name = "StaffRecommendation"
        fields = [
            "id",
            "form_no",
            "application",
            "enterprise",
            "bank",
            "guarantor",
            "amount",
            "status",
            "bank_opinion",
            "guarantor_opinion",
            "issued_on",
        ]
        read_only_fields = fields


# --- views -----------------------------------------------------------------------------------------------


def _enterprise_in_scope(request, uscc: str) -> Enterprise:
    """The enterprise with this USCC that the requester may see, else 404."""
    return get_object_or_404(
        district_filter(request, Enterprise.objects.select_related("district"), "district"), uscc=uscc
    )


class EnterpriseListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """Borrowers (art. 4, 5): a district officer sees and registers its own district's only."""

    method_permissions = {"GET": [HasRole(BUREAU, DISTRICT, AUDITOR)], "POST": [HasRole(BUREAU, DISTRICT)]}
    serializer_class = EnterpriseSerializer

    def get_queryset(self):
        return district_filter(self.request, Enterprise.objects.order_by("name", "uscc"), "district")

    @extend_schema(tags=["lending"], operation_id="enterprises_list", summary="Enterprises")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["lending"],
        operation_id="enterprises_create",
        summary="Register an enterprise",
        description="A bad USCC → 400; not registered in Baotou → 422 enterprise_not_eligible. A large enterprise "
        "is recorded with size_class large and refused later.",
        request=EnterpriseInputSerializer,
        responses={201: EnterpriseSerializer},
        examples=[
            OpenApiExample(
                "small industrial enterprise",
                value={
                    "uscc": "911502020000000019",
                    "name": "包头测试企业有限公司",
                    "district": "150202",
                    "industry": "industry",
                    "employees": 50,
                    "revenue": "10000000",
                    "total_assets": "8000000",
                    "established_on": "2015-06-01",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        values = validated(EnterpriseInputSerializer, request)
        district = visible_district(request.user)
        if district is not None and values["district"] != district:
            raise PermissionDenied(_("A district office registers enterprises of its own district only."))
        enterprise = enterprise_create(
            uscc=values["uscc"],
            name=values["name"],
            district_code=values["district"],
            industry=values["industry"],
            employees=values["employees"],
            revenue=values["revenue"],
            total_assets=values["total_assets"],
            established_on=values["established_on"],
            user=request.user,
        )
        return Response(EnterpriseSerializer(enterprise).data, status=status.HTTP_201_CREATED)


USCC_PARAM = OpenApiParameter("uscc", str, OpenApiParameter.PATH, description="the enterprise's USCC")


class EnterpriseExtensionCreate(IdempotentMixin, APIView):
    """The bureau extends continuous support until a date, with a reason (art. 23)."""

    permission_classes = [HasRole(BUREAU)]

    @extend_schema(
        tags=["lending"],
        operation_id="enterprise_extension_create",
        summary="Grant a continuous-support extension",
        parameters=[USCC_PARAM],
        request=ExtensionInputSerializer,
        responses={201: ExtensionSerializer},
        examples=[
            OpenApiExample(
                "extension", value={"until": "2028-12-31", "reason": "协调办公室2025年第3次会议同意"}, request_only=True
            )
        ],
    )
    def post(self, request, uscc: str):
        values = validated(ExtensionInputSerializer, request)
        enterprise = _enterprise_in_scope(request, uscc)
        grant = enterprise_extension_grant(
            enterprise=enterprise, until=values["until"], reason=values["reason"], user=request.user
        )
        return Response(ExtensionSerializer(grant).data, status=status.HTTP_201_CREATED)


class ApplicationListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """Loan applications (art. 24); eligibility only (SME, Baotou, not dishonest) — limits come at registration."""

    method_permissions = {"GET": [HasRole(BUREAU, DISTRICT, AUDITOR)], "POST": [HasRole(BUREAU, DISTRICT)]}
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        filters = ApplicationFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        applications = Application.objects.select_related("enterprise").order_by("-submitted_on", "-created_at")
        if "status" in filters.validated_data:
            applications = applications.filter(status=filters.validated_data["status"])
        return district_filter(self.request, applications, "enterprise__district")

    @extend_schema(
        tags=["lending"],
        operation_id="applications_list",
        summary="Applications",
        parameters=[ApplicationFilterSerializer],
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["lending"],
        operation_id="applications_create",
        summary="Submit an application",
        description="A large enterprise or one outside Baotou → 422 enterprise_not_eligible; one on the dishonest "
        "list → 422 enterprise_dishonest; another district's enterprise → 404 for a district office.",
        request=ApplicationInputSerializer,
        responses={201: ApplicationSerializer, 404: problem_answer("no such enterprise (or not in your district)")},
        examples=[
            OpenApiExample(
                "application",
                value={
                    "enterprise": "911502020000000019",
                    "amount": "3000000",
                    "term_months": 12,
                    "purpose": "流动资金",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        values = validated(ApplicationInputSerializer, request)
        enterprise = _enterprise_in_scope(request, values["enterprise"])
        application = application_create(
            enterprise=enterprise,
            amount=values["amount"],
            term_months=values["term_months"],
            purpose=values["purpose"],
            user=request.user,
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationRecommend(IdempotentMixin, APIView):
    """The bureau recommends the applicant to a bank and a guarantor and issues the form (推荐表, art. 25)."""

    permission_classes = [HasRole(BUREAU)]

    @extend_schema(
        tags=["lending"],
        operation_id="application_recommend",
        summary="Issue a recommendation",
        request=RecommendInputSerializer,
        responses={201: RecommendationIssuedSerializer},
        examples=[
            OpenApiExample(
                "recommend", value={"bank": "BOB", "guarantor": "BJDB", "amount": "3000000"}, request_only=True
            ),
            OpenApiExample(
                "issued",
                value={
                    "id": "5b1f8e0a-6a53-4b1e-9f0e-2d7c3a4b5c6d",
                    "form_no": "ZBJ-2025-000001",
                    "application": "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f",
                    "enterprise": "911502020000000019",
                    "bank": "BOB",
                    "guarantor": "BJDB",
                    "amount": "3000000.00",
                    "status": "issued",
                    "issued_on": "2025-06-30",
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request, application_id):
        values = validated(RecommendInputSerializer, request)
        application = get_object_or_404(Application, pk=application_id)
        bank = get_object_or_404(Bank, code=values["bank"])
        guarantor = get_object_or_404(Guarantor, code=values["guarantor"])
        recommendation = recommendation_issue(
            application=application, bank=bank, guarantor=guarantor, amount=values["amount"], user=request.user
        )
        return Response(RecommendationIssuedSerializer(recommendation).data, status=status.HTTP_201_CREATED)
