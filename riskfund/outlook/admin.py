"""The forecast in the admin: scenarios (the bureau edits them and runs them now), a page per scenario with its
latest forecast — months, per-funder table, fan chart, Excel export — the scenarios side by side, and the stored
forecasts (read-only).

Who may (riskfund/access.py): the bureau edits scenarios and runs them; trustee and auditor read; the
Excel export is open to every reader of the page. Running queues the Celery task after commit; the page shows the
result once stored.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from riskfund.errors import RuleViolation
from riskfund.exports.services import export_job_start
from riskfund.parties.admin import rule_message

from .display import forecast_panel
from .exports import EXPORT_KIND
from .models import Backtest, Forecast, Scenario
from .selectors import latest_forecast, scenario_comparison
from .services import scenario_check
from .tasks import forecast_queue


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["name", "title", "roll_multiplier", "recovery_haircut", "bank_overrides", "active", "notes"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["bank_overrides"] = scenario_check(
                roll_multiplier=data["roll_multiplier"],
                recovery_haircut=data["recovery_haircut"],
                bank_overrides=data.get("bank_overrides") or [],
            )
        except RuleViolation as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(Scenario)
class ScenarioAdmin(ModelAdmin):
    form = ScenarioForm
    list_display = ["title", "name", "roll_multiplier", "recovery_haircut", "overrides", "active", "latest"]
    actions = ["run_forecast"]
    change_form_template = "admin/outlook/scenario/change_form.html"
    change_list_template = "admin/outlook/scenario/change_list.html"

    @admin.display(description=_("比照银行"))
    def overrides(self, obj: Scenario) -> str:
        return "、".join(f"{o['bank']} → {o['like']}" for o in obj.bank_overrides or []) or "—"

    @admin.display(description=_("最近预测"))
    def latest(self, obj: Scenario) -> str:
        forecast = latest_forecast(obj)
        if forecast is None:
            return "—"
        panel = forecast_panel(forecast)
        return _t("%(day)s：12个月内触及暂停线 %(p)s %%，中位数 %(month)s") % {
            "day": forecast.as_of.isoformat(),
            "p": panel["crossed_percent"],
            "month": panel["crossing"],
        }

    def get_readonly_fields(self, request, obj=None):
        return ["name"] if obj is not None and obj.is_base else []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_base or obj.forecasts.exists()):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("立即计算所选情景的预测"))
    def run_forecast(self, request, queryset):
        for scenario in queryset:
            forecast_queue(scenario=scenario)
        self.message_user(request, _t("已开始计算，完成后在情景页面查看"), messages.SUCCESS)

    def get_urls(self):
        urls = [
            path("compare/", self.admin_site.admin_view(self.compare_view), name="outlook_scenario_compare"),
            path(
                "forecast/<uuid:forecast_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="outlook_forecast_export",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        scenario = self.get_object(request, object_id)
        forecast = latest_forecast(scenario) if scenario is not None else None
        extra = {"panel": forecast_panel(forecast) if forecast is not None else None}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def compare_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = []
        for row in scenario_comparison():
            panel = forecast_panel(row["forecast"]) if row["forecast"] else None
            chart_id = f"chart-compare-{row['scenario'].pk}"
            rows.append({**row, "panel": panel, "chart_id": chart_id, "data_id": f"{chart_id}-data"})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _t("压力情景对比"),
            "rows": rows,
            "funders": _funder_matrix(rows),
        }
        return TemplateResponse(request, "admin/outlook/scenario/compare.html", context)

    def export_view(self, request, forecast_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:outlook_scenario_changelist"))
        if not self.has_view_permission(request):
            raise PermissionDenied
        forecast = get_object_or_404(Forecast, pk=forecast_id)
        try:
            export_job_start(kind=EXPORT_KIND, params={"forecast": str(forecast.pk)}, owner=request.user)
        except RuleViolation as exc:
            self.message_user(request, rule_message(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:outlook_scenario_change", args=[forecast.scenario_id]))
        self.message_user(request, _t("已开始生成预测工作簿，完成后可在导出任务中下载"), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:exports_exportjob_changelist"))


def _funder_matrix(rows: list[dict]) -> list[dict]:
    """Per funder, its replenishment due at P95 under each scenario (the comparison table's lower half)."""
    panels = [row["panel"] for row in rows]
    first = next((p for p in panels if p), None)
    if first is None:
        return []
    table = []
    for index, funder in enumerate(first["funders"]):
        table.append(
            {
                "name": funder["name"],
                "cells": [
                    (p["funders"][index]["expected_loss"], p["funders"][index]["due_p95"]) if p else ("—", "—")
                    for p in panels
                ],
            }
        )
    return table


@admin.register(Forecast)
class ForecastAdmin(ModelAdmin):
    list_display = ["as_of", "scenario", "crossed_probability", "crossing_month_p50", "ratio_p50", "paths", "seed"]
    list_filter = ["scenario"]
    date_hierarchy = "as_of"
    fields = [*list_display, "horizon", "computed_at", "duration_ms", "parameters"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Backtest)
class BacktestAdmin(ModelAdmin):
    list_display = ["as_of", "scenario", "paths", "seed", "computed_at"]
    fields = ["as_of", "scenario", "paths", "seed", "coverage", "computed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
