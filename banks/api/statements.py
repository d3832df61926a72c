"""Bank endpoints for Excel: the monthly statement and the reconciliation of the loan book (API.md).

GET  /api/v1/statements/{YYYY-MM}.xlsx            the bank's monthly statement, built on the spot
GET  /api/v1/reconciliations/template.xlsx         the upload template (合同编号, 贷款余额)
POST /api/v1/reconciliations/                      multipart ``file`` + ``as_of`` → 202 ``{id, …}``
GET  /api/v1/reconciliations/{id}/                 status, the four counts, ``report_url``
GET  /api/v1/reconciliations/{id}/report.xlsx      the report workbook, once written

Bank keys only (``IsBank``), throttled per bank, every object scoped to ``request.bank`` (another bank's
reconciliation is 404). A workbook answer is ``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``;
errors stay problem+json, whatever the client accepts.
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.api.fields import TextField
from riskfund.api.idempotency import IdempotentMixin
from riskfund.api.schema import problem_answer
from riskfund.api.serializers import InputSerializer
from riskfund.exports.download import workbook_response
from riskfund.exports.models import ExportJob

from ..auth import BANK_AUTHENTICATION, BankRateThrottle, IsBank
from ..reconciliation import KIND, reconciliation_counts, reconciliation_start, template_sheets
from ..statements import XLSX_CONTENT_TYPE, month_bounds, month_has_begun, statement_filename, statement_sheets
from .schema import BankAutoSchema

XLSX_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="An .xlsx workbook")


class BankExcelView(APIView):
    authentication_classes = BANK_AUTHENTICATION
    permission_classes = [IsBank]
    throttle_classes = [BankRateThrottle]
    throttle_scope = "bank"
    schema = BankAutoSchema()


class BankWorkbookView(BankExcelView):
    """A workbook answer is a ``FileResponse`` that no renderer touches; a client sending ``Accept: application/
    vnd…sheet`` must not get 406 for it, and an error is still rendered as problem+json."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


# --- statements ---------------------------------------------------------------------------------------------


class BankStatementDownload(BankWorkbookView):
    @extend_schema(
        tags=["bank: statements"],
        operation_id="bank_statement_download",
        summary="This bank's monthly statement workbook",
        description=(
            "Sheets 概要 (opening/closing outstanding, disbursed, repaid, compensated, recovered, deposit opening/"
            "closing balance), 贷款台账 (outstanding, status and overdue days as of the month's last day), 还款明细, "
            "代偿明细 (40:20:40 and 30:30:40 shares), 追偿明细 and 抵押金变动 (with running balance). A malformed "
            "month → 400 validation_error; a month that has not begun → 404."
        ),
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM"
            )
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): XLSX_RESPONSE,
            400: problem_answer("malformed month (validation_error)"),
            404: problem_answer("the month has not begun"),
        },
    )
    def get(self, request, month):
        month_bounds(month)
        if not month_has_begun(month):
            raise Http404("month has not begun")
        return workbook_response(statement_sheets(request.bank, month), statement_filename(request.bank, month))


# --- reconciliation -----------------------------------------------------------------------------------------


class ReconciliationInputSerializer(InputSerializer):
    file = serializers.FileField(help_text="The filled template (.xlsx only, at most 5 MiB and 50,000 rows).")
    as_of = serializers.DateField(help_text="The date of the balances (YYYY-MM-DD), not after today.")


class ReconciliationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ExportJob.Status.choices, help_text="queued, running, done or failed")
    as_of = serializers.DateField()
    matched = serializers.IntegerField(help_text="Contracts in both with the same outstanding")
    mismatched = serializers.IntegerField(help_text="Contracts in both with different outstanding")
    missing_in_riskfund = serializers.IntegerField(help_text="Contracts listed by the bank that riskfund lacks")
    missing_at_bank = serializers.IntegerField(help_text="Contracts outstanding in riskfund the bank did not list")
    report_url = serializers.URLField(allow_null=True, help_text="The report workbook, once written")
    error = TextField(allow_blank=True)


def reconciliation_body(request, job: ExportJob) -> dict:
    report_url = None
    if job.is_downloadable(timezone.now()):
        report_url = request.build_absolute_uri(
            reverse("banks:bank-reconciliation-report", kwargs={"reconciliation_id": job.pk})
        )
    data = {
        "id": job.pk,
        "status": job.status,
        "as_of": job.params["as_of"],
        **reconciliation_counts(job),
        "report_url": report_url,
        "error": job.error,
    }
    return ReconciliationSerializer(data).data


def own_reconciliation(request, reconciliation_id) -> ExportJob:
    job = ExportJob.objects.filter(
        pk=reconciliation_id, kind=KIND, owner_bank=str(request.bank.pk), expires_at__gt=timezone.now()
    ).first()
    if job is None:
        raise Http404("no such reconciliation")
    return job


class ReconciliationTemplate(BankWorkbookView):
    @extend_schema(
        tags=["bank: reconciliation"],
        operation_id="bank_reconciliation_template",
        summary="The reconciliation upload template (合同编号, 贷款余额)",
        responses={(200, XLSX_CONTENT_TYPE): XLSX_RESPONSE},
    )
    def get(self, request):
        return workbook_response(template_sheets(), "贷款余额对账模板.xlsx")


class ReconciliationCreate(IdempotentMixin, BankExcelView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["bank: reconciliation"],
        operation_id="bank_reconciliation_create",
        summary="Upload the bank's loan balances as of a date for reconciliation",
        description=(
            "Matched by contract number against riskfund's outstanding principal of this bank's loans on as_of. "
            "The counts are answered at once; the report workbook is written in the background (poll the "
            "reconciliation until status is done). A file that is not .xlsx, too large, has too many rows, a "
            "missing column, a formula, a bad amount or a repeated contract number → 400 with the row and column "
            "(codes upload_*); as_of after today → 422 date_in_future."
        ),
        request={"multipart/form-data": ReconciliationInputSerializer},
        responses={202: ReconciliationSerializer},
    )
    def post(self, request):
        serializer = ReconciliationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        job = reconciliation_start(
            bank=request.bank, file=upload, as_of=serializer.validated_data["as_of"], filename=upload.name or ""
        )
        location = reverse("banks:bank-reconciliation-detail", kwargs={"reconciliation_id": job.pk})
        return Response(
            reconciliation_body(request, job), status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


class ReconciliationDetail(BankExcelView):
    @extend_schema(
        tags=["bank: reconciliation"],
        operation_id="bank_reconciliation_retrieve",
        summary="A reconciliation: status, counts and the report's URL",
        responses={200: ReconciliationSerializer},
    )
    def get(self, request, reconciliation_id):
        job = own_reconciliation(request, reconciliation_id)
        return Response(reconciliation_body(request, job))


class ReconciliationReport(BankWorkbookView):
    @extend_schema(
        tags=["bank: reconciliation"],
        operation_id="bank_reconciliation_report",
        summary="The reconciliation report workbook (matched, mismatched with both amounts, missing either side)",
        responses={(200, XLSX_CONTENT_TYPE): XLSX_RESPONSE},
    )
    def get(self, request, reconciliation_id):
        job = own_reconciliation(request, reconciliation_id)
        if not job.is_downloadable(timezone.now()):
            raise Http404("the report is not ready")
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename or "report.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
