"""The ledger browser (issue 13): accounts with their balances, transactions with their entries, read-only.

Who may: whoever may view the ledger (riskfund/dashboard/roles.py: the bureau, the trustee and the auditor; a
district officer does not). Nothing is added, changed or deleted here: a correction is a reversal posted by a
service. Accounts read by their Chinese names; a transaction's kind reads as words ("代偿", "冲正：注资").
Filters: by account (an account's row links to its transactions) and by business date (from – to).
"""

import re

from django.contrib import admin
from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RangeDateFilter, RelatedDropdownFilter

from riskfund.money import money_text

from .kinds import kind_label
from .models import Account, Entry, Side, Transaction

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly, ModelAdmin):
    list_display = ["account", "code", "normal_side", "balance_text", "transactions"]
    list_display_links = ["account"]
    list_filter = ["normal_side"]
    search_fields = ["code", "name"]
    fields = ["name", "code", "normal_side", "balance"]

    @admin.display(description=_("账户"), ordering="name")
    def account(self, obj: Account) -> str:
        return obj.name or obj.code

    @admin.display(description=_("余额"), ordering="balance")
    def balance_text(self, obj: Account):
        return format_html('<span class="rf-num">{}</span>', money_text(obj.balance))

    @admin.display(description=_("记账凭证"))
    def transactions(self, obj: Account):
        url = reverse("admin:ledger_transaction_changelist") + f"?entries__account__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("查看凭证"))


class EntryInline(ReadOnly, TabularInline):
    model = Entry
    fields = ["account_name", "debit", "credit"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("分录")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account").order_by("-side", "account__code")

    @admin.display(description=_("账户"))
    def account_name(self, obj: Entry) -> str:
        return obj.account.name or obj.account.code

    @admin.display(description=_("借方"))
    def debit(self, obj: Entry) -> str:
        return money_text(obj.amount) if obj.side == Side.DEBIT else ""

    @admin.display(description=_("贷方"))
    def credit(self, obj: Entry) -> str:
        return money_text(obj.amount) if obj.side == Side.CREDIT else ""


@admin.register(Transaction)
class TransactionAdmin(ReadOnly, ModelAdmin):
    list_display = ["business_date", "kind_text", "description", "amount", "reference_text"]
    list_display_links = ["business_date", "kind_text"]
    list_filter = [("entries__account", RelatedDropdownFilter), ("business_date", RangeDateFilter)]
    list_filter_submit = True
    search_fields = ["description", "reference"]
    fields = [
        "business_date",
        "kind_text",
        "description",
        "reference_text",
        "amount",
        "reverses",
        "posted_at",
        "created_by",
    ]
    readonly_fields = fields
    inlines = [EntryInline]
    ordering = ["-business_date", "-posted_at"]

    def get_queryset(self, request):
        # a balanced transaction's amount is its debit total; a subquery, so an account filter's join cannot skew it
        debits = (
            Entry.objects.filter(transaction=OuterRef("pk"), side=Side.DEBIT)
            .order_by()
            .values("transaction")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return super().get_queryset(request).annotate(_amount=Subquery(debits))

    @admin.display(description=_("业务类型"), ordering="kind")
    def kind_text(self, obj: Transaction) -> str:
        return kind_label(obj.kind)

    @admin.display(description=_("关联单据"), ordering="reference")
    def reference_text(self, obj: Transaction) -> str:
        # a service's own record id (a compensation's UUID) is not for people: the description names the contract
        return "—" if UUID.fullmatch(obj.reference or "") or not obj.reference else obj.reference

    @admin.display(description=_("金额"), ordering="_amount")
    def amount(self, obj: Transaction):
        return format_html('<span class="rf-num">{}</span>', money_text(obj._amount))
