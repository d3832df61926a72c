"""Admin for banks and their cooperation agreements, composed in the pool because what these pages show and do is
the pool's money: a bank's deposit and its top-up line (art. 16), signing with the initial deposit and returning the
deposit (art. 18). Registered when riskfund/pool/admin.py imports this module. Thin: every write calls a service;
an agreement, once signed, is changed only by its actions (end, return the deposit).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from riskfund.ledger.chart import DEPOSIT, PAYABLE
from riskfund.money import ZERO
from riskfund.parties.admin import DateActionForm, ServiceAdmin, action_date, copy_into, ledger_balance
from riskfund.parties.models import Agreement, Bank
from riskfund.parties.services import agreement_end, bank_create

from .agreements import agreement_sign, deposit_return
from .selectors import topup_suggested


class TopUpNeededFilter(admin.SimpleListFilter):
    """Banks whose outstanding is above N × their deposit (art. 16): the dashboard's "banks below their top-up line"."""

    title = _("抵押金")
    parameter_name = "topup"

    def lookups(self, request, model_admin):
        return [("needed", _("需补充抵押金"))]

    def queryset(self, request, queryset):
        if self.value() != "needed":
            return queryset
        return queryset.filter(pk__in=[bank.pk for bank in Bank.objects.all() if topup_suggested(bank) > ZERO])


@admin.register(Bank)
class BankAdmin(ServiceAdmin):
    list_display = ["code", "name", "deposit", "payable", "outstanding_principal", "active_loans", "suggested"]
    list_filter = [TopUpNeededFilter]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(_deposit=ledger_balance(DEPOSIT), _payable=ledger_balance(PAYABLE))
        )

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
        return topup_suggested(obj)

    def save_model(self, request, obj, form, change):
        if change:
            Bank.objects.filter(pk=obj.pk).update(name=form.cleaned_data["name"])
            return
        copy_into(obj, bank_create(code=form.cleaned_data["code"], name=form.cleaned_data["name"]))


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
        self.run_each(
            request, queryset, lambda a: agreement_end(agreement=a, ended_on=on, user=request.user), _("已终止合作")
        )

    @admin.action(description=_("退回风险补偿抵押金（第十八条）"))
    def return_deposit_selected(self, request, queryset):
        on = action_date(request)
        self.run_each(
            request,
            queryset,
            lambda a: deposit_return(agreement=a, returned_on=on, user=request.user),
            _("抵押金已退回"),
        )
