"""Banks, guarantors, cooperation agreements and deposit top-ups (API.md, Staff endpoints; SPEC §7, art. 14–18).

- ``GET/POST /api/v1/banks/``, ``GET/POST /api/v1/guarantors/`` — staff read, the bureau creates;
- ``GET/POST /api/v1/banks/{code}/agreements/`` — signing places the initial deposit (bureau, art. 16);
- ``POST /api/v1/banks/{code}/agreements/{id}/end/`` — end the cooperation (bureau, art. 18);
- ``GET/POST /api/v1/topups/`` — top-ups (bureau, trustee, auditor read; bureau or trustee request one);
- ``POST /api/v1/topups/{id}/approve/`` (bureau, not the staff requester) and ``…/execute/`` (trustee), art. 16.
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.api.fields import TextField
from riskfund.ledger.selectors import account_balance
from riskfund.lending.selectors import banks_in_district
from riskfund.parties.models import Agreement, AgreementStatus, Bank, Guarantor
from riskfund.parties.services import agreement_end, bank_create, guarantor_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import DepositTopUp, TopUpStatus
from riskfund.pool.services import topup_approve, topup_execute, topup_request

from ..fields import BusinessDateField, FullMatchValidator, MoneyField, NamedChoiceField
from ..idempotency import IdempotentMixin
from ..roles import AUDITOR, BUREAU, TRUSTEE, HasRole, IsStaff
from ..schema import problem_answer
from ..scope import visible_district
from ..serializers import InputSerializer
from .common import ApprovedExecutionSerializer, ExecuteInputSerializer, MethodPermissionsMixin, validated

POSITIVE = Decimal("0.01")
CODE_HELP = _("1–32 letters, digits, '-' or '_'; names the ledger accounts deposit:<code> and payable:<code>")


# --- serializers -----------------------------------------------------------------------------------------


class PartyInputSerializer(InputSerializer):
    code = TextField(
        max_length=32,
        trim_whitespace=False,  # a code is matched whole: "BOB\n" is not BOB
        validators=[FullMatchValidator(r"^[A-Za-z0-9_-]{1,32}$")],
        help_text=CODE_HELP,
    )
    name = TextField(max_length=200)

    class Meta:
        ref_name = "PartyInput"


class BankSerializer(serializers.ModelSerializer):
    outstanding_principal = MoneyField()
    deposit_balance = serializers.SerializerMethodField(help_text=_("balance of deposit:<code> (art. 16)"))

    class Meta:
        model = Bank
        ref_name = "StaffBank"
        fields = ["id", "code", "name", "outstanding_principal", "active_loans", "deposit_balance", "created_at"]
        read_only_fields = fields

    @extend_schema_field(MoneyField())
    def get_deposit_balance(self, bank) -> str:
        return MoneyField().to_representation(account_balance(bank.deposit_account_code))


class DistrictBankSerializer(BankSerializer):
    """A bank as a district officer sees it: the outstanding and the active loans of its own district only."""

    outstanding_principal = MoneyField(source="district_outstanding")
    active_loans = serializers.IntegerField(source="district_active_loans")


class GuarantorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guarantor
        ref_name = "StaffGuarantor"
        fields = ["id", "code", "name", "created_at"]
        read_only_fields = fields


class AgreementInputSerializer(InputSerializer):
    guarantor = TextField(max_length=32, help_text=_("the guarantor's code"))
    signed_on = BusinessDateField(help_text=_("not in the future"))
    ends_on = BusinessDateField(required=False, allow_null=True, default=None, help_text=_("agreed end, if any"))

    class Meta:
        ref_name = "AgreementInput"


class AgreementEndInputSerializer(InputSerializer):
    ended_on = BusinessDateField(help_text=_("not in the future, not before signed_on"))

    class Meta:
        ref_name = "AgreementEndInput"


class AgreementSerializer(serializers.ModelSerializer):
    bank = TextField(source="bank.code")
    guarantor = TextField(source="guarantor.code")
    signed_on = BusinessDateField()
    ends_on = BusinessDateField(allow_null=True)
    status = NamedChoiceField(choices=AgreementStatus.values, enum_name="AgreementStatusEnum")
    ended_on = BusinessDateField(allow_null=True)
    return_due_on = BusinessDateField(allow_null=True, help_text=_("deposit due back by (art. 18)"))
    deposit_returned_on = BusinessDateField(allow_null=True)
    deposit_transaction = serializers.UUIDField(source="deposit_transaction_id", allow_null=True)
    deposit_balance = serializers.SerializerMethodField(help_text=_("the bank's deposit balance now"))

    class Meta:
        model = Agreement
        ref_name = "StaffAgreement"
        fields = [
            "id",
            "bank",
            "guarantor",
            "signed_on",
            "ends_on",
            "status",
            "ended_on",
            "return_due_on",
            "deposit_returned_on",
            "return_late",
            "deposit_transaction",
            "deposit_balance",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneyField())
    def get_deposit_balance(self, agreement) -> str:
        return MoneyField().to_representation(account_balance(agreement.bank.deposit_account_code))


class TopUpRequestInputSerializer(InputSerializer):
    bank = TextField(max_length=32, help_text=_("the bank's code"))
    amount = MoneyField(min_value=POSITIVE)
    reason = TextField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "StaffTopUpRequestInput"


class TopUpApproveInputSerializer(InputSerializer):
    amount = MoneyField(min_value=POSITIVE, help_text=_("the approved amount"))

    class Meta:
        ref_name = "TopUpApproveInput"


class TopUpExecuteInputSerializer(ExecuteInputSerializer):
    class Meta:
        ref_name = "TopUpExecuteInput"


class TopUpSerializer(ApprovedExecutionSerializer):
    bank = TextField(source="bank.code")
    requested_amount = MoneyField()
    requested_on = BusinessDateField()
    status = NamedChoiceField(choices=TopUpStatus.values, enum_name="TopUpStatusEnum")
    approved_amount = MoneyField(allow_null=True)

    class Meta:
        model = DepositTopUp
        ref_name = "StaffTopUp"
        fields = [
            "id",
            "bank",
            "requested_amount",
            "reason",
            "requested_on",
            "requested_by_bank",
            "status",
            "approved_amount",
            "approved_on",
            "due_on",
            "executed_on",
            "executed_late",
            "executed_backdated",
            "transaction",
        ]
        read_only_fields = fields


class TopUpFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TopUpStatus.values, required=False)
    bank = TextField(required=False, max_length=32, help_text=_("a bank code"))


# --- banks and guarantors --------------------------------------------------------------------------------


class BankListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """The cooperating banks (art. 14); a district officer reads each bank's figures of its own district only."""

    method_permissions = {"GET": [IsStaff], "POST": [HasRole(BUREAU)]}
    serializer_class = BankSerializer
    queryset = Bank.objects.order_by("code")

    def get_queryset(self):
        district = visible_district(self.request.user)
        return self.queryset if district is None else banks_in_district(district)

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or visible_district(self.request.user) is None:
            return BankSerializer
        return DistrictBankSerializer

    @extend_schema(tags=["parties"], operation_id="banks_list", summary="Banks")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["parties"],
        operation_id="banks_create",
        summary="Create a bank with its deposit and payable accounts",
        request=PartyInputSerializer,
        responses={201: BankSerializer},
        examples=[OpenApiExample("bank", value={"code": "BOB", "name": "包商银行"}, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        bank = bank_create(**validated(PartyInputSerializer, request))
        return Response(BankSerializer(bank).data, status=status.HTTP_201_CREATED)


class GuarantorListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """The cooperating guarantee companies (art. 20, 28)."""

    method_permissions = {"GET": [IsStaff], "POST": [HasRole(BUREAU)]}
    serializer_class = GuarantorSerializer
    queryset = Guarantor.objects.order_by("code")

    @extend_schema(tags=["parties"], operation_id="guarantors_list", summary="Guarantors")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["parties"],
        operation_id="guarantors_create",
        summary="Create a guarantor",
        request=PartyInputSerializer,
        responses={201: GuarantorSerializer},
    )
    def post(self, request, *args, **kwargs):
        guarantor = guarantor_create(**validated(PartyInputSerializer, request))
        return Response(GuarantorSerializer(guarantor).data, status=status.HTTP_201_CREATED)


# --- agreements ------------------------------------------------------------------------------------------

BANK_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="the bank's code")


class BankAgreementListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """A bank's cooperation agreements; signing one places the initial deposit (art. 16)."""

    method_permissions = {"GET": [HasRole(BUREAU, TRUSTEE, AUDITOR)], "POST": [HasRole(BUREAU)]}
    serializer_class = AgreementSerializer

    def get_queryset(self):
        bank = get_object_or_404(Bank, code=self.kwargs["code"])
        return Agreement.objects.filter(bank=bank).select_related("bank", "guarantor").order_by("-signed_on")

    @extend_schema(tags=["parties"], operation_id="bank_agreements_list", summary="Agreements", parameters=[BANK_CODE])
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["parties"],
        operation_id="bank_agreements_create",
        summary="Sign an agreement and place the initial deposit",
        parameters=[BANK_CODE],
        request=AgreementInputSerializer,
        responses={201: AgreementSerializer},
        examples=[
            OpenApiExample(
                "agreement", value={"guarantor": "BJDB", "signed_on": "2025-01-03", "ends_on": None}, request_only=True
            )
        ],
    )
    def post(self, request, code: str):
        values = validated(AgreementInputSerializer, request)
        bank = get_object_or_404(Bank, code=code)
        guarantor = get_object_or_404(Guarantor, code=values["guarantor"])
        agreement = agreement_sign(
            bank=bank, guarantor=guarantor, signed_on=values["signed_on"], ends_on=values["ends_on"], user=request.user
        )
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)


