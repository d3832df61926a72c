"""The annual bank performance report page (art. 19): a year picker, the table of riskfund/dashboard/reports.py
and a button that starts its Excel export (an export job, downloaded from the export job list).

Who may: the bureau and the auditor (a superuser has every role); nobody adds, edits or deletes anything here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin

from riskfund.access import AUDITOR, BUREAU, user_roles
from riskfund.errors import RuleViolation
from riskfund.exports.services import export_job_start
from riskfund.parties.admin import rule_message

from . import admin_system  # noqa: F401  (users, tokens, schedules on unfold's base)
from .models import BankPerformanceReport
from .reports import EXPORT_KIND, bank_performance, clean_year, report_years

READERS = frozenset({BUREAU, AUDITOR})


@admin.register(BankPerformanceReport)
class BankPerformanceReportAdmin(ModelAdmin):
    def _reader(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user_roles(user) & READERS)

    def has_module_permission(self, request):
        return self._reader(request)

    def has_view_permission(self, request, obj=None):
        return self._reader(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self._reader(request):
            raise PermissionDenied
        years = report_years()
        try:
            year = clean_year(request.POST.get("year") or request.GET.get("year") or timezone.localdate().year)
        except RuleViolation as exc:
            self.message_user(request, rule_message(exc), messages.ERROR)
            year = timezone.localdate().year
        if request.method == "POST":
            try:
                export_job_start(kind=EXPORT_KIND, params={"year": year}, owner=request.user)
            except RuleViolation as exc:
                self.message_user(request, rule_message(exc), messages.ERROR)
                return HttpResponseRedirect(f"{request.path}?year={year}")
            self.message_user(
                request, _("已开始生成 %(year)s 年度报表，完成后可在导出任务中下载") % {"year": year}, messages.SUCCESS
            )
            return HttpResponseRedirect(reverse("admin:exports_exportjob_changelist"))
        report = bank_performance(year)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("合作银行年度业务开展情况（第十九条）· %(year)s 年") % {"year": year},
            "report": report,
            "rows": [*report.banks, report.total],
            "years": sorted({*years, year}, reverse=True),
            "year": year,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "dashboard/bank_performance.html", context)
