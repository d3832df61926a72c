"""Admin of the daily job: runs with their steps, loan status, bucket moves, flags and snapshots — all read-only
(the job writes them). The "run COB" action on the runs list runs or resumes the date typed in the action bar."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import ActionForm

from riskfund.errors import RuleViolation
from riskfund.lending.models import LoanStatus
from riskfund.money import percent_text

from .models import BucketChange, CobFlag, CobRun, CobStep, DailyLoanStatus, PoolSnapshot
from .services import cob_run


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CobStepInline(TabularInline):
    model = CobStep
    fields = ["name", "rows", "done_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RunDateForm(ActionForm):
    business_date = forms.DateField(label=_("业务日期"), required=False, help_text=_("YYYY-MM-DD"))


@admin.register(CobRun)
class CobRunAdmin(ModelAdmin):
    """Runs are written by the job; "change" on the list only carries the run action (bureau, superuser)."""

    list_display = ["business_date", "status", "steps_done", "attempts", "started_at", "finished_at"]
    list_filter = ["status"]
    date_hierarchy = "business_date"
    inlines = [CobStepInline]
    action_form = RunDateForm
    actions = ["run_for_date"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("已完成步骤"))
    def steps_done(self, obj: CobRun) -> str:
        return ", ".join(str(step.get_name_display()) for step in obj.steps.order_by("done_at", "id"))

    @admin.action(description=_("运行日终批处理（操作栏所填日期；未填则续跑所选）"), permissions=["change"])
    def run_for_date(self, request, queryset):
        raw = request.POST.get("business_date", "").strip()
        try:
            dates = [date.fromisoformat(raw)] if raw else [run.business_date for run in queryset]
        except ValueError:
            self.message_user(request, _("日期格式应为 YYYY-MM-DD"), messages.ERROR)
            return
        for business_date in sorted(dates):
            try:
                run = cob_run(business_date=business_date)
            except RuleViolation as exc:
                self.message_user(request, f"{business_date}: {exc.code} {exc.message}", messages.ERROR)
                continue
            self.message_user(request, f"{run.business_date}: {run.get_status_display()}", messages.SUCCESS)


@admin.register(DailyLoanStatus)
class DailyLoanStatusAdmin(ReadOnlyAdmin):
    """The latest daily status of ACTIVE loans: a repaid or compensated loan keeps its last row, which is history,
    not a status (the loan page shows it)."""

    list_display = [
        "loan",
        "overdue_days",
        "bucket",
        "first_unpaid_due",
        "outstanding_principal",
        "compensation_eligible",
        "compensation_eligible_since",
        "maturity_reminded_on",
        "as_of",
    ]
    list_filter = ["bucket", "compensation_eligible", "maturity_reminded_on", "loan__bank"]
    search_fields = ["loan__contract_no", "loan__enterprise__name", "loan__enterprise__uscc"]
    list_select_related = ["loan__bank", "loan__enterprise"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(loan__status=LoanStatus.ACTIVE)


@admin.register(BucketChange)
class BucketChangeAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "loan", "from_bucket", "to_bucket", "overdue_days"]
    list_filter = ["to_bucket", "from_bucket"]
    date_hierarchy = "business_date"
    search_fields = ["loan__contract_no"]
    list_select_related = ["loan__bank"]


@admin.register(CobFlag)
class CobFlagAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "kind", "subject", "subject_name", "amount", "due_on"]
    list_filter = ["kind"]
    date_hierarchy = "business_date"
    search_fields = ["subject", "subject_name"]


@admin.register(PoolSnapshot)
class PoolSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "business_date",
        "pool_funds",
        "net_compensation",
        "pool_balance",
        "credit_capacity",
        "outstanding_principal",
        "available_capacity",
        "ratio_text",
        "suspended",
        "overdue_loans",
        "flags",
    ]
    list_filter = ["suspended"]
    date_hierarchy = "business_date"

    @admin.display(description=_("代偿比例"), ordering="compensation_ratio")
    def ratio_text(self, obj: PoolSnapshot) -> str:
        return percent_text(obj.compensation_ratio)
