"""Admin (Chinese) for compensations, payables and recoveries. Financial records: read-only, never deleted;
they are written by the services (the banks' API). The only write here is the trustee's "settle" action on
payables, which calls ``payable_settle``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from riskfund.parties.admin import DateActionForm, ServiceAdmin, action_date

from .models import Compensation, Payable, Recovery
from .services import payable_settle


class ReadOnlyRecordAdmin(ServiceAdmin):
    """No add, change or delete: the services are the only writers (a mistake is fixed by a reversal)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # every field but the record's own UUID, which is not for people (issue 13)
        return [field.name for field in self.model._meta.fields if not field.primary_key]


class RecoveryInline(TabularInline):
    model = Recovery
    extra = 0
    can_delete = False
    fields = [
        "recovered_on",
        "gross",
        "net",
        "cumulative_net",
        "share_pool",
        "share_bank",
        "share_guarantor",
        "backdated",
    ]
    readonly_fields = fields
    verbose_name_plural = _("追偿记录")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Compensation)
class CompensationAdmin(ReadOnlyRecordAdmin):
    # the columns that fit 1366 px; the shares of the bank and the guarantor and the three splits are on the record
    list_display = ["deducted_on", "loan", "bank", "district", "loss", "share_pool", "to_payable", "notified_late"]
    list_filter = ["notified_late", "backdated", "bank", "district"]
    search_fields = ["loan__contract_no", "loan__enterprise__name", "loan__enterprise__uscc"]
    date_hierarchy = "deducted_on"
    list_select_related = ["bank", "loan__bank", "district"]
    inlines = [RecoveryInline]


@admin.register(Payable)
class PayableAdmin(ReadOnlyRecordAdmin):
    list_display = ["due_since", "bank", "amount", "compensation", "settled_on", "settled_backdated", "settled_by"]
    list_filter = [("settled_on", admin.EmptyFieldListFilter), "settled_backdated", "bank"]
    date_hierarchy = "due_since"
    list_select_related = ["bank", "compensation__loan__bank", "settled_by"]
    action_form = DateActionForm
    actions = ["settle_selected"]

    def has_change_permission(self, request, obj=None) -> bool:
        """The settle action needs change permission on the list (the trustee's, riskfund/access.py); a payable
        itself is never edited, so its own page is view-only."""
        if obj is not None:
            return False
        return super(ReadOnlyRecordAdmin, self).has_change_permission(request)

    @admin.action(description=_("支付所选应付代偿款（从资金池专户）"))
    def settle_selected(self, request, queryset):
        on = action_date(request)
        for payable in queryset.filter(settled_on__isnull=True).select_related("bank"):
            self.run_service(
                request,
                lambda p=payable: payable_settle(payable=p, settled_on=on, user=request.user),
                "{}：{}".format(payable, _("已支付")),
            )


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyRecordAdmin):
    list_display = ["recovered_on", "loan", "gross", "net", "share_pool", "share_bank", "share_guarantor"]
    list_filter = ["backdated", "loan__bank"]
    search_fields = ["loan__contract_no", "loan__enterprise__name"]
    date_hierarchy = "recovered_on"
    list_select_related = ["loan__bank", "compensation"]
