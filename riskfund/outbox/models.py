"""The transactional outbox: events for a bank, written in the same database transaction as their cause.

An ``OutboxEvent`` is one notification to one bank (API.md "Webhooks to banks"). The service that causes it
(a suspension, a recommendation, the daily job's maturity reminders, …) calls ``outbox_emit`` inside its own
transaction, so the event exists if and only if the cause was committed. Delivery happens after commit, at
least once, by the ``banks`` app (signed HTTPS POST, retries with backoff, delivery log); this core app knows
only the bank and never imports ``banks``.

States
    ``pending``   waiting for its next attempt at ``next_attempt_at`` (set to ``created`` when written);
    ``delivered`` a 2xx answer was received (``delivered_at``);
    ``failed``    every attempt failed (``attempts`` reached the maximum) — visible in the admin;
    ``skipped``   the bank had no active webhook endpoint when the event came due: nothing to send.

``id`` is sent as the body's ``id``: it is unique per event, so a receiver drops the duplicates that
at-least-once delivery may produce. ``data`` is JSON-safe (amounts as decimal strings, dates ISO 8601).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    POOL_SUSPENDED = "pool.suspended", _("资金池暂停新增业务")
    POOL_RESUMED = "pool.resumed", _("资金池恢复新增业务")
    RECOMMENDATION_ISSUED = "recommendation.issued", _("已推荐企业")
    LOAN_MATURITY_REMINDER = "loan.maturity_reminder", _("贷款到期提醒")
    LOAN_COMPENSATION_DUE = "loan.compensation_due", _("贷款已可申请代偿")
    TOPUP_APPROVED = "topup.approved", _("追加风险补偿抵押金已批准")
    POLICY_EXPIRING = "policy.expiring", _("政策版本即将到期")
    DEPOSIT_ADJUSTMENT_APPROVED = "deposit.adjustment_approved", _("风险补偿抵押金调整已批准")


class EventState(models.TextChoices):
    PENDING = "pending", _("待投递")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("投递失败")
    SKIPPED = "skipped", _("无回调地址，未发送")


class OutboxEvent(models.Model):
    id = models.UUIDField(_("事件编号"), primary_key=True, default=uuid.uuid4, editable=False)
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="outbox_events"
    )
    type = models.CharField(_("事件类型"), max_length=40, choices=EventType.choices)
    created = models.DateTimeField(_("产生时间"), default=timezone.now, db_index=True)
    data = models.JSONField(_("事件内容"), default=dict)
    state = models.CharField(_("投递状态"), max_length=10, choices=EventState.choices, default=EventState.PENDING)
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("银行通知事件")
        verbose_name_plural = _("银行通知事件")
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="outbox_event_pending_due"),
            models.Index(fields=["bank", "-created"], name="outbox_event_bank_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=EventType.values), name="outbox_event_type_valid"),
            models.CheckConstraint(condition=Q(state__in=EventState.values), name="outbox_event_state_valid"),
            models.CheckConstraint(
                condition=Q(state="pending", next_attempt_at__isnull=False) | ~Q(state="pending"),
                name="outbox_event_pending_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=Q(state="delivered", delivered_at__isnull=False) | ~Q(state="delivered"),
                name="outbox_event_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} → {self.bank_id} ({self.id})"
