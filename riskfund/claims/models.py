"""Compensation (代偿, art. 20, 32, 36), the payables it leaves, and recovery (追偿, art. 33, 34) — SPEC §10, §11.

``Compensation``
    One per loan (art. 32). ``loss`` is all the loan's outstanding principal on ``deducted_on`` (SPEC §10),
    split pool : bank : guarantor by the loan's policy version (40:20:40, art. 20), the pool share split
    region : city : district (30:30:40) with the loan's frozen district. The pool share is posted
    loss:region, loss:city, loss:<district> ← deposit:<bank> up to its balance, payable:<bank> for the rest
    (SPEC §4); ``from_deposit`` + ``to_payable`` = ``share_pool``.

``Payable``
    The part of a compensation's pool share the bank's deposit did not cover (art. 32: the bank deducts only
    what is deposited with it). Due until the trustee settles it: payable:<bank> ← pool:special.

``Recovery``
    Money (or the appraised value of assets) recovered on a compensated loan, less itemised costs (art. 34).
    Shares are allocated cumulatively (SPEC §11): the k-th recovery's shares are allocate(Σ net after it) −
    allocate(Σ net before it), at both levels, so rounding never drifts; the pool share is posted
    deposit:<bank> (pool:special once the deposit was returned) ← loss:region, loss:city, loss:<district>.

All three are financial records: written only by the services in ``services.py``, never edited or deleted.
"""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference

MONEY = {"max_digits": 18, "decimal_places": 2}
HALF_FEN = Value(Decimal("0.005"))


def sums_to(total: str, *parts: str) -> Q:
    """``total`` = Σ ``parts`` to the fen. Written as |total − Σ parts| < 0.005 because SQLite evaluates a CHECK on
    decimal columns in binary floating point (92000.01 + 46000.01 + 92000.01 ≠ 230000.03 there); on PostgreSQL
    ``numeric`` is exact and this is plain equality of two-place amounts."""
    difference = F(total)
    for part in parts:
        difference = difference - F(part)
    return Q(LessThan(Abs(difference), HALF_FEN))


