"""Admin for the parties. Thin: every write calls a service; a broken rule becomes an error message.

Financial records are never deleted here; an agreement, once signed, is changed only by its actions
(end, return the deposit).
"""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.forms import ActionForm

from riskfund.errors import RuleViolation
from riskfund.ledger.chart import DEPOSIT, FUNDER, LOSS, PAYABLE
from riskfund.ledger.models import Account
from riskfund.money import ZERO
from riskfund.policy.selectors import policy_for_pool

from .models import Agreement, Bank, Funder, FunderTier, Guarantor, StaffProfile
from .services import (
    agreement_end,
    agreement_sign,
    bank_create,
    commitment_set,
    deposit_return,
    guarantor_create,
)


def rule_message(exc: RuleViolation) -> str:
    clause = f"（{exc.clause}）" if exc.clause else ""
    return f"{exc.code}{clause}：{exc.message}"


def copy_into(target, created) -> None:
    """Make the admin's unsaved ``target`` the object a service created (so the admin log and redirect work)."""
    for field in created._meta.concrete_fields:
        setattr(target, field.attname, getattr(created, field.attname))
    target._state.adding = False
    target._state.db = created._state.db


class ServiceAdmin(ModelAdmin):
    """Turns a ``RuleViolation`` raised by a service into an admin error message; never deletes."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RuleViolation as exc:
            self.message_user(request, rule_message(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False

    def run_service(self, request, call, done: str) -> None:
        """Run one action's service call per selected object, reporting each broken rule."""
        try:
            call()
        except RuleViolation as exc:
            self.message_user(request, rule_message(exc), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)


class DateActionForm(ActionForm):
    on_date = forms.DateField(label=_("业务日期（空为今天）"), required=False)


def action_date(request) -> date:
    """The action bar's business date; blank means today (Asia/Shanghai)."""
    value = DateActionForm.base_fields["on_date"].clean(request.POST.get("on_date", ""))
    return value or timezone.localdate()


def _balance(prefix: str):
    return Subquery(Account.objects.filter(code=Concat(Value(prefix), OuterRef("code"))).values("balance")[:1])


class FunderForm(forms.ModelForm):
    commitment = forms.DecimalField(label=_("承诺注资额"), max_digits=18, decimal_places=2, required=True)

    class Meta:
        model = Funder
        fields = ["commitment", "reduced_standard", "reduced_reason"]


