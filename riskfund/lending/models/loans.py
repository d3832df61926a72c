"""Loans and what hangs on them (SPEC §9; art. 22, 27–31, 33, 35).

A ``Loan`` (art. 27) carries its ``ScheduleLine`` rows (one at maturity for a bullet loan), ``CounterGuarantee``
rows (art. 28), ``Repayment`` rows (art. 22 (四)) and post-loan ``LoanEvent`` rows (art. 29–31, 33, 35). Its
``outstanding_principal`` and the counters on ``PoolState``, ``Funder`` and ``Bank`` are kept by the services,
inside the transaction that holds the ``PoolState`` lock; no rule lives in ``save()``.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from riskfund.parties.models import Enterprise

from .pipeline import MONEY, Recommendation


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
