"""Recommendations, due diligence, loan registration and the loan as the bank reads it (API.md, art. 25–28)."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from riskfund.api.fields import BusinessDateField, IdField, MoneyField, TextField
from riskfund.api.serializers import InputSerializer
from riskfund.lending.models import CounterGuaranteeKind, LoanStatus, Opinion, RecommendationStatus, RepaymentMethod
from riskfund.lending.rules import BUCKETS
from riskfund.money import ZERO

from .common import BACKDATED_HELP, RateField, StrictBooleanField
from .repayments import BankLoanEventSerializer, BankRepaymentSerializer

# --- recommendations ----------------------------------------------------------------------------------------


class BankRecommendationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    form_no = TextField(help_text=_("推荐表编号 (art. 25)"))
    enterprise = TextField(source="application.enterprise.uscc", help_text=_("the enterprise's USCC"))
    enterprise_name = TextField(source="application.enterprise.name")
    guarantor = TextField(source="guarantor.code", help_text=_("the guarantor's code"))
    amount = MoneyField(help_text=_("recommended amount; the loan's principal may not exceed it"))
    status = serializers.ChoiceField(
        choices=RecommendationStatus.values,
        help_text=_(
            "issued → approved (this bank's AND the guarantor's due diligence approve) / rejected (either rejects) → "
            "used (a loan was registered)"
        ),
    )
    bank_opinion = serializers.ChoiceField(
        choices=Opinion.values, allow_blank=True, help_text=_("this bank's latest opinion; blank: none yet")
    )
    guarantor_opinion = serializers.ChoiceField(
        choices=Opinion.values,
        allow_blank=True,
        help_text=_("the guarantor's latest opinion, recorded by the bureau or the trustee; blank: none yet"),
    )
    issued_on = BusinessDateField()

    class Meta:
        ref_name = "BankRecommendation"


class BankDueDiligenceInputSerializer(InputSerializer):
    opinion = serializers.ChoiceField(
        choices=Opinion.values,
        help_text=_("approve: usable for one loan once the guarantor approves too; reject closes the recommendation"),
    )
    reported_on = BusinessDateField(help_text=_("date of the opinion; not after today"))
    notes = TextField(required=False, allow_blank=True, default="", max_length=5000)

    class Meta:
        ref_name = "BankDueDiligenceInput"


# --- loans --------------------------------------------------------------------------------------------------


class BankScheduleLineInputSerializer(InputSerializer):
    due_on = BusinessDateField()
    principal = MoneyField()

    class Meta:
        ref_name = "BankScheduleLineInput"


class BankCounterGuaranteeSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=CounterGuaranteeKind.values, help_text=_("art. 28 counter-guarantee kind"))
    description = TextField(required=False, allow_blank=True, default="", max_length=500)
    value = MoneyField(required=False, allow_null=True, default=None)

    class Meta:
        ref_name = "BankCounterGuarantee"


class BankLoanRegisterSerializer(InputSerializer):
    """The loan registration body of API.md (art. 27)."""

    recommendation = IdField(help_text=_("id of an approved recommendation issued to this bank"))
    contract_no = TextField(max_length=64, help_text=_("loan contract number, unique per bank"))
    principal = MoneyField()
    disbursed_on = BusinessDateField(help_text=_("disbursement date; not after today"))
    maturity_on = BusinessDateField(help_text=_("≤ disbursed_on + 12 months (24 with extended_term and a reason)"))
    annual_rate = RateField(help_text=_('annual rate in percent, e.g. "3.45"'))
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.values)
    schedule = BankScheduleLineInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text=_("instalments only: due_on strictly increasing, the last on maturity_on, summing to principal"),
    )
    extended_term = StrictBooleanField(required=False, default=False)
    extended_reason = TextField(required=False, allow_blank=True, default="", max_length=500)
    extra_fees = MoneyField(
        required=False, default=ZERO, help_text=_('fees charged to the enterprise: must be "0.00" (art. 17)')
    )
    counter_guarantees = BankCounterGuaranteeSerializer(many=True, required=False, default=list)

    class Meta:
        ref_name = "BankLoanRegister"


class BankScheduleLineSerializer(serializers.Serializer):
    due_on = BusinessDateField()
    principal = MoneyField()
    paid_principal = MoneyField()

    class Meta:
        ref_name = "BankScheduleLine"


class BankLoanSummarySerializer(serializers.Serializer):
    """A loan in the list; ``overdue_days`` for today (SPEC §9)."""

    id = serializers.UUIDField()
    contract_no = TextField()
    recommendation = serializers.UUIDField(source="recommendation_id")
    form_no = TextField(source="recommendation.form_no")
    enterprise = TextField(source="enterprise.uscc", help_text=_("the enterprise's USCC"))
    enterprise_name = TextField(source="enterprise.name")
    principal = MoneyField()
    outstanding_principal = MoneyField()
    disbursed_on = BusinessDateField()
    maturity_on = BusinessDateField()
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.values)
    status = serializers.ChoiceField(choices=LoanStatus.values, help_text=_("active, repaid or compensated"))
    overdue_days = serializers.SerializerMethodField(help_text=_("calendar days overdue today (SPEC §9)"))

    class Meta:
        ref_name = "BankLoanSummary"

    def get_overdue_days(self, loan) -> int:
        first_unpaid = getattr(loan, "first_unpaid_due", None)
        today: date = self.context["today"]
        if loan.status != LoanStatus.ACTIVE or first_unpaid is None or first_unpaid >= today:
            return 0
        return (today - first_unpaid).days


class BankLoanSerializer(serializers.Serializer):
    """One loan (``GET /api/v1/loans/{id}/`` and the answer to its registration). Built from ``loan_detail``."""

    id = serializers.UUIDField(source="loan.id")
    contract_no = TextField(source="loan.contract_no")
    recommendation = serializers.UUIDField(source="loan.recommendation_id")
    enterprise = TextField(source="loan.enterprise.uscc", help_text=_("the enterprise's USCC"))
    enterprise_name = TextField(source="loan.enterprise.name")
    guarantor = TextField(source="loan.guarantor.code")
    district = TextField(source="loan.district_id", help_text=_("division code, frozen at registration"))
    policy_version = TextField(source="loan.policy_version.code", help_text=_("frozen for life"))
    principal = MoneyField(source="loan.principal")
    annual_rate = RateField(source="loan.annual_rate")
    disbursed_on = BusinessDateField(source="loan.disbursed_on")
    maturity_on = BusinessDateField(source="loan.maturity_on")
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.values, source="loan.repayment_method")
    extended_term = serializers.BooleanField(source="loan.extended_term")
    extended_reason = TextField(source="loan.extended_reason")
    status = serializers.ChoiceField(choices=LoanStatus.values, source="loan.status")
    closed_on = BusinessDateField(source="loan.closed_on", allow_null=True)
    notice_deadline = BusinessDateField(
        source="loan.notice_deadline", help_text=_("3rd working day after disbursed_on (art. 27)")
    )
    notified_late = serializers.BooleanField(source="loan.notified_late", help_text=_("reported after the deadline"))
    backdated = serializers.BooleanField(source="loan.backdated", read_only=True, help_text=BACKDATED_HELP)
    outstanding_principal = MoneyField()
    overdue_days = serializers.IntegerField(help_text=_("calendar days overdue today (SPEC §9)"))
    overdue_bucket = serializers.ChoiceField(choices=BUCKETS, help_text=_("the SPEC §9 bucket of overdue_days"))
    schedule = BankScheduleLineSerializer(many=True)
    repayments = BankRepaymentSerializer(many=True)
    counter_guarantees = BankCounterGuaranteeSerializer(many=True)
    events = BankLoanEventSerializer(many=True)

    class Meta:
        ref_name = "BankLoan"


class BankLoanFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=LoanStatus.values, required=False)
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true: active loans overdue today; false: others")
    )
    disbursed_after = BusinessDateField(required=False, help_text=_("disbursed on or after"))
    disbursed_before = BusinessDateField(required=False, help_text=_("disbursed on or before"))

    class Meta:
        ref_name = "BankLoanFilter"
