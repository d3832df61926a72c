"""The loan pipeline (SPEC §8; art. 24–27): an application, the bureau's recommendation, the due diligence.

``Application`` (district office) → ``Recommendation`` with a form number (bureau, art. 25) → ``DueDiligence``
opinions (the bank's AND the guarantor's gate the loan, art. 26) → a ``Loan`` (``loans.py``, art. 27). Every
status change of an application or a recommendation, and every opinion, is kept as a ``PipelineEvent``.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference
from riskfund.parties.models import Enterprise

MONEY = {"max_digits": 18, "decimal_places": 2}


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已申请")
    RECOMMENDED = "recommended", _("已推荐")
    WITHDRAWN = "withdrawn", _("已撤回")


class Application(models.Model):
    """A loan application recommended by the district office to the bureau (art. 24)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="applications"
    )
    amount = models.DecimalField(_("申请金额"), **MONEY)
    term_months = models.PositiveIntegerField(_("申请期限（月）"))
    purpose = models.TextField(_("贷款用途"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_on = models.DateField(_("申请日期"))
    submitted_by = user_reference(_("申请经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("贷款申请")
        verbose_name_plural = _("贷款申请")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="lending_application_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="lending_application_status"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.amount}"


class RecommendationStatus(models.TextChoices):
    ISSUED = "issued", _("已推荐")
    APPROVED = "approved", _("银行与担保机构尽调均同意")
    REJECTED = "rejected", _("尽调否决")
    USED = "used", _("已放款")


class Opinion(models.TextChoices):
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")


class FormNumberSequence(models.Model):
    """The last recommendation form number issued in a year; locked to hand out the next one (art. 25)."""

    year = models.PositiveIntegerField(_("年度"), primary_key=True)
    last = models.PositiveIntegerField(_("已用最大序号"), default=0)

    class Meta:
        verbose_name = _("推荐表编号序列")
        verbose_name_plural = _("推荐表编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Recommendation(models.Model):
    """The bureau's recommendation of an applicant to a bank and a guarantor, with its form (推荐表, art. 25).

    issued → approved once the bank's AND the guarantor's due diligence approve (art. 26), or rejected as soon as
    either rejects (closed: a later opinion is refused) → used (one loan registered). ``bank_opinion`` and
    ``guarantor_opinion`` hold each party's latest opinion.
    """

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, verbose_name=_("贷款申请"), on_delete=models.PROTECT, related_name="recommendations"
    )
    form_no = models.CharField(_("推荐表编号"), max_length=20, unique=True)
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="recommendations"
    )
    guarantor = models.ForeignKey(
        "parties.Guarantor", verbose_name=_("合作担保机构"), on_delete=models.PROTECT, related_name="recommendations"
    )
    amount = models.DecimalField(_("推荐金额"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.ISSUED
    )
    bank_opinion = models.CharField(_("银行尽调意见"), max_length=10, choices=Opinion.choices, blank=True)
    guarantor_opinion = models.CharField(_("担保机构尽调意见"), max_length=10, choices=Opinion.choices, blank=True)
    issued_on = models.DateField(_("推荐日期"))
    issued_by = user_reference(_("推荐经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推荐表")
        verbose_name_plural = _("推荐表")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="lending_recommendation_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=RecommendationStatus.values), name="lending_recommendation_status"
            ),
        ]

    def __str__(self) -> str:
        return self.form_no

    @property
    def enterprise(self) -> Enterprise:
        return self.application.enterprise


class DueDiligenceParty(models.TextChoices):
    BANK = "bank", _("合作银行")
    GUARANTOR = "guarantor", _("合作担保机构")


class DueDiligence(models.Model):
    """A due-diligence opinion reported to the bureau (art. 26); the bank's and the guarantor's both gate the loan."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("推荐表"), on_delete=models.PROTECT, related_name="due_diligences"
    )
    party = models.CharField(_("尽调机构"), max_length=10, choices=DueDiligenceParty.choices)
    opinion = models.CharField(_("审批意见"), max_length=10, choices=Opinion.choices)
    reported_on = models.DateField(_("报备日期"))
    notes = models.TextField(_("尽调情况"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("尽职调查意见")
        verbose_name_plural = _("尽职调查意见")
        ordering = ["-reported_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(party__in=DueDiligenceParty.values), name="lending_dd_party"),
            models.CheckConstraint(condition=Q(opinion__in=Opinion.values), name="lending_dd_opinion"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.form_no} {self.get_party_display()} {self.get_opinion_display()}"


class PipelineStep(models.TextChoices):
    APPLICATION = "application", _("申请")
    RECOMMENDATION = "recommendation", _("推荐")
    DUE_DILIGENCE = "due_diligence", _("尽职调查")
    LOAN = "loan", _("放款")


class PipelineEvent(models.Model):
    """The history of the pipeline's steps: one row per status change or opinion (SPEC §8)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, verbose_name=_("贷款申请"), on_delete=models.PROTECT, related_name="events"
    )
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("推荐表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    step = models.CharField(_("环节"), max_length=20, choices=PipelineStep.choices)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    on = models.DateField(_("业务日期"))
    note = models.TextField(_("说明"), blank=True)
    user = user_reference(_("经办人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.from_status or '-'} → {self.to_status}"
