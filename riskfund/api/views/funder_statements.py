"""A funder's monthly statement (API.md, Staff endpoints; art. 3, 8, 13, 20, 38; riskfund/disclosure/statements.py).

- ``GET /api/v1/funders/{code}/statements/{YYYY-MM}/`` — the statement as JSON;
- ``GET /api/v1/funders/{code}/statements/{YYYY-MM}.xlsx`` — the same as a workbook.

Bureau, trustee and auditor see every funder's; a district officer only its own district's — another funder (the
region, the city, another district) is 404, as an unknown code is. A bank key → 403. A malformed month → 400
``validation_error``; a month that has not begun → 404.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.dates import month_bounds, month_has_begun
from riskfund.disclosure.statements import FunderStatement, funder_statement
from riskfund.disclosure.workbook import statement_filename, statement_sheets
from riskfund.exports.download import XLSX_CONTENT_TYPE, workbook_response
from riskfund.lending.rules import BUCKETS
from riskfund.parties.models import Funder, FunderTier

from ..fields import BusinessDateField, DecimalStringField, MoneyField, NamedChoiceField, TextField
from ..roles import AUDITOR, BUREAU, DISTRICT, TRUSTEE, HasRole
from ..schema import problem_answer
from ..scope import visible_district

# --- serializers ---------------------------------------------------------------------------------------------


class StatementFunderSerializer(serializers.Serializer):
    code = TextField()
    name = TextField()
    tier = NamedChoiceField(choices=FunderTier.values, enum_name="FunderTierEnum")

    class Meta:
        ref_name = "StatementFunder"


class StatementMovementSerializer(serializers.Serializer):
    business_date = BusinessDateField()
    kind = TextField(help_text="the ledger transaction's kind: injection, replenishment, injection_reversal, …")
    description = TextField()
    reference = TextField()
    amount = MoneyField(signed=True, help_text="effect on the account: negative for a reversal")
    transaction = serializers.UUIDField()

    class Meta:
        ref_name = "StatementMovement"


class StatementClaimShareSerializer(serializers.Serializer):
    business_date = BusinessDateField(help_text="deduction date of a compensation, recovery date of a recovery")
    contract_no = TextField()
    bank = TextField(source="bank_code")
    bank_name = TextField()
    district = TextField(help_text="the loan's district (division code)")
    whole = MoneyField(help_text="the compensation's loss, or the recovery's net")
    pool_share = MoneyField(help_text="the pool's share of it (art. 20)")
    amount = MoneyField(help_text="this funder's part of the pool share (30:30:40)")
    transaction = serializers.UUIDField()

    class Meta:
        ref_name = "StatementClaimShare"


class StatementBucketSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = MoneyField()

    class Meta:
        ref_name = "StatementBucket"


# the SPEC §9 buckets as fields ("current", "1-25", …: not Python names, hence type())
StatementOverdueSerializer = type(
    "StatementOverdueSerializer",
    (serializers.Serializer,),
    {bucket: StatementBucketSerializer() for bucket in BUCKETS}
    | {"Meta": type("Meta", (), {"ref_name": "StatementOverdue"})},
)


class StatementCompensatedSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    loss = MoneyField()
    share = MoneyField(help_text="the district's 40 % of the pool share")

    class Meta:
        ref_name = "StatementCompensated"


class StatementDistrictLoansSerializer(serializers.Serializer):
    active_loans = serializers.IntegerField()
    outstanding_principal = MoneyField(source="outstanding")
    overdue = StatementOverdueSerializer(source="buckets", help_text="by bucket (SPEC §9) on the month's last day")
    compensated_in_month = StatementCompensatedSerializer()
    compensated_to_date = StatementCompensatedSerializer()
    scale_cap = MoneyField(help_text="district_scale_cap × paid-in at the month's end (art. 13)")
    cap_used = DecimalStringField(places=4, max_digits=8, allow_null=True, help_text="outstanding ÷ scale cap")
    cap_left = MoneyField(signed=True)

    class Meta:
        ref_name = "StatementDistrictLoans"


class FunderStatementSerializer(serializers.Serializer):
    funder = StatementFunderSerializer()
    month = TextField()
    period_start = BusinessDateField(source="first")
    period_end = BusinessDateField(source="last")
    opening_paid_in = MoneyField(signed=True)
    injections = MoneyField(signed=True)
    replenishments = MoneyField(signed=True)
    paid_in_other = MoneyField(signed=True, help_text="reversals and other postings on funder:<code>")
    closing_paid_in = MoneyField(signed=True)
    opening_loss = MoneyField(signed=True)
    compensation_total = MoneyField(signed=True)
    recovery_total = MoneyField(signed=True)
    loss_other = MoneyField(signed=True)
    closing_loss = MoneyField(signed=True)
    opening_position = MoneyField(signed=True, help_text="paid-in − loss")
    closing_position = MoneyField(signed=True, help_text="paid-in − loss")
    replenished = MoneyField(help_text="replenishments paid by the month's end (R_d)")
    minimum = MoneyField(help_text="the district minimum M_d (art. 8); 0 for the region and the city")
    replenishment_due = MoneyField(help_text="SPEC §6 at the month's end (art. 13, 38)")
    pool_suspended = serializers.BooleanField(help_text="the city's statement: the pool was suspended at month end")
    paid_in_movements = StatementMovementSerializer(many=True)
    compensations = StatementClaimShareSerializer(many=True)
    recoveries = StatementClaimShareSerializer(many=True)
    other_loss_movements = StatementMovementSerializer(many=True)
    district = StatementDistrictLoansSerializer(allow_null=True, help_text="a district's loans; null otherwise")

    class Meta:
        ref_name = "FunderStatement"


# --- views ---------------------------------------------------------------------------------------------------

MONTH_PARAMETER = OpenApiParameter(
    "month", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM"
)
CODE_PARAMETER = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="region, city or a district's division code"
)
NOT_FOUND = problem_answer("unknown funder, another district's (district officer), or a month that has not begun")


class FunderStatementMixin:
    permission_classes = [HasRole(BUREAU, TRUSTEE, AUDITOR, DISTRICT)]

    def statement(self, request, code: str, month: str) -> FunderStatement:
        """The statement the requester may see, else 404 (API.md: another's object is 404, never 403)."""
        month_bounds(month)
        district = visible_district(request.user)
        funder = Funder.objects.filter(code=code).first()
        if funder is None or (district is not None and funder.code != district) or not month_has_begun(month):
            raise Http404("no such statement")
        return funder_statement(funder, month)


class FunderStatementView(FunderStatementMixin, APIView):
    @extend_schema(
        tags=["pool"],
        operation_id="funder_statement_retrieve",
        summary="A funder's monthly statement",
        description=(
            "Opening paid-in, injections and replenishments, its share of each compensation (loan, bank, date, "
            "amount), recoveries returned, closing position and the replenishment due (SPEC §6) for the calendar "
            "month; a district's loans at the month's end (count, outstanding, overdue by bucket, compensated, the "
            "25× cap used). Every line is a ledger entry on funder:<code> or loss:<code> dated in the month."
        ),
        parameters=[CODE_PARAMETER, MONTH_PARAMETER],
        responses={200: FunderStatementSerializer, 400: problem_answer("malformed month"), 404: NOT_FOUND},
    )
    def get(self, request, code: str, month: str):
        return Response(FunderStatementSerializer(self.statement(request, code, month)).data)


class FunderStatementDownload(FunderStatementMixin, APIView):
    """A workbook answer is a ``FileResponse`` no renderer touches (``Accept`` of the sheet type must not be 406)."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=["pool"],
        operation_id="funder_statement_download",
        summary="A funder's monthly statement workbook",
        description="Sheets 概要, 实缴变动, 代偿分担, 追偿返还 (and 其他变动 when a reversal was posted); printed "
        "landscape, one page wide, with the signature and stamp block under 概要.",
        parameters=[CODE_PARAMETER, MONTH_PARAMETER],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="An .xlsx workbook"),
            400: problem_answer("malformed month"),
            404: NOT_FOUND,
        },
    )
    def get(self, request, code: str, month: str):
        st = self.statement(request, code, month)
        return workbook_response(statement_sheets(st), statement_filename(st))
