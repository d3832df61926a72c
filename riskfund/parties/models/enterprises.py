"""Enterprises, the borrowers of the programme (art. 4, 5, 23), and the continuous-support extensions granted to them.

An enterprise is registered by its district office (its ``district`` is the ``Funder`` of that district) and keeps
the flag ``dishonest`` that the dishonest list (``dishonest.py``) sets and lifts (art. 36). Its applications and
loans are the lending app's.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference
from riskfund.policy.models import SizeClass
from riskfund.policy.uscc import validate_uscc

from .programme import MONEY


class Enterprise(models.Model):
    """A borrower (art. 4, 5): registered in Baotou (USCC chars 3–6), an SME by the 2011 national standard."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("企业名称"), max_length=200)
    district = models.ForeignKey(
        "parties.Funder",
        verbose_name=_("注册地区"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"tier": "district"},
    )
    industry = models.CharField(_("行业代码"), max_length=40)
    employees = models.PositiveIntegerField(_("从业人员（人）"))
    revenue = models.DecimalField(_("营业收入（元）"), **MONEY)
    total_assets = models.DecimalField(_("资产总额（元）"), **MONEY)
    established_on = models.DateField(_("成立日期"))
    size_class = models.CharField(_("企业规模"), max_length=10, choices=SizeClass.choices)
    dishonest = models.BooleanField(_("列入失信名单"), default=False)
    support_extension_until = models.DateField(_("延长连续支持至"), null=True, blank=True)
    support_extension_reason = models.CharField(_("延长连续支持理由"), max_length=500, blank=True)
    created_by = user_reference(_("录入人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(size_class__in=SizeClass.values), name="parties_enterprise_size_class"),
            models.CheckConstraint(condition=Q(revenue__gte=0, total_assets__gte=0), name="parties_enterprise_figures"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class SupportExtension(models.Model):
    """A continuous-support extension granted by the bureau (art. 23 "经合作各方研究同意，可适当延长")."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="support_extensions"
    )
    until = models.DateField(_("延长至"))
    reason = models.CharField(_("理由"), max_length=500)
    granted_by = user_reference(_("批准人"))
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("连续支持延期")
        verbose_name_plural = _("连续支持延期")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {self.until}"
