"""Repayments and post-loan events of a loan (API.md, SPEC §9)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from riskfund.api.fields import BusinessDateField, MoneyField, TextField
from riskfund.api.serializers import InputSerializer
from riskfund.lending.models import LoanEventKind, LoanStatus

from .common import BACKDATED_HELP


class BankRepaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    paid_on = BusinessDateField()
    principal = MoneyField()
    interest = MoneyField()
    backdated = serializers.BooleanField(read_only=True, help_text=BACKDATED_HELP)

    class Meta:
        ref_name = "BankRepayment"


class BankLoanEventSerializer(InputSerializer):
    id = serializers.UUIDField(read_only=True)
    kind = serializers.ChoiceField(choices=LoanEventKind.values, help_text=_("SPEC §9 post-loan event kind"))
    occurred_on = BusinessDateField(help_text=_("not after today"))
    notes = TextField(required=False, allow_blank=True, default="", max_length=5000)
    backdated = serializers.BooleanField(read_only=True, help_text=BACKDATED_HELP)

    class Meta:
        ref_name = "BankLoanEvent"


class BankRepaymentInputSerializer(InputSerializer):
    paid_on = BusinessDateField(help_text=_("not before disbursed_on, not after today"))
    principal = MoneyField(help_text=_("applied to unpaid instalments in due-date order"))
    interest = MoneyField()

    class Meta:
        ref_name = "BankRepaymentInput"

    def validate(self, attrs):
        if attrs["principal"] == 0 and attrs["interest"] == 0:
            raise serializers.ValidationError({"principal": [_("Principal and interest cannot both be zero.")]})
        return attrs


class BankRepaymentResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    loan = serializers.UUIDField(source="loan_id")
    paid_on = BusinessDateField()
    principal = MoneyField()
    interest = MoneyField()
    outstanding_principal = MoneyField(source="loan.outstanding_principal", help_text=_("after this repayment"))
    loan_status = serializers.ChoiceField(
        choices=LoanStatus.values, source="loan.status", help_text=_("after this repayment")
    )
    backdated = serializers.BooleanField(read_only=True, help_text=BACKDATED_HELP)

    class Meta:
        ref_name = "BankRepaymentResult"
