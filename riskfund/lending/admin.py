"""Admin (Chinese) for enterprises, the pipeline and loans. Read-only: every write goes through the services
(the API), so the counters, the ledger and the history can never be edited around the rules. The one action here,
"申请移出失信名单", only records a request that another member of the bureau must approve (riskfund.approvals); the
bureau decides the dishonest-list proposals of compensations (art. 36) by the two actions of their list.

Enterprises and the dishonest list are the parties app's models (their admin pages are /admin/parties/…), but their
admin is composed here, beside the lending services it calls (parties imports nothing above it)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from riskfund.access import BUREAU, user_roles
from riskfund.approvals.admin import ReasonActionForm, request_for_each
from riskfund.approvals.kinds import approval_action
from riskfund.approvals.models import ApprovalKind
from riskfund.errors import RuleViolation
from riskfund.parties.admin import action_date, rule_message
from riskfund.parties.models import DishonestListing, DishonestRecord, Enterprise, SupportExtension

from .admin_loans import LoanAdmin, ReadOnlyAdminMixin
from .models import Application, DueDiligence, Loan, LoanEvent, PipelineEvent, Recommendation
from .services import listing_decide


class ReadOnlyTabularInline(ReadOnlyAdminMixin, TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class DishonestRecordInline(ReadOnlyTabularInline):
    model = DishonestRecord
    fields = ["on", "action", "cause", "reason", "user", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("失信名单记录")


class SupportExtensionInline(ReadOnlyTabularInline):
    model = SupportExtension
    fields = ["until", "reason", "granted_by", "granted_at"]
    readonly_fields = fields


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["name", "uscc", "district", "industry", "size_class", "dishonest", "support_extension_until"]
    list_filter = ["size_class", "dishonest", "district"]
    search_fields = ["name", "uscc"]
    inlines = [DishonestRecordInline, SupportExtensionInline]
    action_form = ReasonActionForm
    actions = ["request_dishonest_lift"]

    def get_actions(self, request):
        # the admin is read-only, so the role check drops every action; the lift REQUEST is the bureau's (art. 36)
        actions = super().get_actions(request)
        if user_roles(request.user) & approval_action(ApprovalKind.DISHONEST_LIFT).maker_roles:
            actions["request_dishonest_lift"] = self.get_action("request_dishonest_lift")
        return actions

    @admin.action(
        description=_("申请移出失信名单（第三十六条；业务日期为移出日期，须填理由，由另一名市工信局人员复核）")
    )
    def request_dishonest_lift(self, request, queryset):
        request_for_each(self, request, queryset, kind=ApprovalKind.DISHONEST_LIFT)


@admin.register(DishonestListing)
class DishonestListingAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """The proposals a compensation makes and the bureau's decisions (art. 36, SPEC §10)."""

    list_display = ["enterprise", "compensation", "status", "proposed_on", "decided_on", "decided_by", "reason"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "compensation", "decided_by"]
    action_form = ReasonActionForm
    actions = ["decide_list", "decide_dismiss"]

    def get_actions(self, request):
        # read-only, so the role check drops every action; deciding is the bureau's (art. 36)
        actions = super().get_actions(request)
        if BUREAU in user_roles(request.user):
            for name in self.actions:
                actions[name] = self.get_action(name)
        return actions

    def _decide(self, request, queryset, decision: str) -> None:
        on = action_date(request)
        reason = request.POST.get("reason", "")
        for listing in queryset:
            try:
                listing_decide(listing=listing, decision=decision, reason=reason, user=request.user, on=on)
            except RuleViolation as exc:
                self.message_user(request, f"{listing}：{rule_message(exc)}", messages.ERROR)
            else:
                listing.refresh_from_db()
                self.message_user(request, str(listing), messages.SUCCESS)

    @admin.action(description=_("认定恶意逃避债务，列入失信名单（第三十六条；业务日期为认定日期，须填理由）"))
    def decide_list(self, request, queryset):
        self._decide(request, queryset, "list")

    @admin.action(description=_("不予列入失信名单（第三十六条；须填理由）"))
    def decide_dismiss(self, request, queryset):
        self._decide(request, queryset, "dismiss")


class PipelineEventInline(ReadOnlyTabularInline):
    model = PipelineEvent
    fk_name = "application"
    fields = ["created_at", "step", "recommendation", "from_status", "to_status", "on", "note", "user"]
    readonly_fields = fields


class RecommendationInline(ReadOnlyTabularInline):
    model = Recommendation
    fields = ["form_no", "bank", "guarantor", "amount", "status", "issued_on"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["enterprise", "amount", "term_months", "status", "submitted_on"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    inlines = [RecommendationInline, PipelineEventInline]


class DueDiligenceInline(ReadOnlyTabularInline):
    model = DueDiligence
    fields = ["party", "opinion", "reported_on", "notes", "created_at"]
    readonly_fields = fields


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["form_no", "enterprise_name", "bank", "guarantor", "amount", "status", "issued_on"]
    list_filter = ["status", "bank"]
    search_fields = ["form_no", "application__enterprise__name", "application__enterprise__uscc"]
    inlines = [DueDiligenceInline]

    @admin.display(description=_("企业"))
    def enterprise_name(self, obj: Recommendation) -> str:
        return obj.application.enterprise.name


admin.site.register(Loan, LoanAdmin)


@admin.register(LoanEvent)
class LoanEventAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """The timeline of post-loan events across loans (art. 29–31, 33, 35)."""

    list_display = ["occurred_on", "kind", "loan", "notes", "backdated"]
    list_filter = ["kind", "backdated"]
    search_fields = ["loan__contract_no", "loan__enterprise__name"]
    date_hierarchy = "occurred_on"
    ordering = ["-occurred_on", "-created_at"]
