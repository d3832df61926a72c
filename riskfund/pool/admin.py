"""Admin for the pool. Thin: adding a record calls its service; posted records are read-only and are
never deleted — an injection is corrected by a reversal that one user requests ("申请冲正") and another member of
the bureau approves (riskfund.approvals, maker-checker); a top-up moves on by its actions."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from riskfund.approvals.admin import ReasonActionForm, request_for_each
from riskfund.approvals.models import ApprovalKind
from riskfund.money import money_text, percent_text
from riskfund.parties.admin import DateActionForm, ServiceAdmin, action_date, copy_into

from . import bank_admin  # noqa: F401 — registers the bank and agreement admins
from .adjustments import deposit_adjustment_approve, deposit_adjustment_execute, deposit_adjustment_propose
from .models import (
    AdjustmentStatus,
    DepositAdjustment,
    DepositTopUp,
    Injection,
    InterestCredit,
    PoolState,
    PoolStateChange,
    TopUpStatus,
)
from .selectors import interest_accounts, interest_credits_named, pool_position
from .services import injection_post, interest_post, topup_approve, topup_execute, topup_request


class ReadOnlyAfterAddMixin:
    """Posted records are immutable: editable only on the add form."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Injection)
class InjectionAdmin(ReadOnlyAfterAddMixin, ServiceAdmin):
    list_display = [
        "funder",
        "kind",
        "paid_on",
        "amount",
        "reference",
        "backdated",
        "reversed_on",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "backdated", "funder"]
    search_fields = ["reference", "funder__code", "funder__name"]
    date_hierarchy = "paid_on"
    fields = ["funder", "kind", "paid_on", "amount", "reference"]
    action_form = ReasonActionForm
    actions = ["request_reversal"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "backdated", "transaction", "reversal", "reversed_on", "reversal_reason", "created_by"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = injection_post(
            funder=data["funder"],
            paid_on=data["paid_on"],
            amount=data["amount"],
            kind=data["kind"],
            reference=data.get("reference", ""),
            user=request.user,
        )
        copy_into(obj, created)

    @admin.action(description=_("申请冲正所选注资（业务日期为冲正日期，须填理由，由另一名市工信局人员复核）"))
    def request_reversal(self, request, queryset):
        request_for_each(self, request, queryset, kind=ApprovalKind.INJECTION_REVERSAL)


class TopUpActionForm(DateActionForm):
    amount = forms.DecimalField(label=_("批准金额（空为申请金额）"), required=False, max_digits=18, decimal_places=2)


class ApprovedExecutionAdmin(ReadOnlyAfterAddMixin, ServiceAdmin):
    """A deposit movement that is requested (the add form), approved by a second bureau user and executed within N
    days (art. 16: a top-up, an adjustment): the add form shows ``fields``, a record shows all of its fields, and
    the "approve" and "execute" actions run a service (``run_each``) per selected record in the right status."""

    actions = ["approve_selected", "execute_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [f.name for f in self.model._meta.fields]


@admin.register(DepositTopUp)
class DepositTopUpAdmin(ApprovedExecutionAdmin):
    list_display = [
        "bank",
        "requested_amount",
        "requested_on",
        "requested_by",
        "requested_by_bank",
        "status",
        "approved_amount",
        "approved_by",
        "approved_on",
        "due_on",
        "executed_on",
        "executed_late",
        "executed_backdated",
    ]
    list_filter = ["status", "executed_late", "executed_backdated", "bank"]
    fields = ["bank", "requested_amount", "reason"]
    action_form = TopUpActionForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = topup_request(
            bank=data["bank"], amount=data["requested_amount"], reason=data.get("reason", ""), user=request.user
        )
        copy_into(obj, created)

    @admin.action(description=_("批准所选补充申请（第十六条，须由申请人以外的人员批准）"))
    def approve_selected(self, request, queryset):
        on = action_date(request)
        chosen: Decimal | None = TopUpActionForm.base_fields["amount"].clean(request.POST.get("amount", ""))
        self.run_each(
            request,
            queryset.filter(status=TopUpStatus.REQUESTED),
            lambda t: topup_approve(topup=t, amount=chosen or t.requested_amount, approved_on=on, user=request.user),
            _("已批准"),
        )

    @admin.action(description=_("执行所选补充（第十六条）"))
    def execute_selected(self, request, queryset):
        on = action_date(request)
        self.run_each(
            request,
            queryset.filter(status=TopUpStatus.APPROVED),
            lambda t: topup_execute(topup=t, executed_on=on, user=request.user),
            _("已执行"),
        )


@admin.register(DepositAdjustment)
class DepositAdjustmentAdmin(ApprovedExecutionAdmin):
    """Art. 16 "适时调整": a bureau user proposes (the add form), another approves, the trustee executes."""

    list_display = [
        "bank",
        "direction",
        "amount",
        "status",
        "proposed_on",
        "proposed_by",
        "approved_by",
        "approved_on",
        "due_on",
        "executed_on",
        "executed_late",
        "executed_backdated",
    ]
    list_filter = ["status", "direction", "executed_late", "bank"]
    fields = ["bank", "direction", "amount", "reason"]
    action_form = DateActionForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = deposit_adjustment_propose(
            bank=data["bank"],
            direction=data["direction"],
            amount=data["amount"],
            reason=data.get("reason", ""),
            user=request.user,
        )
        copy_into(obj, created)

    @admin.action(description=_("批准所选抵押金调整（第十六条，须由提出人以外的市工信局人员批准）"))
    def approve_selected(self, request, queryset):
        self.run_each(
            request,
            queryset.filter(status=AdjustmentStatus.PROPOSED),
            lambda a: deposit_adjustment_approve(adjustment=a, user=request.user),
            _("已批准"),
        )

    @admin.action(description=_("执行所选抵押金调整（第十六条；业务日期为执行日期）"))
    def execute_selected(self, request, queryset):
        on = action_date(request)
        self.run_each(
            request,
            queryset.filter(status=AdjustmentStatus.APPROVED),
            lambda a: deposit_adjustment_execute(adjustment=a, executed_on=on, user=request.user),
            _("已执行"),
        )


class InterestCreditForm(forms.ModelForm):
    """The account is picked by name (the special account or a bank's deposit), never typed as a code."""

    account = forms.ChoiceField(label=_("计息账户"))

    class Meta:
        model = InterestCredit
        fields = ["credited_on", "amount", "account", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = list(interest_accounts().items())


@admin.register(InterestCredit)
class InterestCreditAdmin(ReadOnlyAfterAddMixin, ServiceAdmin):
    form = InterestCreditForm
    list_display = ["credited_on", "account_name", "amount", "reference", "backdated", "created_by"]
    list_filter = ["backdated"]
    date_hierarchy = "credited_on"

    @admin.display(description=_("计息账户"), ordering="account_name")
    def account_name(self, obj):
        return obj.account_name

    def get_queryset(self, request):
        return interest_credits_named(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        fields = ["credited_on", "amount", "account", "reference"]
        return fields if obj is None else [*fields, "backdated", "transaction", "created_by"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = interest_post(
            credited_on=data["credited_on"],
            amount=data["amount"],
            account=data["account"],
            reference=data.get("reference", ""),
            user=request.user,
        )
        copy_into(obj, created)


POSITION_LABELS = {
    "pool_funds": _("资金池资金"),
    "net_compensation": _("代偿净额累计"),
    "compensation_ratio": _("代偿比例"),
    "suspension_threshold": _("暂停阈值（第三十七条）"),
    "suspended": _("暂停新增业务"),
    "pool_balance": _("资金池余额"),
    "credit_capacity": _("授信额度（第九条）"),
    "outstanding_principal": _("在贷余额"),
    "available_capacity": _("可用额度"),
    "policy_version": _("政策版本"),
    "resume_replenishment": _("恢复业务所需补充资金"),
    "as_of": _("日期"),
}


RATIO_KEYS = frozenset({"compensation_ratio", "suspension_threshold"})
TEXT_KEYS = frozenset({"policy_version", "as_of"})


def _position_text(key: str, value):
    """A position figure for people: amounts 1,234,567.89, ratios as percentages, the flag as a coloured badge."""
    if key == "suspended":
        css, word = ("suspended", _("暂停新增")) if value else ("open", _("正常"))
        return format_html('<span class="rf-badge rf-badge-{}">{}</span>', css, word)
    if key in RATIO_KEYS:
        return percent_text(value)
    if key in TEXT_KEYS:
        return value
    return money_text(value)


def _position_field(key: str):
    def show(self, obj):
        return _position_text(key, pool_position()[key])

    show.short_description = POSITION_LABELS[key]
    show.__name__ = f"position_{key}"
    return show


class PoolStateAdmin(ModelAdmin):
    """The pool position (read-only), from the state row and the policy in force."""

    list_display = [f"position_{key}" for key in POSITION_LABELS]
    readonly_fields = list_display
    fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for position_key in POSITION_LABELS:
    setattr(PoolStateAdmin, f"position_{position_key}", _position_field(position_key))
admin.site.register(PoolState, PoolStateAdmin)


@admin.register(PoolStateChange)
class PoolStateChangeAdmin(ModelAdmin):
    list_display = [
        "occurred_at",
        "business_date",
        "suspended",
        "ratio_text",
        "pool_funds",
        "net_compensation",
        "cause",
    ]
    list_filter = ["suspended"]
    date_hierarchy = "business_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("代偿比例"), ordering="ratio")
    def ratio_text(self, obj: PoolStateChange) -> str:
        return percent_text(obj.ratio)
