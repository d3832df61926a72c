"""The bank's deposit, its movements and its top-up requests (API.md, art. 16)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from riskfund.api.fields import BusinessDateField, MoneyField, TextField
from riskfund.api.serializers import InputSerializer
from riskfund.ledger.models import Side
from riskfund.pool.models import TopUpStatus


class BankDepositMovementSerializer(serializers.Serializer):
    transaction = serializers.UUIDField(source="transaction_id")
    business_date = BusinessDateField(source="transaction.business_date")
    kind = TextField(source="transaction.kind", help_text=_("ledger transaction kind"))
    description = TextField(source="transaction.description")
    change = serializers.SerializerMethodField(help_text=_("signed change of the deposit balance"))

    class Meta:
        ref_name = "BankDepositMovement"

    @extend_schema_field(MoneyField(signed=True))
    def get_change(self, entry) -> str:
        amount = entry.amount if entry.side == Side.DEBIT else -entry.amount
        return MoneyField(signed=True).to_representation(amount)


class BankDepositMovementPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BankDepositMovementSerializer(many=True)

    class Meta:
        ref_name = "BankDepositMovementPage"


class BankDepositSerializer(serializers.Serializer):
    balance = MoneyField(signed=True, help_text=_("the risk-compensation deposit held for the pool (art. 16)"))
    outstanding_principal = MoneyField(help_text=_("this bank's outstanding principal of active pool loans"))
    topup_suggested = MoneyField(help_text=_("ceil(outstanding ÷ 10 − balance) when outstanding > 10 × balance"))
    movements = BankDepositMovementPageSerializer(help_text=_("newest first; ?page= and ?page_size= page them"))

    class Meta:
        ref_name = "BankDeposit"


class BankTopUpInputSerializer(InputSerializer):
    amount = MoneyField()
    reason = TextField(required=False, allow_blank=True, default="", max_length=500)

    class Meta:
        ref_name = "BankTopUpInput"

    def validate_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("amount must be positive."))
        return value


class BankTopUpSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text=_("used by /api/v1/topups/{id}/… (bureau, trustee)"))
    amount = MoneyField(source="requested_amount")
    reason = TextField()
    requested_on = BusinessDateField()
    status = serializers.ChoiceField(choices=TopUpStatus.values)

    class Meta:
        ref_name = "BankTopUp"
