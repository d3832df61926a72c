"""Compensation and recovery of a loan (API.md, art. 20, 32–34)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from riskfund.api.fields import BusinessDateField, MoneyField
from riskfund.api.serializers import InputSerializer
from riskfund.claims.services import COST_KINDS
from riskfund.money import ZERO

from .common import BACKDATED_HELP


class BankSharesSerializer(serializers.Serializer):
    pool = MoneyField(source="share_pool")
    bank = MoneyField(source="share_bank")
    guarantor = MoneyField(source="share_guarantor")

    class Meta:
        ref_name = "BankShares"


class BankPoolSplitSerializer(serializers.Serializer):
    region = MoneyField(source="split_region")
    city = MoneyField(source="split_city")
    district = MoneyField(source="split_district")

    class Meta:
        ref_name = "BankPoolSplit"


class BankCompensationInputSerializer(InputSerializer):
    deducted_on = BusinessDateField(help_text=_("date the pool's share was deducted from the deposit"))

    class Meta:
        ref_name = "BankCompensationInput"


class BankCompensationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    loan = serializers.UUIDField(source="loan_id")
    deducted_on = BusinessDateField()
    overdue_days = serializers.IntegerField(help_text=_("on deducted_on; more than 25 (art. 32)"))
    loss = MoneyField(help_text=_("all outstanding principal on deducted_on"))
    shares = BankSharesSerializer(source="*", help_text=_("40:20:40 (art. 20)"))
    pool_split = BankPoolSplitSerializer(source="*", help_text=_("the pool's share 30:30:40"))
    from_deposit = MoneyField(help_text=_("deducted from this bank's deposit"))
    to_payable = MoneyField(help_text=_("the part the deposit did not cover, owed to the bank by the pool"))
    notice_deadline = BusinessDateField()
    notified_late = serializers.BooleanField()
    backdated = serializers.BooleanField(read_only=True, help_text=BACKDATED_HELP)

    class Meta:
        ref_name = "BankCompensation"


class BankRecoveryCostsSerializer(InputSerializer):
    litigation = MoneyField(required=False, default=ZERO, source="cost_litigation")
    enforcement = MoneyField(required=False, default=ZERO, source="cost_enforcement")
    appraisal = MoneyField(required=False, default=ZERO, source="cost_appraisal")
    commission = MoneyField(required=False, default=ZERO, source="cost_commission")
    other = MoneyField(required=False, default=ZERO, source="cost_other")

    class Meta:
        ref_name = "BankRecoveryCosts"


class BankRecoveryInputSerializer(InputSerializer):
    recovered_on = BusinessDateField(help_text=_("not before the deduction, not after today"))
    gross = MoneyField(help_text=_("cash, or the appraised value of assets taken (art. 34)"))
    costs = BankRecoveryCostsSerializer(required=False, help_text=_("itemised costs; each defaults to 0"))

    class Meta:
        ref_name = "BankRecoveryInput"

    def validate_gross(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("gross must be positive."))
        return value

    def costs_by_kind(self) -> dict:
        costs = self.validated_data.get("costs") or {}
        return {kind: costs.get(f"cost_{kind}", ZERO) for kind in COST_KINDS}


class BankRecoverySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    loan = serializers.UUIDField(source="loan_id")
    compensation = serializers.UUIDField(source="compensation_id")
    recovered_on = BusinessDateField()
    gross = MoneyField()
    costs = BankRecoveryCostsSerializer(source="*")
    net = MoneyField(help_text=_("gross − costs"))
    cumulative_net = MoneyField(help_text=_("net recovered on this loan so far, this one included"))
    shares = BankSharesSerializer(source="*", help_text=_("cumulative 40:20:40 allocation (SPEC §11)"))
    pool_split = BankPoolSplitSerializer(source="*")
    backdated = serializers.BooleanField(read_only=True, help_text=BACKDATED_HELP)

    class Meta:
        ref_name = "BankRecovery"
