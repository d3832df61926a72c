"""The admin's import (台账导入): upload → validation and preview → confirmation, with every error listed.

``/admin/imports/importrun/`` lists the runs; 上传台账 (``upload/``) takes a book (the template is downloadable
there) and starts its validation; each run's page shows its progress, every error (sheet, row, column, message)
with the annotated copy to download, the rows already in riskfund, the counts per sheet and the pool position
before and after (F, N, B, capacity, outstanding, suspended, per district); a valid run has a 确认写入 button.

Who: the bureau and the trustee import whole books and see every run; a district officer imports its district's
enterprises and applications (the other rows are refused row by row) and sees its own runs; the auditor reads.
The pages are self-contained views and templates in the admin's current style.
"""

import io
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from riskfund.access import AUDITOR, BUREAU, DISTRICT, TRUSTEE, user_roles
from riskfund.errors import RuleViolation

from .models import ImportRun
from .preview import DISTRICT_FIGURES, FIGURES
from .services import import_confirm, import_create
from .template import template_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTERS = frozenset({BUREAU, TRUSTEE, DISTRICT})
READERS = frozenset({BUREAU, TRUSTEE, AUDITOR})
FIGURE_LABELS = {
    "pool_funds": _("资金池资金 F"),
    "net_compensation": _("代偿净额 N"),
    "pool_balance": _("资金池余额 B"),
    "credit_capacity": _("担保放大额度"),
    "outstanding_principal": _("在贷余额"),
    "available_capacity": _("可用额度"),
    "compensation_ratio": _("代偿率"),
}
DISTRICT_LABELS = {
    "paid_in": _("实缴出资"),
    "loss": _("分担损失"),
    "outstanding_principal": _("在贷余额"),
    "scale_cap": _("业务规模上限"),
}


def may_import(user) -> bool:
    return bool(user.is_active and user.is_staff and user_roles(user) & IMPORTERS)


def _district_only(user) -> str | None:
    """The district a district officer is limited to (``""`` when its profile has none), else None."""
    roles = user_roles(user)
    if DISTRICT not in roles or roles & READERS:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.district_id if profile is not None else ""


class UploadForm(forms.Form):
    file = forms.FileField(label=_("台账文件（.xlsx）"))


def _amount(text) -> str:
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        return str(text)
    return f"{value:,.2f}"


def _ratio(text) -> str:
    try:
        return f"{Decimal(text) * 100:.4f}%"
    except (InvalidOperation, TypeError):
        return str(text)


@admin.register(ImportRun)
class ImportRunAdmin(ModelAdmin):
    list_display = ["created_at", "filename", "owner_display", "status", "progress_bar", "problem_count"]
    list_filter = ["status", "source"]
    date_hierarchy = "created_at"
    list_select_related = ["owner_user"]
    change_list_template = "admin/imports/importrun/change_list.html"

    # --- who may ---------------------------------------------------------------------------------------
    def has_module_permission(self, request):
        return bool(
            request.user.is_active and request.user.is_staff and user_roles(request.user) & (IMPORTERS | READERS)
        )

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or user_roles(request.user) & READERS or obj.owner_user_id == request.user.pk

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        runs = super().get_queryset(request)
        return runs if user_roles(request.user) & READERS else runs.filter(owner_user=request.user)

    # --- list columns ----------------------------------------------------------------------------------
    @admin.display(description=_("导入人"))
    def owner_display(self, obj: ImportRun) -> str:
        if obj.owner_bank:
            return _t("合作银行（接口密钥）")
        return str(obj.owner_user) if obj.owner_user_id else obj.get_source_display()

    @admin.display(description=_("进度"), ordering="progress")
    def progress_bar(self, obj: ImportRun) -> str:
        return format_html('<progress max="100" value="{}"></progress> {}%', obj.progress, obj.progress)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": may_import(request.user)}
        return super().changelist_view(request, extra_context)

    # --- pages -----------------------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="imports_importrun_upload"),
            path("template/", view(self.template_view), name="imports_importrun_template"),
            path("<uuid:run_id>/file/<str:which>/", view(self.file_view), name="imports_importrun_file"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        if not may_import(request.user):
            raise PermissionDenied
        district = _district_only(request.user)
        if district == "":  # a district officer whose profile names no district imports nothing
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = import_create(
                    file=upload,
                    filename=upload.name,
                    source=ImportRun.Source.ADMIN,
                    user=request.user,
                    district=district,
                )
            except RuleViolation as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _t("已上传，正在校验（试运行，不写入）。"))
                return HttpResponseRedirect(reverse("admin:imports_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _t("上传台账"),
            "opts": self.model._meta,
            "form": form,
            "district": district,
        }
        return TemplateResponse(request, "admin/imports/importrun/upload.html", context)

    def template_view(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied
        return FileResponse(
            io.BytesIO(template_bytes()), as_attachment=True, filename="台账导入模板.xlsx", content_type=XLSX
        )

    def file_view(self, request, run_id, which):
        run = get_object_or_404(self.get_queryset(request), pk=run_id)
        field = {"original": run.file, "errors": run.annotated}.get(which)
        if not field:
            raise Http404
        name = run.filename if which == "original" else f"错误标注-{run.filename or 'book.xlsx'}"
        return FileResponse(field.open("rb"), as_attachment=True, filename=name or "book.xlsx", content_type=XLSX)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        if request.method == "POST" and "_confirm" in request.POST:
            return self._confirm(request, run)
        context = {
            **self.admin_site.each_context(request),
            "title": _t("台账导入：%(name)s") % {"name": run.filename or run.pk},
            "opts": self.model._meta,
            "run": run,
            "may_confirm": run.may_commit and may_import(request.user),
            "working": run.status
            in (ImportRun.Status.QUEUED, ImportRun.Status.VALIDATING, ImportRun.Status.COMMITTING),
            "figures": self._figures(run),
            "districts": self._districts(run),
            "written": sorted(run.written.items()),
            "existing": sorted(run.existing.items()),
        }
        return TemplateResponse(request, "admin/imports/importrun/run.html", context)

    def _confirm(self, request, run: ImportRun):
        if not may_import(request.user):
            raise PermissionDenied
        try:
            import_confirm(run=run)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _t("已确认，正在写入（全部写入或全部不写入）。"))
        return HttpResponseRedirect(reverse("admin:imports_importrun_change", args=[run.pk]))

    @staticmethod
    def _figures(run: ImportRun) -> list[tuple]:
        before, after = run.preview.get("before", {}), run.preview.get("after", {})
        rows = []
        for name in FIGURES:
            show = _ratio if name == "compensation_ratio" else _amount
            rows.append((FIGURE_LABELS[name], show(before.get(name, "0")), show(after.get(name, "0"))))
        yes, no = _t("是"), _t("否")
        rows.append((_t("暂停新增业务"), yes if before.get("suspended") else no, yes if after.get("suspended") else no))
        return rows

    @staticmethod
    def _districts(run: ImportRun) -> list[dict]:
        before = {d["code"]: d for d in run.preview.get("before", {}).get("districts", [])}
        rows = []
        for district in run.preview.get("after", {}).get("districts", []):
            earlier = before.get(district["code"], {})
            cells = [(DISTRICT_LABELS[n], _amount(earlier.get(n, "0")), _amount(district[n])) for n in DISTRICT_FIGURES]
            if any(b != a for _, b, a in cells):
                rows.append({"name": district["name"], "cells": cells})
        return rows