class Compensation(models.Model):
    """A compensation deducted by the bank from the pool's deposit (代偿, art. 32), split by art. 20."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    loan = models.OneToOneField(
        "lending.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="compensation"
    )
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="compensations"
    )
    district = models.ForeignKey(
        "parties.Funder", verbose_name=_("分担地区"), on_delete=models.PROTECT, related_name="compensations"
    )
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", verbose_name=_("适用政策版本"), on_delete=models.PROTECT, related_name="+"
    )
    deducted_on = models.DateField(_("扣划日期"))
    overdue_days = models.PositiveIntegerField(_("扣划日逾期天数"))
    loss = models.DecimalField(_("代偿损失（未偿本金）"), **MONEY)
    share_pool = models.DecimalField(_("资金池分担"), **MONEY)
    share_bank = models.DecimalField(_("合作银行分担"), **MONEY)
    share_guarantor = models.DecimalField(_("担保机构分担"), **MONEY)
    split_region = models.DecimalField(_("自治区分担"), **MONEY)
    split_city = models.DecimalField(_("市本级分担"), **MONEY)
    split_district = models.DecimalField(_("地区分担"), **MONEY)
    from_deposit = models.DecimalField(_("从抵押金扣划"), **MONEY)
    to_payable = models.DecimalField(_("抵押金不足部分（应付银行）"), **MONEY)
    notice_deadline = models.DateField(_("书面告知期限"))
    notified_late = models.BooleanField(_("逾期告知"), default=False)
    backdated = models.BooleanField(_("补录（早于已日结日期）"), default=False, db_default=False)
    transaction = models.OneToOneField(
        "ledger.Transaction",
        verbose_name=_("记账凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensation",
    )
    created_by = user_reference(_("经办人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("代偿")
        verbose_name_plural = _("代偿")
        ordering = ["-deducted_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(loss__gt=0), name="claims_compensation_loss_positive"),
            models.CheckConstraint(
                condition=Q(share_pool__gte=0, share_bank__gte=0, share_guarantor__gte=0)
                & sums_to("loss", "share_pool", "share_bank", "share_guarantor"),
                name="claims_compensation_shares_sum_to_loss",
            ),
            models.CheckConstraint(
                condition=Q(split_region__gte=0, split_city__gte=0, split_district__gte=0)
                & sums_to("share_pool", "split_region", "split_city", "split_district"),
                name="claims_compensation_split_sums_to_pool_share",
            ),
            models.CheckConstraint(
                condition=Q(from_deposit__gte=0, to_payable__gte=0)
                & sums_to("share_pool", "from_deposit", "to_payable"),
                name="claims_compensation_funding_sums_to_pool_share",
            ),
        ]
        indexes = [models.Index(fields=["bank", "deducted_on"], name="claims_comp_bank_date")]

    def __str__(self) -> str:
        return f"{self.loan} {self.deducted_on} {self.loss}"

    @property
    def shares(self) -> dict:
        return {"pool": self.share_pool, "bank": self.share_bank, "guarantor": self.share_guarantor}

    @property
    def pool_split(self) -> dict:
        return {"region": self.split_region, "city": self.split_city, "district": self.split_district}


class Payable(models.Model):
    """The pool share of a compensation not covered by the bank's deposit, owed to the bank (SPEC §4, art. 32)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    compensation = models.OneToOneField(
        Compensation, verbose_name=_("代偿"), on_delete=models.PROTECT, related_name="payable"
    )
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="payables"
    )
    amount = models.DecimalField(_("应付金额"), **MONEY)
    due_since = models.DateField(_("应付日期"))
    settled_on = models.DateField(_("支付日期"), null=True, blank=True)
    settled_backdated = models.BooleanField(_("支付补录（早于已日结日期）"), default=False, db_default=False)
    settled_by = user_reference(_("支付经办人"))
    transaction = models.OneToOneField(
        "ledger.Transaction",
        verbose_name=_("支付凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payable_settlement",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("应付代偿款")
        verbose_name_plural = _("应付代偿款")
        ordering = ["due_since", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claims_payable_amount_positive"),
            models.CheckConstraint(
                condition=Q(settled_on__isnull=True, transaction__isnull=True)
                | Q(settled_on__isnull=False, transaction__isnull=False),
                name="claims_payable_settled_has_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank.code} {self.amount}（{self.due_since}）"

    @property
    def is_settled(self) -> bool:
        return self.settled_on is not None


class Recovery(models.Model):
    """Money (assets) recovered on a compensated loan less itemised costs (art. 33, 34), split back cumulatively."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    loan = models.ForeignKey(
        "lending.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="recoveries"
    )
    compensation = models.ForeignKey(
        Compensation, verbose_name=_("代偿"), on_delete=models.PROTECT, related_name="recoveries"
    )
    recovered_on = models.DateField(_("追回日期"))
    gross = models.DecimalField(_("追回资金（资产）"), **MONEY)
    cost_litigation = models.DecimalField(_("诉讼费"), default=0, **MONEY)
    cost_enforcement = models.DecimalField(_("执行费"), default=0, **MONEY)
    cost_appraisal = models.DecimalField(_("评估费"), default=0, **MONEY)
    cost_commission = models.DecimalField(_("委托费"), default=0, **MONEY)
    cost_other = models.DecimalField(_("其他费用"), default=0, **MONEY)
    net = models.DecimalField(_("净额"), **MONEY)
    cumulative_net = models.DecimalField(_("累计净额（含本笔）"), **MONEY)
    share_pool = models.DecimalField(_("资金池分配"), **MONEY)
    share_bank = models.DecimalField(_("合作银行分配"), **MONEY)
    share_guarantor = models.DecimalField(_("担保机构分配"), **MONEY)
    split_region = models.DecimalField(_("自治区分配"), **MONEY)
    split_city = models.DecimalField(_("市本级分配"), **MONEY)
    split_district = models.DecimalField(_("地区分配"), **MONEY)
    backdated = models.BooleanField(_("补录（早于已日结日期）"), default=False, db_default=False)
    transaction = models.OneToOneField(
        "ledger.Transaction",
        verbose_name=_("记账凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recovery",
    )
    created_by = user_reference(_("经办人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追偿")
        verbose_name_plural = _("追偿")
        ordering = ["recovered_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    gross__gte=0,
                    cost_litigation__gte=0,
                    cost_enforcement__gte=0,
                    cost_appraisal__gte=0,
                    cost_commission__gte=0,
                    cost_other__gte=0,
                    net__gte=0,
                )
                & sums_to(
                    "gross",
                    "net",
                    "cost_litigation",
                    "cost_enforcement",
                    "cost_appraisal",
                    "cost_commission",
                    "cost_other",
                ),
                name="claims_recovery_net_is_gross_less_costs",
            ),
            models.CheckConstraint(
                condition=Q(share_pool__gte=0, share_bank__gte=0, share_guarantor__gte=0)
                & sums_to("net", "share_pool", "share_bank", "share_guarantor"),
                name="claims_recovery_shares_sum_to_net",
            ),
            models.CheckConstraint(
                condition=Q(split_region__gte=0, split_city__gte=0, split_district__gte=0)
                & sums_to("share_pool", "split_region", "split_city", "split_district"),
                name="claims_recovery_split_sums_to_pool_share",
            ),
        ]
        indexes = [models.Index(fields=["loan", "recovered_on"], name="claims_recovery_loan_date")]

    def __str__(self) -> str:
        return f"{self.loan} {self.recovered_on} {self.net}"

    @property
    def costs(self) -> dict:
        return {
            "litigation": self.cost_litigation,
            "enforcement": self.cost_enforcement,
            "appraisal": self.cost_appraisal,
            "commission": self.cost_commission,
            "other": self.cost_other,
        }

    @property
    def costs_total(self):
        return sum(self.costs.values())

    @property
    def shares(self) -> dict:
        return {"pool": self.share_pool, "bank": self.share_bank, "guarantor": self.share_guarantor}

    @property
    def pool_split(self) -> dict:
        return {"region": self.split_region, "city": self.split_city, "district": self.split_district}
