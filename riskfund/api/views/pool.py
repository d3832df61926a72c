"""The pool (API.md, Staff endpoints; SPEC §4–§6): its position, the funders, injections and interest.

- ``GET /api/v1/pool/`` — the pool position (all staff and banks);
- ``GET /api/v1/funders/`` — the funders with paid-in, loss, cap and replenishment due (staff; a district
  officer sees its own district's row only);
- ``POST /api/v1/funders/{code}/injections/`` — money paid in by a funder (trustee, art. 8, 13, 38);
- ``POST /api/v1/pool/interest/`` — interest credited to the special account or a bank deposit (trustee, art. 12).
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.api.fields import TextField
from riskfund.parties.models import Bank, Funder, FunderTier
from riskfund.pool.models import InjectionKind, InterestCredit
from riskfund.pool.selectors import funder_list, pool_position
from riskfund.pool.services import injection_post, interest_post

from ..fields import BusinessDateField, MoneyField, NamedChoiceField, RatioField
from ..idempotency import IdempotentMixin
from ..roles import TRUSTEE, HasRole, IsStaff
from ..schema import problem_answer
from ..scope import IsStaffOrBank, visible_district
from ..serializers import InputSerializer
from .common import validated

POSITIVE = Decimal("0.01")
BACKDATED_HELP = _("dated at or before the last closed business date: accepted, and counted by the next daily run")


# --- serializers -----------------------------------------------------------------------------------------


class PoolPositionSerializer(serializers.Serializer):
    pool_funds = MoneyField(help_text=_("F = Σ funder accounts + interest (资金池资金)"))
    net_compensation = MoneyField(help_text=_("N = Σ loss accounts (代偿净额累计)"))
    compensation_ratio = RatioField(help_text=_("N ÷ F, six places"))
    suspension_threshold = RatioField(help_text=_("art. 37 threshold of the policy version"))
    suspended = serializers.BooleanField(help_text=_("new loans refused while N ≥ threshold × F (art. 37)"))
    pool_balance = MoneyField(help_text=_("B = special account + deposits − payables = F − N"))
    credit_capacity = MoneyField(help_text=_("leverage × B (art. 9)"))
    outstanding_principal = MoneyField(help_text=_("Σ outstanding principal of active loans"))
    available_capacity = MoneyField(help_text=_("capacity − outstanding, never below 0.00 (SPEC §4)"))
    policy_version = TextField(allow_null=True, help_text=_("code of the version in force today; null when none is"))
    policy_expires_on = BusinessDateField(allow_null=True, help_text=_("last day of the version in force (art. 40)"))
    new_business_open = serializers.BooleanField(
        help_text=_("loan registration possible: a version in force and the pool not suspended (SPEC §4)")
    )
    new_business_closed_reason = NamedChoiceField(
        enum_name="NewBusinessClosedReasonEnum",
        choices=["no_policy_in_force", "pool_suspended"],
        allow_null=True,
        help_text=_("null while open; else the first of no_policy_in_force, pool_suspended"),
    )
    as_of = BusinessDateField()
    resume_replenishment = MoneyField(help_text=_("replenishment that would resume a suspended pool (SPEC §5)"))

    class Meta:
        ref_name = "PoolPosition"


class FunderSerializer(serializers.Serializer):
    code = TextField(help_text=_("region, city or a district's division code"))
    name = TextField()
    tier = NamedChoiceField(choices=FunderTier.values, enum_name="FunderTierEnum")
    paid_in = MoneyField()
    loss = MoneyField()
    commitment = MoneyField(allow_null=True)
    scale_cap = MoneyField(allow_null=True, help_text=_("25 × paid-in for a district (art. 13), else null"))
    outstanding_principal = MoneyField()
    replenishment_due = MoneyField()

    class Meta:
        ref_name = "Funder"


class InjectionInputSerializer(InputSerializer):
    paid_on = BusinessDateField(help_text=_("the day the money reached the special account; not in the future"))
    amount = MoneyField(min_value=POSITIVE)
    kind = NamedChoiceField(
        choices=InjectionKind.values, enum_name="InjectionKindEnum", default=InjectionKind.INJECTION
    )
    reference = TextField(max_length=100, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "InjectionInput"


class InjectionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    funder = TextField(source="funder_id")
    kind = NamedChoiceField(choices=InjectionKind.values, enum_name="InjectionKindEnum")
    paid_on = BusinessDateField()
    amount = MoneyField()
    reference = TextField()
    transaction = serializers.UUIDField(source="transaction_id", help_text=_("the ledger transaction"))
    backdated = serializers.BooleanField(read_only=True, help_text=BACKDATED_HELP)

    class Meta:
        ref_name = "Injection"


class InterestInputSerializer(InputSerializer):
    credited_on = BusinessDateField(help_text=_("not in the future"))
    amount = MoneyField(min_value=POSITIVE)
    account = TextField(max_length=32, help_text=_('"special" or a bank code (interest on its deposit)'))
    reference = TextField(max_length=100, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "InterestInput"


class InterestCreditSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    credited_on = BusinessDateField()
    amount = MoneyField()
    account = TextField()
    reference = TextField()
    transaction = serializers.UUIDField(source="transaction_id")
    backdated = serializers.BooleanField(read_only=True, help_text=BACKDATED_HELP)

    class Meta:
        ref_name = "InterestCredit"


# --- views -----------------------------------------------------------------------------------------------

POSITION_EXAMPLE = {
    "pool_funds": "24200000.00",
    "net_compensation": "0.00",
    "compensation_ratio": "0.000000",
    "suspension_threshold": "0.200000",
    "suspended": False,
    "pool_balance": "24200000.00",
    "credit_capacity": "242000000.00",
    "outstanding_principal": "0.00",
    "available_capacity": "242000000.00",
    "policy_version": "2021",
    "policy_expires_on": "2026-04-29",
    "new_business_open": True,
    "new_business_closed_reason": None,
    "as_of": "2025-06-30",
    "resume_replenishment": "0.00",
}


class PoolPositionView(APIView):
    """The pool position now (SPEC §4, §5): funds, net compensation, ratio, balance, capacity."""

    permission_classes = [IsStaffOrBank]

    @extend_schema(
        tags=["pool"],
        operation_id="pool_position",
        summary="Pool position",
        responses={200: PoolPositionSerializer},
        examples=[OpenApiExample("funded pool", value=POSITION_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return Response(PoolPositionSerializer(pool_position()).data)


class FunderList(generics.ListAPIView):
    """Every funder (art. 8, 13) — a district officer sees its own district only."""

    permission_classes = [IsStaff]
    serializer_class = FunderSerializer

    def get_queryset(self):
        rows = funder_list()
        district = visible_district(self.request.user)
        if district is not None:
            rows = [row for row in rows if row["code"] == district]
        return rows

    @extend_schema(tags=["pool"], operation_id="funders_list", summary="Funders")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FunderInjectionCreate(IdempotentMixin, APIView):
    """Money paid in by a funder: pool:special ← funder:X (art. 8; a replenishment, art. 13, 38)."""

    permission_classes = [HasRole(TRUSTEE)]

    @extend_schema(
        tags=["pool"],
        operation_id="funder_injection_create",
        summary="Post an injection or replenishment",
        request=InjectionInputSerializer,
        responses={201: InjectionSerializer},
        examples=[
            OpenApiExample(
                "district injection",
                value={"paid_on": "2025-03-01", "amount": "8000000", "kind": "injection", "reference": "BJ-2025-001"},
                request_only=True,
            ),
            OpenApiExample(
                "posted",
                value={
                    "id": "3f0a3c9e-3c1f-4b6e-9a43-1c1e9f0d2a11",
                    "funder": "150202",
                    "kind": "injection",
                    "paid_on": "2025-03-01",
                    "amount": "8000000.00",
                    "reference": "BJ-2025-001",
                    "transaction": "8a3b2c1d-0e9f-4a7b-8c6d-5e4f3a2b1c0d",
                    "backdated": False,
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request, code: str):
        values = validated(InjectionInputSerializer, request)
        funder = get_object_or_404(Funder, code=code)
        injection = injection_post(funder=funder, user=request.user, **values)
        return Response(InjectionSerializer(injection).data, status=status.HTTP_201_CREATED)


class InterestCreate(IdempotentMixin, APIView):
    """Interest earned, rolled into the pool: pool:special or deposit:B ← pool:interest (art. 12)."""

    permission_classes = [HasRole(TRUSTEE)]

    @extend_schema(
        tags=["pool"],
        operation_id="pool_interest_create",
        summary="Credit interest",
        request=InterestInputSerializer,
        responses={201: InterestCreditSerializer, 404: problem_answer("account names no bank")},
        examples=[
            OpenApiExample(
                "special account",
                value={"credited_on": "2025-06-21", "amount": "52340.17", "account": "special", "reference": "Q2"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        values = validated(InterestInputSerializer, request)
        if values["account"] != InterestCredit.SPECIAL:
            get_object_or_404(Bank, code=values["account"])
        credit = interest_post(user=request.user, **values)
        return Response(InterestCreditSerializer(credit).data, status=status.HTTP_201_CREATED)
