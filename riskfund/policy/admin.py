"""Admin for policy and reference data. Thin: forms validate through the services, writes go through them.

A policy version is proposed and revised by one bureau user and approved by another (SPEC §2, maker-checker);
once approved it is read-only and cannot be deleted.
"""

from urllib.parse import urlencode

import chinese_calendar
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from riskfund.errors import RuleViolation

from .models import IndustryStandard, LprRate, PolicyVersion, WorkingDayOverride
from .services import (
    EDITABLE_FIELDS,
    PARAMETER_FIELDS,
    policy_version_approve,
    policy_version_problems,
    policy_version_propose,
    policy_version_revise,
)


def _as_initial(value) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = sorted(EDITABLE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        # the rules of SPEC §2 (overlap, monotone weights, threshold…), shown on their fields
        candidate = construct_instance(self, PolicyVersion(pk=self.instance.pk))
        for problem in policy_version_problems(candidate):
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, ValidationError(problem.message, code=problem.code))
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ModelAdmin):
    form = PolicyVersionForm
    list_display = [
        "code",
        "title",
        "document_no",
        "effective_from",
        "effective_to",
        "approval_state",
        "created_by",
        "approved_by",
    ]
    search_fields = ["code", "title", "document_no"]
    readonly_fields = ["created_by", "approved_by", "approved_at"]
    actions = ["approve_selected", "renew_selected"]
    fieldsets = [
        (_("文件"), {"fields": ["code", "title", "document_no", "effective_from", "effective_to"]}),
        (_("资金池规模（第九、十三条）"), {"fields": ["pool_leverage", "district_scale_cap"]}),
        (
            _("风险分担（第二十条）"),
            {
                "fields": [
                    ("loss_weight_pool", "loss_weight_bank", "loss_weight_guarantor"),
                    ("split_weight_region", "split_weight_city", "split_weight_district"),
                ]
            },
        ),
        (_("代偿与暂停（第三十二、三十七条）"), {"fields": ["compensation_trigger_days", "suspension_threshold"]}),
        (
            _("注资（第八条）"),
            {"fields": ["district_min_injection", "district_reduced_min_injection", "injection_window_years"]},
        ),
        (
            _("风险补偿抵押金（第十六、十八条）"),
            {
                "fields": [
                    "initial_deposit",
                    "deposit_topup_multiple",
                    "topup_execution_days",
                    "deposit_return_working_days",
                ]
            },
        ),
        (
            _("贷款（第二十二、二十三条）"),
            {
                "fields": [
                    "enterprise_max_outstanding",
                    "loan_term_months",
                    "loan_term_extended_months",
                    "continuous_support_years",
                    "continuous_support_gap_days",
                ]
            },
        ),
        (
            _("通知与登记（第四、五、二十七、三十一条）"),
            {"fields": ["maturity_reminder_days", "notice_working_days", "registration_prefix"]},
        ),
        (
            _("反担保、催收与到期预警（第二十八、三十一、四十条）"),
            {"fields": ["counter_guarantee_required", "collection_attempts_required", "expiry_warning_days"]},
        ),
        (_("审批"), {"fields": ["created_by", "approved_by", "approved_at"]}),
    ]

    @admin.display(description=_("审批状态"), boolean=True)
    def approval_state(self, obj: PolicyVersion) -> bool:
        return obj.is_approved

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return [f.name for f in PolicyVersion._meta.concrete_fields if f.name != "id"]
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return False  # an approved version never changes (SPEC §2): view only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return False
        return super().has_delete_permission(request, obj)

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("policy.approve_policyversion")

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data if name in EDITABLE_FIELDS}
        if change:
            saved = policy_version_revise(version=obj, user=request.user, **fields)
        else:
            saved = policy_version_propose(user=request.user, **fields)
        obj.pk = saved.pk
        obj.created_by = saved.created_by

    @admin.action(description=_("基于所选版本提出续期版本（第四十条：复制全部参数）"), permissions=["add"])
    def renew_selected(self, request, queryset):
        """Art. 40 renewal in the admin: the add form, filled with every parameter of the one selected version (the
        same as ``based_on`` in the API); the bureau user changes what the new text changes and saves a proposal."""
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个政策版本作为续期的基础"), messages.WARNING)
            return None
        source = queryset.get()
        # a checkbox reads any non-empty text as ticked: False travels as ""
        initial = {name: _as_initial(getattr(source, name)) for name in sorted(PARAMETER_FIELDS)}
        initial["title"] = source.title
        url = reverse("admin:policy_policyversion_add") + "?" + urlencode(initial)
        return HttpResponseRedirect(url)

    @admin.action(description=_("批准所选政策版本"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        for version in queryset.order_by("effective_from"):
            try:
                policy_version_approve(version=version, user=request.user)
            except RuleViolation as exc:
                self.message_user(request, f"{version.code}：{exc.message}（{exc.clause}）", messages.ERROR)
            else:
                self.message_user(request, _("政策版本 %(code)s 已批准") % {"code": version.code}, messages.SUCCESS)


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(ModelAdmin):
    list_display = ["day", "is_working_day", "note", "calendar_without_override"]
    list_filter = ["is_working_day"]
    search_fields = ["note"]
    date_hierarchy = "day"

    @admin.display(description=_("无调整时的依据"))
    def calendar_without_override(self, obj: WorkingDayOverride) -> str:
        """What the official calendar says of the day, so an admin sees what the override changes."""
        try:
            official = chinese_calendar.is_workday(obj.day)
        except NotImplementedError:
            return str(_("官方日历未覆盖该年份（按周一至周五）"))
        return str(_("官方日历：工作日") if official else _("官方日历：休息日"))


@admin.register(LprRate)
class LprRateAdmin(ModelAdmin):
    list_display = ["effective_on", "rate_percent"]
    date_hierarchy = "effective_on"


@admin.register(IndustryStandard)
class IndustryStandardAdmin(ModelAdmin):
    list_display = ["code", "name_zh", "measure_1", "sme_below_1", "measure_2", "sme_below_2"]
    search_fields = ["code", "name_zh", "name_en"]
    fieldsets = [
        (None, {"fields": ["code", "name_zh", "name_en"]}),
        (_("指标一"), {"fields": ["measure_1", ("sme_below_1", "medium_from_1", "small_from_1")]}),
        (_("指标二"), {"fields": ["measure_2", ("sme_below_2", "medium_from_2", "small_from_2")]}),
    ]
