"""The bureau's adjustment of a bank's deposit (API.md, Staff endpoints; SPEC §7, art. 16 "适时调整"):

- ``POST /api/v1/banks/{code}/deposit-adjustments/`` — a bureau user proposes an increase or a decrease;
- ``POST /api/v1/deposit-adjustments/{id}/approve/`` — another bureau user approves (the proposer → 422
  ``approver_is_maker``);
- ``POST /api/v1/deposit-adjustments/{id}/execute/`` — the trustee posts it within 30 days (late is flagged).

A decrease below the cover of the bank's active outstanding (÷ 10) → 422 ``deposit_below_cover``, at the proposal
and at the execution.
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.parties.models import Bank
from riskfund.pool.adjustments import (
    deposit_adjustment_approve,
    deposit_adjustment_execute,
    deposit_adjustment_propose,
)
from riskfund.pool.models import AdjustmentDirection, AdjustmentStatus, DepositAdjustment

from ..fields import BusinessDateField, MoneyField, NamedChoiceField, TextField
from ..idempotency import IdempotentMixin
from ..permissions import Can
from ..schema import problem_answer
from ..serializers import InputSerializer
from .common import ApprovedExecutionSerializer, ExecuteInputSerializer, validated

POSITIVE = Decimal("0.01")
BANK_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="the bank's code")


class DepositAdjustmentInputSerializer(InputSerializer):
    direction = serializers.ChoiceField(choices=AdjustmentDirection.values)
    amount = MoneyField(min_value=POSITIVE)
    reason = TextField(max_length=500, help_text=_("required"))

    class Meta:
        ref_name = "DepositAdjustmentInput"


class DepositAdjustmentApproveInputSerializer(InputSerializer):
    class Meta:
        ref_name = "DepositAdjustmentApproveInput"


class DepositAdjustmentExecuteInputSerializer(ExecuteInputSerializer):
    class Meta:
        ref_name = "DepositAdjustmentExecuteInput"


class DepositAdjustmentSerializer(ApprovedExecutionSerializer):
    bank = TextField(source="bank.code")
    direction = NamedChoiceField(choices=AdjustmentDirection.values, enum_name="DepositAdjustmentDirectionEnum")
    amount = MoneyField()
    status = NamedChoiceField(choices=AdjustmentStatus.values, enum_name="DepositAdjustmentStatusEnum")
    proposed_on = BusinessDateField()
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = DepositAdjustment
        ref_name = "DepositAdjustment"
        fields = [
            "id",
            "bank",
            "direction",
            "amount",
            "reason",
            "status",
            "proposed_on",
            "proposed_by",
            "approved_by",
            "approved_on",
            "due_on",
            "executed_on",
            "executed_late",
            "executed_backdated",
            "transaction",
        ]
        read_only_fields = fields


def _answer(adjustment: DepositAdjustment, code: int = status.HTTP_200_OK) -> Response:
    adjustment = DepositAdjustment.objects.select_related("bank", "proposed_by", "approved_by").get(pk=adjustment.pk)
    return Response(DepositAdjustmentSerializer(adjustment).data, status=code)


class DepositAdjustmentCreate(IdempotentMixin, APIView):
    """A bureau user proposes to raise or lower a bank's deposit (art. 16 "适时调整")."""

    permission_classes = [Can("adjust_deposit")]

    @extend_schema(
        tags=["deposits"],
        operation_id="bank_deposit_adjustment_create",
        summary="Propose a deposit adjustment",
        description="Another bureau user approves it; the trustee executes it within 30 days. A decrease that "
        "would leave the deposit below outstanding ÷ 10 → 422 deposit_below_cover.",
        parameters=[BANK_CODE],
        request=DepositAdjustmentInputSerializer,
        responses={201: DepositAdjustmentSerializer, 404: problem_answer("no bank with this code")},
        examples=[
            OpenApiExample(
                "decrease",
                value={"direction": "decrease", "amount": "300000", "reason": "在贷余额下降"},
                request_only=True,
            )
        ],
    )
    def post(self, request, code: str):
        values = validated(DepositAdjustmentInputSerializer, request)
        bank = get_object_or_404(Bank, code=code)
        adjustment = deposit_adjustment_propose(bank=bank, user=request.user, **values)
        return _answer(adjustment, status.HTTP_201_CREATED)


class DepositAdjustmentApprove(IdempotentMixin, APIView):
    """Another bureau user approves the proposal (maker-checker, art. 16)."""

    permission_classes = [Can("adjust_deposit")]

    @extend_schema(
        tags=["deposits"],
        operation_id="deposit_adjustment_approve",
        summary="Approve a deposit adjustment",
        description="The proposer → 422 approver_is_maker. The bank is told (webhook deposit.adjustment_approved).",
        request=DepositAdjustmentApproveInputSerializer,
        responses={200: DepositAdjustmentSerializer},
    )
    def post(self, request, adjustment_id):
        validated(DepositAdjustmentApproveInputSerializer, request)
        adjustment = get_object_or_404(DepositAdjustment, pk=adjustment_id)
        return _answer(deposit_adjustment_approve(adjustment=adjustment, user=request.user))


class DepositAdjustmentExecute(IdempotentMixin, APIView):
    """The trustee posts the approved adjustment: deposit:B ⇄ pool:special (art. 16); late execution is flagged."""

    permission_classes = [Can("execute_deposit_adjustment")]

    @extend_schema(
        tags=["deposits"],
        operation_id="deposit_adjustment_execute",
        summary="Execute a deposit adjustment",
        request=DepositAdjustmentExecuteInputSerializer,
        responses={200: DepositAdjustmentSerializer},
        examples=[OpenApiExample("execute", value={"executed_on": "2026-05-06"}, request_only=True)],
    )
    def post(self, request, adjustment_id):
        values = validated(DepositAdjustmentExecuteInputSerializer, request)
        adjustment = get_object_or_404(DepositAdjustment, pk=adjustment_id)
        adjustment = deposit_adjustment_execute(adjustment=adjustment, user=request.user, **values)
        return _answer(adjustment)
