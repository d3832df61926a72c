"""The dishonest list (失信企业名单, art. 36): its history and the decisions that put a firm on it.

Art. 36 lists "未能按期还款、恶意逃避债务造成风险补偿资金损失的企业": a loss alone does not make a firm dishonest,
malicious evasion does, and that is a judgement. So a compensation makes a ``DishonestListing`` PROPOSAL
(``pending``); while one is pending the firm gets no new application, recommendation or loan
(``enterprise_under_review``). A bureau user decides it with a reason: ``listed`` (the firm is on the list,
``Enterprise.dishonest``) or ``dismissed`` (no malice: eligible again). Lifting a listing stays maker-checker
(riskfund.approvals); a lifted listing keeps its row with status ``lifted``.

``DishonestRecord`` is the list's own history: one row per listing on, or lifting from, the list.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference


class DishonestAction(models.TextChoices):
    LISTED = "listed", _("列入")
    LIFTED = "lifted", _("移出")


class DishonestCause(models.TextChoices):
    COMPENSATION = "compensation", _("代偿（未按期还款）")
    EVASION = "evasion", _("恶意逃避债务")
    OTHER = "other", _("其他")


class DishonestRecord(models.Model):
    """One listing on, or lifting from, the dishonest list (失信企业名单, art. 36)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        "parties.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="dishonest_records"
    )
    action = models.CharField(_("操作"), max_length=10, choices=DishonestAction.choices)
    on = models.DateField(_("日期"))
    cause = models.CharField(_("原因类别"), max_length=20, choices=DishonestCause.choices, blank=True)
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    user = user_reference(_("经办人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("失信名单记录")
        verbose_name_plural = _("失信名单记录")
        ordering = ["-on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=DishonestAction.values), name="parties_dishonest_action"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.get_action_display()} {self.on}"


class ListingStatus(models.TextChoices):
    PENDING = "pending", _("待认定")
    LISTED = "listed", _("已列入")
    DISMISSED = "dismissed", _("不予列入")
    LIFTED = "lifted", _("已移出")


class ListingDecision(models.TextChoices):
    LIST = "list", _("决定列入")
    DISMISS = "dismiss", _("不予列入")


class DishonestListing(models.Model):
    """A proposal to list a firm after a compensation, and the bureau's decision on it (art. 36)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        "parties.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="listings"
    )
    compensation = models.OneToOneField(
        "claims.Compensation",
        verbose_name=_("代偿"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listing",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.PENDING, db_index=True
    )
    proposed_on = models.DateField(_("提出日期"))
    decided_on = models.DateField(_("认定日期"), null=True, blank=True)
    decided_by = user_reference(_("认定人"))
    reason = models.CharField(_("认定理由"), max_length=500, blank=True)
    lifted_on = models.DateField(_("移出日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("失信名单认定")
        verbose_name_plural = _("失信名单认定")
        ordering = ["-proposed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="parties_listing_status"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_on__isnull=True)
                | (~Q(status="pending") & Q(decided_on__isnull=False)),
                name="parties_listing_decided_has_date",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "status"], name="parties_listing_ent_status")]

    def __str__(self) -> str:
        return f"{self.enterprise.name}（{self.get_status_display()}）"
