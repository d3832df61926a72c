"""Starting a report from the admin (报表生成): the bureau's monthly report and a bank's monthly statement.

``/admin/exports/exportjob/start/`` shows a form with the report, the month (``YYYY-MM``) and, for a statement,
the bank. Posting it calls ``export_job_start`` and redirects to the export job list, where the job's progress
shows and, once done, its download link (``ExportJobAdmin.download_view``).

Who may: the bureau, the trustee and the auditor (and a superuser), SPEC §1 — the reports cover the whole
programme, so a district officer or a staff user with no role gets 403. A bank's statement is started as a job
of the bank (``owner_bank``), exactly as the bank API would build it; the kind ``bank_statement`` is registered
by ``banks/`` — this module names it by its kind and never imports ``banks``.
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from riskfund.access import AUDITOR, BUREAU, TRUSTEE, user_roles
from riskfund.errors import RuleViolation
from riskfund.parties.models import Bank

from .registry import export_kind_label
from .services import export_job_start

BUREAU_MONTHLY = "bureau_monthly"
BANK_STATEMENT = "bank_statement"
START_ROLES = frozenset({BUREAU, TRUSTEE, AUDITOR})
TEMPLATE = "admin/exports/exportjob/start.html"


def may_start_reports(user) -> bool:
    """The bureau, the trustee and the auditor (a superuser has every role); staff only."""
    return bool(user.is_active and user.is_staff and user_roles(user) & START_ROLES)


def previous_month(today: date) -> str:
    first = today.replace(day=1)
    year, month = (first.year - 1, 12) if first.month == 1 else (first.year, first.month - 1)
    return f"{year:04d}-{month:02d}"


class ReportStartForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("报表"), widget=forms.RadioSelect)
    month = forms.RegexField(
        label=gettext_lazy("月份"),
        regex=r"\A\d{4}-\d{2}\Z",
        error_messages={"invalid": gettext_lazy("请输入月份，格式为 YYYY-MM")},
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    bank = forms.ModelChoiceField(
        label=gettext_lazy("合作银行"),
        queryset=Bank.objects.order_by("code"),
        required=False,
        help_text=gettext_lazy("仅生成月度对账单时填写"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, export_kind_label(kind)) for kind in (BUREAU_MONTHLY, BANK_STATEMENT)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == BANK_STATEMENT and not cleaned.get("bank"):
            self.add_error("bank", _("生成月度对账单须选择合作银行"))
        return cleaned


def report_start_view(model_admin, request):
    """GET: the form; POST: start the job and go to the job list (the admin wraps this in ``admin_view``)."""
    if not may_start_reports(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ReportStartForm(request.POST)
        if form.is_valid():
            kind, month, bank = form.cleaned_data["kind"], form.cleaned_data["month"], form.cleaned_data["bank"]
            owner = str(bank.pk) if kind == BANK_STATEMENT else request.user
            try:
                export_job_start(kind=kind, params={"month": month}, owner=owner)
            except RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                name = export_kind_label(kind) + (f"（{bank.name}）" if bank and kind == BANK_STATEMENT else "")
                messages.success(
                    request, _("已开始生成%(name)s %(month)s，完成后可在此下载。") % {"name": name, "month": month}
                )
                return HttpResponseRedirect(reverse("admin:exports_exportjob_changelist"))
    else:
        form = ReportStartForm(initial={"kind": BUREAU_MONTHLY, "month": previous_month(timezone.localdate())})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("生成报表"),
        "opts": model_admin.model._meta,
        "form": form,
    }
    return TemplateResponse(request, TEMPLATE, context)
