"""The funder statements page in the admin: a funder and month picker, the statement of
riskfund/disclosure/statements.py as tables, and its workbook (``?format=xlsx``, the API's workbook).

Who may: the bureau, the trustee and the auditor every funder's; a district officer only its own district's (art. 7);
nobody adds, edits or deletes anything here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from unfold.admin import ModelAdmin

from riskfund.access import AUDITOR, BUREAU, DISTRICT, TRUSTEE, is_district_only, user_district_code, user_roles
from riskfund.dates import month_bounds, month_has_begun
from riskfund.errors import RuleViolation
from riskfund.exports.download import workbook_response
from riskfund.parties.admin import rule_message
from riskfund.parties.models import Funder, FunderTier

from .models import FunderStatementPage
from .statements import funder_statement
from .workbook import BUCKET_LABELS, KIND_LABELS, TIER_LABELS, statement_filename, statement_sheets

READERS = frozenset({BUREAU, TRUSTEE, AUDITOR, DISTRICT})


def previous_month(today) -> str:
    first = today.replace(day=1)
    last_month = (
        first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)
    )
    return last_month.strftime("%Y-%m")


@admin.register(FunderStatementPage)
class FunderStatementAdmin(ModelAdmin):
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

    def visible_funders(self, request):
        funders = Funder.objects.all()
        if is_district_only(request.user):
            funders = funders.filter(code=user_district_code(request.user) or "")
        order = {FunderTier.REGION: 0, FunderTier.CITY: 1, FunderTier.DISTRICT: 2}
        return sorted(funders, key=lambda f: (order.get(f.tier, 3), f.code))

    def changelist_view(self, request, extra_context=None):
        if not self._reader(request):
            raise PermissionDenied
        funders = self.visible_funders(request)
        month = request.GET.get("month") or previous_month(timezone.localdate())
        code = request.GET.get("funder") or (funders[0].code if funders else "")
        funder = next((f for f in funders if f.code == code), None)
        statement = None
        try:
            month_bounds(month)
            if not month_has_begun(month):
                raise RuleViolation("validation_error", "", f"month: 尚未开始 / has not begun: {month}", status=400)
        except RuleViolation as exc:
            self.message_user(request, rule_message(exc), messages.ERROR)
            month = previous_month(timezone.localdate())
        if funder is not None:
            statement = funder_statement(funder, month)
            if request.GET.get("format") == "xlsx":
                return workbook_response(statement_sheets(statement), statement_filename(statement))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "出资方月度对账单" + (f" · {funder.name} · {month}" if funder else ""),
            "funders": funders,
            "funder": funder,
            "month": month,
            "st": statement,
            "tier_label": TIER_LABELS.get(funder.tier, "") if funder else "",
            "kind_labels": KIND_LABELS,
            "buckets": [(label, statement.district.buckets[key]) for key, label in BUCKET_LABELS.items()]
            if statement and statement.district
            else [],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "disclosure/funder_statement.html", context)
