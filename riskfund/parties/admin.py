"""Admin for the parties (funders, guarantors, staff) and the helpers every app's admin uses. Thin: every write
calls a service; a broken rule becomes an error message; financial records are never deleted.

Banks and agreements are administered from riskfund/pool/bank_admin.py: what their pages show and do is the
pool's money (the deposit, its top-up line, signing with the initial deposit, the deposit's return).
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
from riskfund.ledger.chart import FUNDER, LOSS
from riskfund.ledger.models import Account
from riskfund.money import ZERO
from riskfund.policy.selectors import policy_for_pool

from .models import Funder, FunderTier, Guarantor, StaffProfile
from .services import commitment_set, guarantor_create


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

    def run_each(self, request, records, call, done) -> None:
        """An action's service ``call(record)`` for each selected record, reporting ``<record>：<done>`` or the
        broken rule."""
        for record in records:
            self.run_service(request, lambda r=record: call(r), f"{record}：{done}")


class DateActionForm(ActionForm):
    on_date = forms.DateField(label=_("业务日期（空为今天）"), required=False)


def action_date(request) -> date:
    """The action bar's business date; blank means today (Asia/Shanghai)."""
    value = DateActionForm.base_fields["on_date"].clean(request.POST.get("on_date", ""))
    return value or timezone.localdate()


def ledger_balance(prefix: str):
    """The balance of the account ``<prefix><the row's code>``, as a subquery to annotate a changelist with."""
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
        return super().get_queryset(request).annotate(_paid_in=ledger_balance(FUNDER), _loss=ledger_balance(LOSS))

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


@admin.register(StaffProfile)
class StaffProfileAdmin(ModelAdmin):
    list_display = ["user", "district"]
    list_filter = ["district"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
