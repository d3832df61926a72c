"""Admin for export jobs: a read-only list with progress and, for finished unexpired jobs, a download link.

The file is served by ``download_view`` (staff with view permission on export jobs), not as a public
media URL. Deleting a job deletes its file. ``start/`` starts the bureau's monthly report or a bank's monthly
statement (``admin_start``); the list links to it for the roles that may.
"""

from django.contrib import admin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from riskfund.parties.models import Bank

from .admin_start import may_start_reports, report_start_view
from .models import ExportJob
from .registry import export_kind_label, export_kinds
from .services import export_job_delete

# the parameters that name a period; others (a forecast's id, an uploaded file's rows) are not for people
PERIOD_KEYS = ("month", "year", "as_of", "from", "to", "date_from", "date_to")


class KindFilter(admin.SimpleListFilter):
    title = _("报表类型")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(spec.kind, export_kind_label(spec.kind)) for spec in export_kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(ExportJob)
class ExportJobAdmin(ModelAdmin):
    list_display = ["created_at", "kind_label", "owner_display", "status", "progress_bar", "expires_at", "download"]
    list_filter = ["status", KindFilter]
    search_fields = ["id", "kind", "owner_bank", "owner_user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["owner_user"]
    readonly_fields = [
        "kind_label",
        "owner_display",
        "period",
        "status",
        "progress_bar",
        "rows_done",
        "rows_total",
        "filename",
        "download",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        export_job_delete(job=obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            export_job_delete(job=job)

    @admin.display(description=_("报表类型"), ordering="kind")
    def kind_label(self, obj: ExportJob) -> str:
        return export_kind_label(obj.kind)

    @admin.display(description=_("期间"))
    def period(self, obj: ExportJob) -> str:
        shown = [str(obj.params[key]) for key in PERIOD_KEYS if obj.params.get(key)]
        return " – ".join(shown) or "—"

    @admin.display(description=_("所属"))
    def owner_display(self, obj: ExportJob) -> str:
        if obj.owner_bank:
            bank = Bank.objects.filter(pk=obj.owner_bank).first()
            return _("合作银行：%(bank)s") % {"bank": bank.name if bank else "—"}
        user = obj.owner_user
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description=_("进度"), ordering="progress")
    def progress_bar(self, obj: ExportJob) -> str:
        return format_html('<progress max="100" value="{}"></progress> {}%', obj.progress, obj.progress)

    @admin.display(description=_("下载"))
    def download(self, obj: ExportJob) -> str:
        if not obj.is_downloadable(timezone.now()):
            return "—"
        url = reverse("admin:exports_exportjob_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename or _("下载"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_start_reports": may_start_reports(request.user)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        urls = [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="exports_exportjob_start",
            ),
            path(
                "<uuid:job_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="exports_exportjob_download",
            ),
        ]
        return urls + super().get_urls()

    def start_view(self, request):
        return report_start_view(self, request)

    def download_view(self, request, job_id):
        job = get_object_or_404(ExportJob, pk=job_id)
        if not self.has_view_permission(request, job):
            raise Http404
        if not job.is_downloadable(timezone.now()):
            raise Http404
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or "export.xlsx")
