"""Importing a book over the API (issue 17): template, upload, status and errors, confirmation.

GET  /api/v1/imports/template.xlsx      the book template (staff and banks)
POST /api/v1/imports/                   multipart ``file`` (+ ``commit``) → 202 the run; validated in the background
GET  /api/v1/imports/{id}/              status, progress, counts per sheet, every error, the rows already there,
                                        the pool position before and after, the annotated copy's URL
GET  /api/v1/imports/{id}/errors.xlsx   the annotated copy (bad cells marked, a comment on each)
POST /api/v1/imports/{id}/commit/       confirm a validated run (the preview was seen) → 202

Who: the bureau and the trustee import whole books; a district officer its district's enterprises and applications
(other rows are refused row by row); a bank, with its key, the repayments and post-loan events of its own loans (a
row for another bank's loan is a row error, never a 404 that would tell it exists). A run is seen by whoever
started it, by the bureau, the trustee and the auditor (staff runs), and by its bank; anything else is 404.
A file that is not a readable .xlsx is 400 at once, one above the import's size limit 413 — nothing is written.
"""

import io

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.errors import RuleViolation
from riskfund.imports.models import ImportRun
from riskfund.imports.reader import import_limits
from riskfund.imports.services import import_confirm, import_create
from riskfund.imports.template import template_bytes
from riskfund.parties.models import Bank

from ..fields import NamedChoiceField
from ..idempotency import IdempotentMixin
from ..roles import AUDITOR, BANK_SCHEME, BUREAU, DISTRICT, STAFF_SCHEME, TRUSTEE, request_bank_id, user_roles
from ..schema import problem_answer
from ..scope import NO_DISTRICT, visible_district
from ..serializers import InputSerializer, NoBodySerializer
from .common import validated

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="An .xlsx workbook")
IMPORTERS = frozenset({BUREAU, TRUSTEE, DISTRICT})
READERS = frozenset({BUREAU, TRUSTEE, AUDITOR})


class MayImport(BasePermission):
    """The bureau, the trustee, a district officer, or a bank's key."""

    security_schemes = frozenset({STAFF_SCHEME, BANK_SCHEME})

    def has_permission(self, request, view) -> bool:
        return bool(user_roles(request.user) & IMPORTERS) or request_bank_id(request) is not None


class MayRead(BasePermission):
    security_schemes = frozenset({STAFF_SCHEME, BANK_SCHEME})

    def has_permission(self, request, view) -> bool:
        return bool(user_roles(request.user) & (IMPORTERS | READERS)) or request_bank_id(request) is not None


class ImportInputSerializer(InputSerializer):
    file = serializers.FileField(help_text="The filled book template (.xlsx only).")
    commit = serializers.BooleanField(
        required=False, default=False, help_text="Write the book in the same pass when no row is refused."
    )

    class Meta:
        ref_name = "ImportInput"


class ImportProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(help_text="column letter in the uploaded file")
    field = serializers.CharField(help_text="the template's field name of the column")
    code = serializers.CharField(help_text="a stable code of SPEC.md, upload_* or import_*")
    clause = serializers.CharField(help_text="the article, when the rule has one")
    message = serializers.CharField(help_text="in the request's language (Accept-Language: zh-hans or en)")

    class Meta:
        ref_name = "ImportProblem"


class ImportExistingRowSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    key = serializers.CharField(help_text="the natural key (or loan and date) that riskfund already has")

    class Meta:
        ref_name = "ImportExistingRow"


class ImportRunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = NamedChoiceField(choices=ImportRun.Status.values, enum_name="ImportRunStatusEnum")
    progress = serializers.IntegerField(help_text="percent")
    filename = serializers.CharField()
    created_at = serializers.DateTimeField()
    rows_total = serializers.IntegerField()
    written = serializers.DictField(child=serializers.IntegerField(), help_text="rows to write (or written) per sheet")
    existing = serializers.DictField(child=serializers.IntegerField(), help_text="rows already in riskfund per sheet")
    existing_rows = ImportExistingRowSerializer(many=True)
    skipped = serializers.IntegerField(help_text="rows not tried because a row they rest on has an error")
    error_count = serializers.IntegerField()
    errors = ImportProblemSerializer(many=True)
    preview = serializers.JSONField(help_text="pool position before and after: F, N, B, capacity, outstanding, ...")
    cob_dates = serializers.ListField(child=serializers.DateField())
    annotated_url = serializers.URLField(allow_null=True)
    failure = serializers.CharField(help_text="an unexpected failure's message (status failed)")

    class Meta:
        ref_name = "ImportRun"


def _scope_args(request) -> dict:
    bank_id = request_bank_id(request)
    if bank_id is not None:
        return {"bank": Bank.objects.get(pk=bank_id)}
    district = visible_district(request.user)
    if district == NO_DISTRICT:  # a district officer whose profile names no district imports nothing
        raise PermissionDenied()
    return {"user": request.user, "district": district}


