"""The loan list and the loan page in the admin (issue 13).

The list shows what a person looks for — contract, enterprise, bank, balance, maturity, status and how late —
in columns that fit 1366 px; the rest is on the loan page. Overdue days and bucket come from the latest close of
business (``cob.DailyLoanStatus``, reached through ``loan.cob_status``) and only for ACTIVE loans: a repaid or
compensated loan keeps its last daily status row, which must not read as overdue.

The loan page is a readable summary (``loan_summary.html``): the facts, the schedule, repayments, the events as a
timeline, the compensation and recoveries with both splits (art. 20: pool / bank / guarantor, then region / city /
district) and the counter-guarantees. Nothing here writes: the services are the only writers.
"""

from datetime import timedelta

from django.apps import apps
from django.contrib import admin
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from riskfund.money import money_text

from .loan_page import loan_summary
from .models import Loan, LoanStatus

MATURITY_WINDOW_DAYS = 60  # art. 31: the maturity reminder 60 days ahead, as the dashboard's list


def _bucket_choices():
    return apps.get_model("cob", "DailyLoanStatus")._meta.get_field("bucket").choices


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin: the services are the only writers."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class QuickFilter(admin.SimpleListFilter):
    """The three lists people ask for: overdue, due for compensation (overdue more than the policy's trigger days,
    art. 32, as the close of business marks it), maturing within 60 days (art. 31). Active loans only."""

    title = _("快捷筛选")
    parameter_name = "quick"

    def lookups(self, request, model_admin):
        return [("overdue", _("逾期")), ("claimable", _("可代偿（逾期超过25天）")), ("maturing", _("60天内到期"))]

    def queryset(self, request, queryset):
        active = queryset.filter(status=LoanStatus.ACTIVE)
        if self.value() == "overdue":
            return active.filter(cob_status__overdue_days__gt=0)
        if self.value() == "claimable":
            return active.filter(cob_status__compensation_eligible=True)
        if self.value() == "maturing":
            today = timezone.localdate()
            return active.filter(maturity_on__gte=today, maturity_on__lte=today + timedelta(days=MATURITY_WINDOW_DAYS))
        return queryset


class BucketFilter(admin.SimpleListFilter):
    """SPEC §9 bucket of the latest close of business, active loans only."""

    title = _("逾期分组")
    parameter_name = "bucket"

    def lookups(self, request, model_admin):
        return _bucket_choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=LoanStatus.ACTIVE, cob_status__bucket=self.value())
        return queryset


class LoanAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = [
        "contract",
        "enterprise_name",
        "bank_name",
        "balance",
        "maturity_on",
        "state_badge",
        "overdue",
    ]
    list_display_links = ["contract"]
    list_filter = [
        QuickFilter,
        BucketFilter,
        "status",
        "bank",
        "district",
        "repayment_method",
        "notified_late",
        "backdated",
    ]
    list_filter_submit = False
    list_per_page = 50
    show_full_result_count = False  # a filtered list counts its own rows only, not the whole table again (issue 13)
    search_fields = ["contract_no", "enterprise__name", "enterprise__uscc", "recommendation__form_no"]
    list_select_related = ["enterprise", "bank"]
    date_hierarchy = "disbursed_on"
    change_form_template = "admin/lending/loan/change_form.html"

    def get_queryset(self, request):
        active = When(status=LoanStatus.ACTIVE, then=Coalesce(F("cob_status__overdue_days"), Value(0)))
        return (
            super()
            .get_queryset(request)
            .annotate(
                _overdue_days=Case(active, default=None, output_field=IntegerField()),
                _bucket=Case(When(status=LoanStatus.ACTIVE, then=F("cob_status__bucket")), default=None),
            )
        )

    def get_fieldsets(self, request, obj=None):
        return []  # the page is the summary template; nothing is edited here

    @admin.display(description=_("借款合同编号"), ordering="contract_no")
    def contract(self, obj: Loan):
        return format_html('<span class="rf-nowrap">{}</span>', obj.contract_no)

    @admin.display(description=_("企业"), ordering="enterprise__name")
    def enterprise_name(self, obj: Loan) -> str:
        return obj.enterprise.name

    @admin.display(description=_("合作银行"), ordering="bank__name")
    def bank_name(self, obj: Loan) -> str:
        return obj.bank.name

    @admin.display(description=_("本金余额"), ordering="outstanding_principal")
    def balance(self, obj: Loan):
        return format_html('<span class="rf-num">{}</span>', money_text(obj.outstanding_principal))

    @admin.display(description=_("状态"), ordering="status")
    def state_badge(self, obj: Loan):
        days = getattr(obj, "_overdue_days", None)
        if obj.status == LoanStatus.ACTIVE and days:
            return format_html('<span class="rf-badge rf-badge-suspended">{}</span>', _("逾期"))
        css = {LoanStatus.ACTIVE: "open", LoanStatus.COMPENSATED: "no_policy"}.get(obj.status, "neutral")
        return format_html('<span class="rf-badge rf-badge-{}">{}</span>', css, obj.get_status_display())

    @admin.display(description=_("逾期天数（分组）"), ordering="_overdue_days")
    def overdue(self, obj: Loan):
        days = getattr(obj, "_overdue_days", None)
        if days is None:
            return "—"
        label = dict(_bucket_choices()).get(obj._bucket, "")
        if not days:
            return format_html('<span class="rf-nowrap">0 · {}</span>', label)
        return format_html('<span class="rf-nowrap"><strong>{}</strong> · {}</span>', days, label)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        loan = self.get_object(request, object_id)
        extra = {"summary": loan_summary(loan)} if loan is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})