class BankAgreementEnd(IdempotentMixin, APIView):
    """End a cooperation (art. 18): no new loans; the deposit becomes due back once every loan is closed."""

    permission_classes = [HasRole(BUREAU)]

    @extend_schema(
        tags=["parties"],
        operation_id="bank_agreement_end",
        summary="End an agreement",
        parameters=[BANK_CODE],
        request=AgreementEndInputSerializer,
        responses={200: AgreementSerializer},
    )
    def post(self, request, code: str, agreement_id):
        values = validated(AgreementEndInputSerializer, request)
        agreement = get_object_or_404(Agreement, pk=agreement_id, bank__code=code)
        agreement = agreement_end(agreement=agreement, ended_on=values["ended_on"], user=request.user)
        return Response(AgreementSerializer(agreement).data)


# --- deposit top-ups (art. 16) ---------------------------------------------------------------------------


class TopUpListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """Deposit top-ups (art. 16): requested, approved by the bureau, executed by the trustee within 30 days."""

    method_permissions = {"GET": [HasRole(BUREAU, TRUSTEE, AUDITOR)], "POST": [HasRole(BUREAU, TRUSTEE)]}
    serializer_class = TopUpSerializer

    def get_queryset(self):
        filters = TopUpFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        topups = DepositTopUp.objects.select_related("bank").order_by("-requested_on", "-created_at")
        if "status" in filters.validated_data:
            topups = topups.filter(status=filters.validated_data["status"])
        if "bank" in filters.validated_data:
            topups = topups.filter(bank__code=filters.validated_data["bank"])
        return topups

    @extend_schema(tags=["deposits"], operation_id="topups_list", summary="Top-ups", parameters=[TopUpFilterSerializer])
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["deposits"],
        operation_id="topups_create",
        summary="Request a top-up on a bank's behalf (staff)",
        description="Only when the bank's outstanding exceeds 10 × its deposit (topup_not_needed otherwise). "
        "The staff member who requests it cannot approve it.",
        request=TopUpRequestInputSerializer,
        responses={201: TopUpSerializer, 404: problem_answer("no bank with this code")},
    )
    def post(self, request, *args, **kwargs):
        values = validated(TopUpRequestInputSerializer, request)
        bank = get_object_or_404(Bank, code=values["bank"])
        topup = topup_request(bank=bank, amount=values["amount"], reason=values["reason"], user=request.user)
        return Response(TopUpSerializer(topup).data, status=status.HTTP_201_CREATED)


class TopUpApprove(IdempotentMixin, APIView):
    """The bureau approves an amount (art. 16); a staff requester cannot approve its own request."""

    permission_classes = [HasRole(BUREAU)]

    @extend_schema(
        tags=["deposits"],
        operation_id="topup_approve",
        summary="Approve a top-up",
        request=TopUpApproveInputSerializer,
        responses={200: TopUpSerializer},
        examples=[OpenApiExample("approve", value={"amount": "500000"}, request_only=True)],
    )
    def post(self, request, topup_id):
        values = validated(TopUpApproveInputSerializer, request)
        topup = get_object_or_404(DepositTopUp, pk=topup_id)
        topup = topup_approve(topup=topup, amount=values["amount"], approved_on=timezone.localdate(), user=request.user)
        return Response(TopUpSerializer(topup).data)


class TopUpExecute(IdempotentMixin, APIView):
    """The trustee posts the approved top-up: deposit:B ← pool:special (art. 16); late execution is flagged."""

    permission_classes = [HasRole(TRUSTEE)]

    @extend_schema(
        tags=["deposits"],
        operation_id="topup_execute",
        summary="Execute a top-up",
        request=TopUpExecuteInputSerializer,
        responses={200: TopUpSerializer},
    )
    def post(self, request, topup_id):
        values = validated(TopUpExecuteInputSerializer, request)
        topup = get_object_or_404(DepositTopUp, pk=topup_id)
        topup = topup_execute(topup=topup, executed_on=values["executed_on"], user=request.user)
        return Response(TopUpSerializer(topup).data)
