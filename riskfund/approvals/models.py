"""Maker-checker requests (审批分离, SPEC §2, §7, §10; issue 6).

An ``ApprovalRequest`` asks for one action on one subject — lift an enterprise's dishonest flag (art. 36), reverse
an injection (SPEC §4) — made by one user (the maker) and decided by another (the checker). The action runs only
when the checker approves, through the domain service, in the approval's database transaction.

``subject_key`` ("app_label.model:pk", e.g. ``parties.enterprise:3f…``) names the subject for every vendor and
every primary-key type; the content type and id are kept beside it for the admin's links. A partial unique index
allows ONE pending request per (kind, subject): a second one is refused with ``approval_already_pending`` (the
service checks first for a clear message, the index holds under concurrency). ``payload`` is the action's input
as JSON — strings, integers, booleans, no floats (dates as ``YYYY-MM-DD``, amounts as decimal strings).
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference


class ApprovalKind(models.TextChoices):
    DISHONEST_LIFT = "dishonest_lift", _("移出失信名单（第三十六条）")
    INJECTION_REVERSAL = "injection_reversal", _("注资冲正")
    DEPOSIT_ADJUSTMENT = "deposit_adjustment", _("调整风险补偿抵押金（第十六条）")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class ApprovalRequest(models.Model):
    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("事项类型"), max_length=40, choices=ApprovalKind.choices)
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(_("对象编号"), max_length=64)
    subject_key = models.CharField(_("对象"), max_length=160, db_index=True)
    subject_label = models.CharField(_("对象名称"), max_length=300, blank=True)
    payload = models.JSONField(_("申请内容"), default=dict, blank=True)
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING, db_index=True
    )
    checker = user_reference(_("复核人"))
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    decision_note = models.CharField(_("复核意见"), max_length=500, blank=True)
    result = models.JSONField(_("执行结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审批申请")
        verbose_name_plural = _("审批申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=Q(status="pending"),
                name="approvals_one_pending_per_subject",
            ),
            models.CheckConstraint(condition=Q(kind__in=ApprovalKind.values), name="approvals_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ApprovalStatus.values), name="approvals_status_valid"),
            models.CheckConstraint(
                condition=Q(status="pending", checker__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(checker__isnull=False, decided_at__isnull=False)),
                name="approvals_decided_has_checker",
            ),
            models.CheckConstraint(
                condition=Q(checker__isnull=True) | ~Q(checker=models.F("maker")),
                name="approvals_checker_is_not_maker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.subject_label or self.subject_key}（{self.get_status_display()}）"

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING
