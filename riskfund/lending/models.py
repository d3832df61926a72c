"""Enterprises and the loan pipeline (SPEC §8, §9; art. 4, 5, 22–31, 36).

``Enterprise`` (with its ``SupportExtension`` grants, and the dishonest list of ``dishonest.py``) lives here rather
than in ``parties`` so that two helpers never edited one app at once; ARCHITECTURE.md places it in parties.

Pipeline (art. 24–27): ``Application`` (district office) → ``Recommendation`` with a form number (bureau, art. 25)
→ ``DueDiligence`` opinions (the bank's AND the guarantor's gate the loan, art. 26) → ``Loan`` (art. 27). Every
status change of an application or a recommendation, and every opinion, is kept as a ``PipelineEvent``.

A ``Loan`` carries its ``ScheduleLine`` rows (one at maturity for a bullet loan), ``CounterGuarantee`` rows
(art. 28), ``Repayment`` rows (art. 22 (四)) and post-loan ``LoanEvent`` rows (art. 29–31, 33, 35). Its
``outstanding_principal`` and the counters on ``PoolState``, ``Funder`` and ``Bank`` are kept by the services,
inside the transaction that holds the ``PoolState`` lock; no rule lives in ``save()``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from riskfund.policy.models import SizeClass
from riskfund.policy.uscc import validate_uscc

from .dishonest import (  # noqa: F401 — the lending app's models that live in their own module
    DishonestAction,
    DishonestCause,
    DishonestListing,
    DishonestRecord,
    ListingDecision,
    ListingStatus,
)

MONEY = {"max_digits": 18, "decimal_places": 2}


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(size_class__in=SizeClass.values), name="lending_enterprise_size_class"),
            models.CheckConstraint(condition=Q(revenue__gte=0, total_assets__gte=0), name="lending_enterprise_figures"),
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
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("连续支持延期")
        verbose_name_plural = _("连续支持延期")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {self.until}"


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
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推荐经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.from_status or '-'} → {self.to_status}"


class RepaymentMethod(models.TextChoices):
    BULLET = "bullet", _("到期一次性还款")
    INSTALMENTS = "instalments", _("分期还款")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("在贷")
    REPAID = "repaid", _("已结清")
    COMPENSATED = "compensated", _("已代偿")


class Loan(models.Model):
    """A pool loan registered by the bank after disbursement (art. 27).

    ``district`` and ``policy_version`` are frozen at registration: the enterprise's district then, and the
    version in force on ``disbursed_on`` (SPEC §2, §3). Only an active loan counts in an outstanding figure.
    """

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    recommendation = models.OneToOneField(
        Recommendation, verbose_name=_("推荐表"), on_delete=models.PROTECT, related_name="loan"
    )
    bank = models.ForeignKey("parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="loans")
    guarantor = models.ForeignKey(
        "parties.Guarantor", verbose_name=_("合作担保机构"), on_delete=models.PROTECT, related_name="loans"
    )
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="loans")
    district = models.ForeignKey(
        "parties.Funder", verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="loans"
    )
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", verbose_name=_("适用政策版本"), on_delete=models.PROTECT, related_name="loans"
    )
    contract_no = models.CharField(_("借款合同编号"), max_length=64)
    principal = models.DecimalField(_("贷款本金"), **MONEY)
    disbursed_on = models.DateField(_("放款日期"))
    maturity_on = models.DateField(_("到期日期"))
    annual_rate = models.DecimalField(_("年利率（%）"), max_digits=7, decimal_places=4)
    lpr_rate = models.DecimalField(_("放款日一年期LPR（%）"), max_digits=6, decimal_places=4, null=True, blank=True)
    repayment_method = models.CharField(_("还款方式"), max_length=12, choices=RepaymentMethod.choices)
    extended_term = models.BooleanField(_("放宽贷款期限"), default=False)
    extended_reason = models.CharField(_("放宽期限理由"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    outstanding_principal = models.DecimalField(_("本金余额"), **MONEY)
    closed_on = models.DateField(_("结清/代偿日期"), null=True, blank=True)
    notice_deadline = models.DateField(_("书面通知期限"))
    notified_late = models.BooleanField(_("逾期通知"), default=False)
    backdated = models.BooleanField(_("补录（早于已日结日期）"), default=False, db_default=False)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("助保金贷款")
        verbose_name_plural = _("助保金贷款")
        ordering = ["-disbursed_on", "-registered_at"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "contract_no"], name="lending_loan_contract_no_unique_per_bank"),
            models.CheckConstraint(condition=Q(principal__gt=0), name="lending_loan_principal_positive"),
            models.CheckConstraint(
                condition=Q(outstanding_principal__gte=0, outstanding_principal__lte=F("principal")),
                name="lending_loan_outstanding_within_principal",
            ),
            models.CheckConstraint(condition=Q(maturity_on__gt=F("disbursed_on")), name="lending_loan_dates_ordered"),
            models.CheckConstraint(condition=Q(status__in=LoanStatus.values), name="lending_loan_status"),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True)
                | (~Q(status="active") & Q(closed_on__isnull=False)),
                name="lending_loan_closed_on_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status"], name="lending_loan_ent_status"),
            models.Index(fields=["bank", "status"], name="lending_loan_bank_status"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.code} {self.contract_no}"

    @property
    def is_active(self) -> bool:
        return self.status == LoanStatus.ACTIVE


class ScheduleLine(models.Model):
    """One principal instalment (SPEC §9); ``paid_principal`` is what repayments have applied to it so far."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="schedule")
    due_on = models.DateField(_("应还日期"))
    principal = models.DecimalField(_("应还本金"), **MONEY)
    paid_principal = models.DecimalField(_("已还本金"), default=0, **MONEY)

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["loan", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "due_on"], name="lending_schedule_due_unique"),
            models.CheckConstraint(condition=Q(principal__gt=0), name="lending_schedule_principal_positive"),
            models.CheckConstraint(
                condition=Q(paid_principal__gte=0, paid_principal__lte=F("principal")),
                name="lending_schedule_paid_within_principal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.principal}"


class CounterGuaranteeKind(models.TextChoices):
    MOVABLE = "movable", _("动产抵（质）押")
    REAL_ESTATE = "real_estate", _("不动产抵押")
    RIGHT_PLEDGE = "right_pledge", _("权利质押")
    GUARANTEE = "guarantee", _("保证担保")
    RECEIVABLES = "receivables", _("应收账款")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("知识产权")
    OTHER = "other", _("其他")


class CounterGuarantee(models.Model):
    """A counter-guarantee the enterprise gave the guarantor (art. 28)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="counter_guarantees")
    kind = models.CharField(_("反担保方式"), max_length=24, choices=CounterGuaranteeKind.choices)
    description = models.CharField(_("描述"), max_length=500, blank=True)
    value = models.DecimalField(_("价值"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("反担保措施")
        verbose_name_plural = _("反担保措施")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CounterGuaranteeKind.values), name="lending_cg_kind"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="lending_cg_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value or ''}".strip()


class Repayment(models.Model):
    """A repayment of principal and/or interest (art. 22 (四)); the principal is applied to the schedule."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("还款日期"))
    principal = models.DecimalField(_("归还本金"), **MONEY)
    interest = models.DecimalField(_("归还利息"), **MONEY)
    backdated = models.BooleanField(_("补录（早于已日结日期）"), default=False, db_default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("还款记录")
        verbose_name_plural = _("还款记录")
        ordering = ["paid_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gte=0, interest__gte=0) & (Q(principal__gt=0) | Q(interest__gt=0)),
                name="lending_repayment_amounts",
            ),
        ]
        indexes = [models.Index(fields=["loan", "paid_on"], name="lending_repayment_loan_date")]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.principal} + {self.interest}"


class LoanEventKind(models.TextChoices):
    VISIT = "visit", _("贷后走访")
    RISK_WARNING = "risk_warning", _("风险预警")
    REMINDER = "reminder", _("临期提醒")
    COLLECTION_CALL = "collection_call", _("电话催收")
    ONSITE_COLLECTION = "onsite_collection", _("实地催收")
    LITIGATION_FILED = "litigation_filed", _("提起诉讼")
    JUDGMENT = "judgment", _("判决")
    ENFORCEMENT = "enforcement", _("强制执行")
    RECOVERY_REPORT = "recovery_report", _("追偿情况报告")


class LoanEvent(models.Model):
    """A dated post-loan event reported by the bank (art. 29–31, 33, 35)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=LoanEventKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    notes = models.TextField(_("情况说明"), blank=True)
    backdated = models.BooleanField(_("补录（早于已日结日期）"), default=False, db_default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("贷后事项")
        verbose_name_plural = _("贷后事项")
        ordering = ["occurred_on", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LoanEventKind.values), name="lending_loan_event_kind"),
        ]
        indexes = [models.Index(fields=["loan", "kind", "occurred_on"], name="lending_event_loan_kind")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"