@admin.register(Funder)
class FunderAdmin(ServiceAdmin):
    form = FunderForm
    list_display = [
        "code",
        "name",
        "tier",
        "commitment",
        "reduced_standard",
        "paid_in",
        "loss",
        "scale_cap",
        "outstanding_principal",
        "first_paid_on",
    ]
    list_filter = ["tier", "reduced_standard"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["code", "tier", "name", "name_en", "first_paid_on", "outstanding_principal", "replenished_total"]
    fields = [*readonly_fields, "commitment", "reduced_standard", "reduced_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_paid_in=_balance(FUNDER), _loss=_balance(LOSS))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # only a district's commitment is edited here (art. 8)
        if obj is not None and obj.tier != FunderTier.DISTRICT:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("实缴注资"))
    def paid_in(self, obj):
        return obj._paid_in if obj._paid_in is not None else ZERO

    @admin.display(description=_("代偿损失"))
    def loss(self, obj):
        return obj._loss if obj._loss is not None else ZERO

    @admin.display(description=_("贷款规模上限（第十三条）"))
    def scale_cap(self, obj):
        if obj.tier != FunderTier.DISTRICT:
            return "-"
        return policy_for_pool(timezone.localdate()).district_scale_cap * self.paid_in(obj)

    def save_model(self, request, obj, form, change):
        updated = commitment_set(
            funder=obj,
            amount=form.cleaned_data["commitment"],
            reduced_standard=form.cleaned_data["reduced_standard"],
            reason=form.cleaned_data["reduced_reason"],
        )
        copy_into(obj, updated)


class TopUpNeededFilter(admin.SimpleListFilter):
    """Banks whose outstanding is above N × their deposit (art. 16): the dashboard's "banks below their top-up line"."""

    title = _("抵押金")
    parameter_name = "topup"

    def lookups(self, request, model_admin):
        return [("needed", _("需补充抵押金"))]

    def queryset(self, request, queryset):
        if self.value() != "needed":
            return queryset
        from riskfund.pool.selectors import topup_suggested

        return queryset.filter(pk__in=[bank.pk for bank in Bank.objects.all() if topup_suggested(bank) > ZERO])


@admin.register(Bank)
class BankAdmin(ServiceAdmin):
    list_display = ["code", "name", "deposit", "payable", "outstanding_principal", "active_loans", "suggested"]
    list_filter = [TopUpNeededFilter]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_deposit=_balance(DEPOSIT), _payable=_balance(PAYABLE))

    def get_fields(self, request, obj=None):
        return ["code", "name"] if obj is None else ["code", "name", "outstanding_principal", "active_loans"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["code", "outstanding_principal", "active_loans"]

    @admin.display(description=_("风险补偿抵押金余额"))
    def deposit(self, obj):
        return getattr(obj, "_deposit", None) or ZERO

    @admin.display(description=_("应付代偿款"))
    def payable(self, obj):
        return getattr(obj, "_payable", None) or ZERO

    @admin.display(description=_("建议补充金额（第十六条）"))
    def suggested(self, obj):
        from riskfund.pool.selectors import topup_suggested

        return topup_suggested(obj)

    def save_model(self, request, obj, form, change):
        if change:
            Bank.objects.filter(pk=obj.pk).update(name=form.cleaned_data["name"])
            return
        copy_into(obj, bank_create(code=form.cleaned_data["code"], name=form.cleaned_data["name"]))


@admin.register(Guarantor)
class GuarantorAdmin(ServiceAdmin):
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["code"]

    def save_model(self, request, obj, form, change):
        if change:
            Guarantor.objects.filter(pk=obj.pk).update(name=form.cleaned_data["name"])
            return
        copy_into(obj, guarantor_create(code=form.cleaned_data["code"], name=form.cleaned_data["name"]))


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin):
    list_display = [
        "bank",
        "guarantor",
        "signed_on",
        "ends_on",
        "status",
        "ended_on",
        "return_due_on",
        "deposit_returned_on",
        "return_late",
    ]
    list_filter = ["status", "return_late"]
    search_fields = ["bank__code", "bank__name", "guarantor__code"]
    action_form = DateActionForm
    actions = ["end_selected", "return_deposit_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["bank", "guarantor", "signed_on", "ends_on"]
        return [f.name for f in Agreement._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f.name for f in Agreement._meta.fields]

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = agreement_sign(
            bank=data["bank"],
            guarantor=data["guarantor"],
            signed_on=data["signed_on"],
            ends_on=data.get("ends_on"),
            user=request.user,
        )
        copy_into(obj, created)

    @admin.action(description=_("终止合作（第十八条）"))
    def end_selected(self, request, queryset):
        on = action_date(request)
        for agreement in queryset:
            self.run_service(
                request,
                lambda a=agreement: agreement_end(agreement=a, ended_on=on, user=request.user),
                "{}：{}".format(agreement, _("已终止合作")),
            )

    @admin.action(description=_("退回风险补偿抵押金（第十八条）"))
    def return_deposit_selected(self, request, queryset):
        on = action_date(request)
        for agreement in queryset:
            self.run_service(
                request,
                lambda a=agreement: deposit_return(agreement=a, returned_on=on, user=request.user),
                "{}：{}".format(agreement, _("抵押金已退回")),
            )


@admin.register(StaffProfile)
class StaffProfileAdmin(ModelAdmin):
    list_display = ["user", "district"]
    list_filter = ["district"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
