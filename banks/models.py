"""A bank's API keys (API.md "Authentication", banks/auth.py), its webhook endpoint and the log of every delivery
attempt (API.md "Webhooks to banks").

API keys are stored as SHA-256 hashes only; see ``BankApiKey``.

Webhooks:

Signing secrets are never stored. Each secret is derived when needed:

    secret(endpoint, generation) = hex HMAC-SHA256(settings.SECRET_KEY, "riskfund-webhook:<endpoint id>:<generation>")

so a leak of the database reveals no signing secret (and no hash an attacker could test guesses against):
only the row's ``secret_generation`` counter is kept. Rotating a secret increments the counter; the previous
generation keeps signing until ``previous_generation_valid_until`` (the rotation window), so a bank can
switch its receiver without losing events. Changing ``SECRET_KEY`` changes every webhook secret: banks must
then be given their new secrets (admin action "rotate").
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(_("回调地址"), max_length=500)
    active = models.BooleanField(_("启用"), default=True)
    secret_generation = models.PositiveIntegerField(_("密钥版本"), default=1)
    previous_generation_valid_until = models.DateTimeField(_("上一版本密钥有效期至"), null=True, blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回调地址")
        verbose_name_plural = _("回调地址")
        ordering = ["bank__code", "-created"]
        constraints = [
            models.UniqueConstraint(fields=["bank"], condition=Q(active=True), name="banks_one_active_webhook"),
            models.CheckConstraint(condition=Q(secret_generation__gte=1), name="banks_webhook_generation_positive"),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One attempt to deliver one outbox event to one endpoint."""

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(
        "outbox.OutboxEvent", verbose_name=_("事件"), on_delete=models.PROTECT, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("回调地址"), on_delete=models.PROTECT, related_name="deliveries"
    )
    attempt = models.PositiveIntegerField(_("第几次尝试"))
    started_at = models.DateTimeField(_("开始时间"))
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP状态码"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    success = models.BooleanField(_("成功"), default=False)

    class Meta:
        verbose_name = _("回调投递记录")
        verbose_name_plural = _("回调投递记录")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["event", "attempt"], name="banks_delivery_event_attempt")]

    def __str__(self) -> str:
        return f"{self.event_id} #{self.attempt}"


class BankApiKey(models.Model):
    """An API key of one bank: ``rf_<prefix>_<secret>`` (``banks.auth``). Only ``key_hash`` is stored.

    ``prefix`` (8 hex characters, public, unique) finds the row; ``key_hash`` is the hex SHA-256 of the whole key,
    compared in constant time. A fast unsalted hash is enough here because the secret is 256 random bits, not a
    password: no dictionary applies and 2^256 guesses are out of reach, so a slow, salted hash (PBKDF2, Argon2)
    would add nothing but latency to every request. The key works until ``expires_at`` (if set) and until it is
    revoked (``revoked_at``); ``last_used_at`` is refreshed at most once a minute.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("用途说明，如“核心系统”"))
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("密钥散列（SHA-256）"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["bank__code", "-created_at"]
        indexes = [models.Index(fields=["bank", "revoked_at"], name="banks_api_key_bank_revoked")]

    def __str__(self) -> str:
        return f"rf_{self.prefix}_…"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
