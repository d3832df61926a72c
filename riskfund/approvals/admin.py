"""Admin (Chinese) for maker-checker requests: the list of requests with "approve" and "reject" actions for the
bureau, and the helpers the enterprise and injection admins use to make a request ("申请移出失信名单",
"申请冲正").

The bureau decides (``ACTION_ROLES`` in riskfund/access.py limits the actions to it); the trustee and
the auditor see the list. A request is never edited or deleted here: it moves on only by a decision.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.forms import ActionForm

from riskfund.errors import RuleViolation
from riskfund.parties.admin import DateActionForm, action_date, rule_message

from .models import ApprovalRequest, ApprovalStatus
from .services import approval_approve, approval_reject, approval_request


class ReasonActionForm(DateActionForm):
    """The action bar of a changelist whose action makes a request: the business date and the reason."""

    reason = forms.CharField(label=_("理由（必填）"), required=False, max_length=500)


def request_for_each(model_admin, request, queryset, *, kind: str) -> None:
    """Make one ``kind`` request per selected object with the action bar's date and reason."""
    on = action_date(request)
    reason = request.POST.get("reason", "").strip()
    for subject in queryset:
        try:
            payload = {"on": on.isoformat(), "reason": reason}
            approval_request(kind=kind, subject=subject, payload=payload, maker=request.user)
        except RuleViolation as exc:
            model_admin.message_user(request, f"{subject}：{rule_message(exc)}", messages.ERROR)
        else:
            model_admin.message_user(
                request, "{}：{}".format(subject, _("已提交申请，待另一名市工信局人员复核")), messages.SUCCESS
            )


class DecisionActionForm(ActionForm):
    note = forms.CharField(label=_("复核意见"), required=False, max_length=500)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "subject_link",
        "payload_summary",
        "maker",
        "status",
        "checker",
        "decided_at",
        "decision_note",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["subject_label", "subject_key", "maker__username", "checker__username"]
    date_hierarchy = "created_at"
    list_select_related = ["maker", "checker"]
    # for people: the subject by its link and the payload as words; no record id or raw JSON (issue 13)
    readonly_fields = [
        "kind",
        "subject_link",
        "payload_summary",
        "maker",
        "created_at",
        "status",
        "checker",
        "decided_at",
        "decision_note",
        "result",
    ]
    fields = readonly_fields
    action_form = DecisionActionForm
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Nothing on a request is edited by hand: it moves on only by the approve / reject actions."""

    @admin.display(description=_("对象"))
    def subject_link(self, obj: ApprovalRequest):
        try:
            url = reverse(f"admin:{obj.subject_type.app_label}_{obj.subject_type.model}_change", args=[obj.subject_id])
        except NoReverseMatch:
            return obj.subject_label or obj.subject_key
        return format_html('<a href="{}">{}</a>', url, obj.subject_label or obj.subject_key)

    @admin.display(description=_("申请内容"))
    def payload_summary(self, obj: ApprovalRequest) -> str:
        payload = obj.payload or {}
        return "；".join(f"{key}: {value}" for key, value in payload.items())

    def _decide(self, request, queryset, service, done: str) -> None:
        note = request.POST.get("note", "")
        for approval in queryset.filter(status=ApprovalStatus.PENDING):
            try:
                service(request=approval, checker=request.user, note=note)
            except RuleViolation as exc:
                self.message_user(request, f"{approval}：{rule_message(exc)}", messages.ERROR)
            else:
                self.message_user(request, f"{approval.subject_label}：{done}", messages.SUCCESS)

    @admin.action(description=_("批准并执行所选申请（须由申请人以外的市工信局人员复核）"))
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, approval_approve, str(_("已批准并执行")))

    @admin.action(description=_("驳回所选申请"))
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, approval_reject, str(_("已驳回")))
