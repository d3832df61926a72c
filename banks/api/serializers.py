"""Input and output serializers of the bank endpoints (API.md "Bank endpoints").

Component names all start with ``Bank`` (unique in the OpenAPI document). The choice sets that appear under a
field name used with other sets elsewhere (``status``, ``kind``) are named in ``ENUM_NAME_OVERRIDES``
(``BankLoanStatusEnum``, ``BankLoanEventKindEnum``, ``BankCounterGuaranteeKindEnum``).
Amounts follow the API's conventions (``MoneyField``: decimal strings, at most two places in, exactly two out).
"""

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from riskfund.api.fields import BusinessDateField, DecimalStringField, IdField, MoneyField, TextField
from riskfund.api.serializers import InputSerializer
from riskfund.ledger.models import Side
from riskfund.lending.models import (
    CounterGuaranteeKind,
    LoanEventKind,
    LoanStatus,
    Opinion,
    RecommendationStatus,
    RepaymentMethod,
)
from riskfund.lending.rules import BUCKETS
from riskfund.money import ZERO
from riskfund.pool.models import TopUpStatus

COST_KINDS = ("litigation", "enforcement", "appraisal", "commission", "other")
BACKDATED_HELP = _("dated at or before the last closed business date: accepted, and counted by the next daily run")


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true``/``false`` only (DRF's BooleanField also takes "yes", 1, "on" …)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class RateField(DecimalStringField):
    """An annual rate in percent, e.g. ``"3.45"``: up to four places, below 100."""

    example = "3.45"

    def __init__(self, **kwargs) -> None:
        super().__init__(places=4, max_digits=7, **kwargs)


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


# --- compensation and recovery -----------------------------------------------------------------------------


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


# --- deposit and top-ups ------------------------------------------------------------------------------------


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


# --- webhooks -----------------------------------------------------------------------------------------------


class BankWebhookInputSerializer(InputSerializer):
    url = serializers.URLField(
        max_length=500,
        trim_whitespace=False,  # matched whole: "https://…\n" is not a URL
        help_text=_("HTTPS; replaces this bank's active endpoint"),
    )

    class Meta:
        ref_name = "BankWebhookInput"


class BankWebhookSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    active = serializers.BooleanField()
    secret_generation = serializers.IntegerField()
    created = serializers.DateTimeField()

    class Meta:
        ref_name = "BankWebhook"


class BankWebhookCreatedSerializer(BankWebhookSerializer):
    secret = TextField(
        allow_null=True, help_text=_("signing secret: shown once, never again (null in a replay of this answer)")
    )
    secret_withheld = serializers.BooleanField(
        help_text=_("true in a replay (Idempotent-Replayed): the secret is stored nowhere, so it is not repeated")
    )

    class Meta:
        ref_name = "BankWebhookCreated"
