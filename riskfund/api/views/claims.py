"""Payables (SPEC §4, art. 32): the pool share of a compensation the bank's deposit did not cover, owed to the
bank until the trustee pays it from the special account.

- ``GET /api/v1/payables/`` — payables (trustee, bureau, auditor); ``?settled=false`` for those still due;
- ``POST /api/v1/payables/{id}/settle/`` — payable:B ← pool:special (trustee).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.api.fields import TextField
from riskfund.claims.models import Payable
from riskfund.claims.services import payable_settle

from ..fields import BusinessDateField, MoneyField
from ..idempotency import IdempotentMixin
from ..roles import AUDITOR, BUREAU, TRUSTEE, HasRole
from ..serializers import InputSerializer
from .common import validated


class PayableSerializer(serializers.ModelSerializer):
    bank = TextField(source="bank.code")
    compensation = serializers.UUIDField(source="compensation_id")
    loan = serializers.UUIDField(source="compensation.loan_id")
    amount = MoneyField()
    due_since = BusinessDateField(help_text=_("the deduction date of the compensation"))
    settled_on = BusinessDateField(allow_null=True)
    transaction = serializers.UUIDField(source="transaction_id", allow_null=True)

    class Meta:
        model = Payable
        ref_name = "StaffPayable"
        fields = [
            "id",
            "bank",
            "compensation",
            "loan",
            "amount",
            "due_since",
            "settled_on",
            "settled_backdated",
            "transaction",
        ]
        read_only_fields = fields


class PayableFilterSerializer(serializers.Serializer):
    settled = serializers.BooleanField(required=False, allow_null=True, default=None)
    bank = TextField(required=False, max_length=32, help_text=_("a bank code"))


class PayableSettleInputSerializer(InputSerializer):
    settled_on = BusinessDateField(help_text=_("not in the future, not before the deduction"))

    class Meta:
        ref_name = "PayableSettleInput"


class PayableList(generics.ListAPIView):
    """Payables, oldest first."""

    permission_classes = [HasRole(TRUSTEE, BUREAU, AUDITOR)]
    serializer_class = PayableSerializer

    def get_queryset(self):
        filters = PayableFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        payables = Payable.objects.select_related("bank", "compensation").order_by("due_since", "created_at")
        settled = filters.validated_data.get("settled")
        if settled is not None:
            payables = payables.filter(settled_on__isnull=not settled)
        if "bank" in filters.validated_data:
            payables = payables.filter(bank__code=filters.validated_data["bank"])
        return payables

    @extend_schema(
        tags=["claims"], operation_id="payables_list", summary="Payables", parameters=[PayableFilterSerializer]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PayableSettle(IdempotentMixin, APIView):
    """The trustee pays the uncovered part of a compensation from the special account (SPEC §4)."""

    permission_classes = [HasRole(TRUSTEE)]

    @extend_schema(
        tags=["claims"],
        operation_id="payable_settle",
        summary="Settle a payable",
        request=PayableSettleInputSerializer,
        responses={200: PayableSerializer},
        examples=[OpenApiExample("settle", value={"settled_on": "2025-07-15"}, request_only=True)],
    )
    def post(self, request, payable_id):
        values = validated(PayableSettleInputSerializer, request)
        payable = get_object_or_404(Payable, pk=payable_id)
        payable = payable_settle(payable=payable, settled_on=values["settled_on"], user=request.user)
        return Response(PayableSerializer(payable).data)