def _visible(request):
    runs = ImportRun.objects.all()
    bank_id = request_bank_id(request)
    if bank_id is not None:
        return runs.filter(owner_bank=str(bank_id))
    if user_roles(request.user) & READERS:
        return runs
    return runs.filter(owner_user=request.user)


def _run(request, run_id) -> ImportRun:
    run = _visible(request).filter(pk=run_id).first()
    if run is None:
        raise Http404("no such import")
    return run


def run_body(request, run: ImportRun) -> dict:
    english = translation.get_language() == "en"
    errors = [
        {
            **{k: p.get(k, "") for k in ("sheet", "row", "column", "field", "code", "clause")},
            "message": p["message_en" if english else "message"],
        }
        for p in run.problems
    ]
    annotated = None
    if run.annotated:
        annotated = request.build_absolute_uri(reverse("api:import-errors", kwargs={"run_id": run.pk}))
    data = {
        "id": run.pk,
        "status": run.status,
        "progress": run.progress,
        "filename": run.filename,
        "created_at": run.created_at,
        "rows_total": run.rows_total,
        "written": run.written,
        "existing": run.existing,
        "existing_rows": run.existing_rows,
        "skipped": run.skipped,
        "error_count": run.problem_count,
        "errors": errors,
        "preview": run.preview,
        "cob_dates": run.cob_dates,
        "annotated_url": annotated,
        "failure": run.error,
    }
    return ImportRunSerializer(data).data


class WorkbookView(APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class ImportTemplate(WorkbookView):
    permission_classes = [MayRead]

    @extend_schema(
        tags=["imports"],
        operation_id="imports_template",
        summary="The book template: one sheet per kind of record, drop-downs, an example row, a help sheet",
        responses={(200, XLSX): XLSX_RESPONSE},
    )
    def get(self, request):
        return FileResponse(
            io.BytesIO(template_bytes()), as_attachment=True, filename="台账导入模板.xlsx", content_type=XLSX
        )


class ImportCreate(IdempotentMixin, APIView):
    permission_classes = [MayImport]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["imports"],
        operation_id="imports_create",
        summary="Upload a book: validated in the background (a dry run through the services), then previewed",
        description=(
            "202 with the run; poll GET /api/v1/imports/{id}/ for every error (sheet, row, column, code, message), "
            "the rows already in riskfund and the pool position before and after. With commit=true a valid book is "
            "written in the same pass, all or nothing. Not an .xlsx, broken, unsafe → 400 (upload_*); above the "
            "import's size limit → 413; nothing is written then."
        ),
        request={"multipart/form-data": ImportInputSerializer},
        responses={202: ImportRunSerializer, 413: problem_answer("the file is above the import's size limit")},
    )
    def post(self, request):
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        limit = import_limits().max_bytes
        if upload.size > limit:
            message = f"文件超过 {limit} 字节 / the file is larger than {limit} bytes"
            raise RuleViolation("upload_too_large", "", message, status=413)
        run = import_create(
            file=upload,
            filename=upload.name or "",
            source=ImportRun.Source.API,
            commit=serializer.validated_data["commit"],
            **_scope_args(request),
        )
        location = reverse("api:import-detail", kwargs={"run_id": run.pk})
        return Response(run_body(request, run), status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class ImportDetail(APIView):
    permission_classes = [MayRead]

    @extend_schema(
        tags=["imports"], operation_id="imports_retrieve", summary="An import run", responses={200: ImportRunSerializer}
    )
    def get(self, request, run_id):
        return Response(run_body(request, _run(request, run_id)))


class ImportErrors(WorkbookView):
    permission_classes = [MayRead]

    @extend_schema(
        tags=["imports"],
        operation_id="imports_errors",
        summary="The annotated copy of the book: bad cells marked, a comment on each, a list of every error",
        responses={(200, XLSX): XLSX_RESPONSE},
    )
    def get(self, request, run_id):
        run = _run(request, run_id)
        if not run.annotated:
            raise Http404("no annotated copy: the book has no error")
        return FileResponse(run.annotated.open("rb"), as_attachment=True, filename="errors.xlsx", content_type=XLSX)


class ImportCommit(IdempotentMixin, APIView):
    permission_classes = [MayImport]

    @extend_schema(
        tags=["imports"],
        operation_id="imports_commit",
        summary="Confirm a validated import: write it (all or nothing) in the background",
        request=NoBodySerializer,
        responses={202: ImportRunSerializer, 422: problem_answer("the run is not valid (import_not_valid)")},
    )
    def post(self, request, run_id):
        validated(NoBodySerializer, request)
        run = _run(request, run_id)  # a district officer and a bank see (and confirm) their own runs only
        import_confirm(run=run)
        return Response(run_body(request, run), status=status.HTTP_202_ACCEPTED)
