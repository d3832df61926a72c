"""Admin for bank API keys (issue: the key is shown once in a message; revoke) and for webhooks: endpoints
(register, rotate and replace secrets, shown once) and the delivery log.

Registering an endpoint and each secret change run the services of ``banks.webhooks``; the new secret is shown
once in a message and cannot be shown again (it is derived, not stored: rotate to get a new one). Outbox
events get their delivery attempts inline; events and attempts are read-only.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from riskfund.errors import RuleViolation
from riskfund.outbox.admin import OutboxEventAdmin
from riskfund.outbox.models import OutboxEvent
from riskfund.parties.admin import ServiceAdmin, copy_into

from .auth import bank_api_key_issue, bank_api_key_revoke
from .models import BankApiKey, WebhookDelivery, WebhookEndpoint
from .webhooks import (
    webhook_endpoint_deactivate,
    webhook_endpoint_register,
    webhook_secret_issue,
    webhook_secret_rotate,
    webhook_url_check,
)

ROTATION_OVERLAP = timedelta(hours=24)
# Secrets are shown in messages, which Django keeps in a signed cookie of about 2 KB and, past it, in the session
# table; 20 secret messages fit in the cookie, so no secret ever reaches the database (issue 12, finding 6).
MAX_SECRETS_SHOWN = 20


@admin.register(BankApiKey)
class BankApiKeyAdmin(ModelAdmin):
    """Issue a key (the plain key is shown once, in a message) and revoke keys; keys are never edited or deleted."""

    list_display = ["bank", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["bank", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "bank__code", "bank__name"]
    list_select_related = ["bank"]
    actions = ["revoke"]
    readonly_fields = ["bank", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]

    def get_fields(self, request, obj=None):
        return ["bank", "name", "expires_at"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        row, key = bank_api_key_issue(bank=obj.bank, name=obj.name, expires_at=obj.expires_at)
        copy_into(obj, row)
        self.message_user(request, format_html("{}：<code>{}</code>", obj.bank, key), messages.WARNING)
        self.message_user(request, _("接口密钥只显示这一次，请立即安全地交给银行。"), messages.WARNING)

    @admin.action(description=_("吊销所选接口密钥（立即失效）"), permissions=["change"])
    def revoke(self, request, queryset):
        for api_key in queryset.filter(revoked_at__isnull=True):
            bank_api_key_revoke(api_key=api_key)
        self.message_user(request, _("已吊销。"), messages.SUCCESS)


def _show_secret_once(modeladmin, request, endpoint: WebhookEndpoint, secret: str) -> None:
    modeladmin.message_user(
        request,
        format_html(
            "{}：{}（{} {}）<br><code>{}</code>",
            endpoint.bank,
            endpoint.url,
            _("签名密钥版本"),
            endpoint.secret_generation,
            secret,
        ),
        messages.WARNING,
    )
    modeladmin.message_user(request, _("签名密钥只显示这一次，请立即安全地交给银行。"), messages.WARNING)


class WebhookEndpointAddForm(forms.ModelForm):
    url = forms.URLField(label=_("回调地址"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["bank"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhook_url_check(url)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceAdmin):
    list_display = ["bank", "url", "active", "secret_generation", "previous_generation_valid_until", "created"]
    list_filter = ["active", "bank"]
    search_fields = ["url", "bank__code", "bank__name"]
    list_select_related = ["bank"]
    actions = ["rotate_secret", "replace_secret", "deactivate"]
    readonly_fields = ["bank", "url", "active", "secret_generation", "previous_generation_valid_until", "created"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = WebhookEndpointAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["bank", "url"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        endpoint, secret = webhook_endpoint_register(bank=obj.bank, url=form.cleaned_data["url"])
        copy_into(obj, endpoint)
        _show_secret_once(self, request, endpoint, secret)

    def _too_many_secrets(self, request, queryset) -> bool:
        if queryset.filter(active=True).count() <= MAX_SECRETS_SHOWN:
            return False
        self.message_user(
            request, _("一次最多更换%(count)d个回调地址的签名密钥。") % {"count": MAX_SECRETS_SHOWN}, messages.ERROR
        )
        return True

    @admin.action(description=_("轮换签名密钥（旧密钥继续签名24小时）"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        if self._too_many_secrets(request, queryset):
            return
        for endpoint in queryset.filter(active=True).select_related("bank"):
            secret = webhook_secret_rotate(endpoint=endpoint, overlap=ROTATION_OVERLAP)
            _show_secret_once(self, request, endpoint, secret)

    @admin.action(description=_("立即更换签名密钥（旧密钥立即失效）"), permissions=["change"])
    def replace_secret(self, request, queryset):
        if self._too_many_secrets(request, queryset):
            return
        for endpoint in queryset.filter(active=True).select_related("bank"):
            secret = webhook_secret_issue(endpoint=endpoint)
            _show_secret_once(self, request, endpoint, secret)

    @admin.action(description=_("停用所选回调地址"), permissions=["change"])
    def deactivate(self, request, queryset):
        for endpoint in queryset.filter(active=True):
            webhook_endpoint_deactivate(endpoint=endpoint)
        self.message_user(request, _("已停用。"), messages.SUCCESS)


class WebhookDeliveryInline(TabularInline):
    model = WebhookDelivery
    fields = ["attempt", "started_at", "endpoint", "success", "status_code", "duration_ms", "error"]
    readonly_fields = fields
    ordering = ["attempt"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OutboxEventWithDeliveriesAdmin(OutboxEventAdmin):
    """The core's read-only event admin, with each delivery attempt listed on the event."""

    inlines = [WebhookDeliveryInline]


if admin.site.is_registered(OutboxEvent):
    admin.site.unregister(OutboxEvent)
admin.site.register(OutboxEvent, OutboxEventWithDeliveriesAdmin)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ModelAdmin):
    list_display = ["started_at", "event", "endpoint", "attempt", "success", "status_code", "duration_ms", "error"]
    list_filter = ["success", "endpoint__bank"]
    search_fields = ["event__id", "endpoint__url", "endpoint__bank__code"]
    date_hierarchy = "started_at"
    list_select_related = ["event", "endpoint"]
    readonly_fields = [
        "event",
        "endpoint",
        "attempt",
        "started_at",
        "duration_ms",
        "status_code",
        "success",
        "error",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
