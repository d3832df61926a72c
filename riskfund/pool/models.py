"""The pool's state and the records behind its money movements (SPEC §4–§7).

``PoolState`` is ONE row (pk = 1) with the running figures of SPEC §4 — pool funds F, net compensation N,
pool balance B (invariant B = F − N), the outstanding principal of active loans — and the suspension flag
of art. 37. A posting that moves F, N or B and a registration's limit check lock it LAST, for the moment from that
statement to the commit (the global lock order is in riskfund/pool/posting.py: domain rows, ledger accounts in id
order, then this row). It also holds the last closed business date, set by the daily job when a run is done, so
that every service flags an event dated at or before it ``backdated`` (SPEC §12), from the figures its posting
returned or, when it took no pool lock, from an unlocked read (corrected after the lock when one is taken).

``Injection``, ``DepositTopUp``, ``DepositAdjustment`` and ``InterestCredit`` are the business records of the
postings (art. 8, 12, 13, 16); each points at its ledger transaction. Records are never edited or deleted: a
mistaken injection is reversed by a reversing transaction.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference
from riskfund.money import ZERO

MONEY = {"max_digits": 18, "decimal_places": 2}


class PoolState(models.Model):
    """The single row of running pool figures (SPEC §4) and the suspension flag (art. 37)."""

    id = models.PositiveSmallIntegerField(_("编号"), primary_key=True, default=1, editable=False)
    pool_funds = models.DecimalField(_("资金池资金"), default=ZERO, **MONEY)
    net_compensation = models.DecimalField(_("代偿净额累计"), default=ZERO, **MONEY)
    pool_balance = models.DecimalField(_("资金池余额"), default=ZERO, **MONEY)
    outstanding_principal = models.DecimalField(_("在贷余额"), default=ZERO, **MONEY)
    suspended = models.BooleanField(_("暂停新增业务"), default=False)
    last_closed_business_date = models.DateField(_("最近已日结日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("资金池状态")
        verbose_name_plural = _("资金池状态")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="pool_state_singleton")]

    def __str__(self) -> str:
        return str(_("资金池状态"))


class PoolStateChange(models.Model):
    """A crossing of the suspension threshold (art. 37): ``suspended`` is the new state."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(_("发生时间"), auto_now_add=True)
    business_date = models.DateField(_("业务日期"))
    suspended = models.BooleanField(_("暂停新增业务"))
    ratio = models.DecimalField(_("代偿比例"), max_digits=9, decimal_places=6)
    pool_funds = models.DecimalField(_("资金池资金"), **MONEY)
    net_compensation = models.DecimalField(_("代偿净额累计"), **MONEY)
    cause = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("资金池状态变更")
        verbose_name_plural = _("资金池状态变更")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        state = _("暂停") if self.suspended else _("恢复")
        return f"{self.business_date} {state} {self.ratio}"


class InjectionKind(models.TextChoices):
    INJECTION = "injection", _("注资")
    REPLENISHMENT = "replenishment", _("补充资金")


class Injection(models.Model):
    """Money paid in by a funder (art. 8) or a replenishment after losses (art. 13, 38)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    funder = models.ForeignKey(
        "parties.Funder", verbose_name=_("出资方"), on_delete=models.PROTECT, related_name="injections"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=InjectionKind.choices, default=InjectionKind.INJECTION)
    paid_on = models.DateField(_("到账日期"))
    amount = models.DecimalField(_("金额"), **MONEY)
    reference = models.CharField(_("凭证号"), max_length=100, blank=True)
    backdated = models.BooleanField(_("补录（早于已日结日期）"), default=False, db_default=False)
    transaction = models.OneToOneField(
        "ledger.Transaction", verbose_name=_("记账凭证"), on_delete=models.PROTECT, related_name="injection"
    )
    reversal = models.OneToOneField(
        "ledger.Transaction",
        verbose_name=_("冲正凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_injection",
    )
    reversed_on = models.DateField(_("冲正日期"), null=True, blank=True)
    reversal_reason = models.CharField(_("冲正原因"), max_length=300, blank=True)
    created_by = user_reference(_("经办人"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("注资")
        verbose_name_plural = _("注资")
        ordering = ["-paid_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pool_injection_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=InjectionKind.values), name="pool_injection_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.funder_id} {self.get_kind_display()} {self.amount}（{self.paid_on}）"


def approved_execution_fields(*, transaction_related_name: str, backdated_db_default: bool) -> tuple:
    """The fields of a deposit movement that is requested, approved by a second bureau user and then executed
    within N days of the approval (art. 16: a top-up, an adjustment): ``approved_by``, ``approved_on``, ``due_on``,
    ``executed_on``, ``executed_late``, ``executed_backdated``, ``transaction`` and ``created_at``, new for each model.

    Unpacked in the class body, they keep their place after the model's own fields (an abstract model's fields
    would come first, and the admin shows a record's fields in that order). ``backdated_db_default``: the top-up's
    column has a database default, the adjustment's has none (as their migrations made them).
    """
    return (
        user_reference(_("批准人")),
        models.DateField(_("批准日期"), null=True, blank=True),
        models.DateField(_("执行期限"), null=True, blank=True),
        models.DateField(_("执行日期"), null=True, blank=True),
        models.BooleanField(_("逾期执行"), default=False),
        models.BooleanField(
            _("执行补录（早于已日结日期）"), default=False, **({"db_default": False} if backdated_db_default else {})
        ),
        models.OneToOneField(
            "ledger.Transaction",
            verbose_name=_("记账凭证"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name=transaction_related_name,
        ),
        models.DateTimeField(_("录入时间"), auto_now_add=True),
    )


class TopUpStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    APPROVED = "approved", _("已批准")
    EXECUTED = "executed", _("已执行")


class DepositTopUp(models.Model):
    """A top-up of a bank's risk-compensation deposit (art. 16): requested, approved, executed in N days."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="topups"
    )
    requested_amount = models.DecimalField(_("申请金额"), **MONEY)
    reason = models.CharField(_("申请理由"), max_length=500, blank=True)
    requested_on = models.DateField(_("申请日期"))
    requested_by = user_reference(_("申请人"))
    requested_by_bank = models.BooleanField(_("银行申请"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=TopUpStatus.choices, default=TopUpStatus.REQUESTED)
    approved_amount = models.DecimalField(_("批准金额"), null=True, blank=True, **MONEY)
    approved_by, approved_on, due_on, executed_on, executed_late, executed_backdated, transaction, created_at = (
        approved_execution_fields(transaction_related_name="topup", backdated_db_default=True)
    )

    class Meta:
        verbose_name = _("抵押金补充")
        verbose_name_plural = _("抵押金补充")
        ordering = ["-requested_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank"],
                condition=Q(status__in=["requested", "approved"]),
                name="pool_one_open_topup_per_bank",
            ),
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="pool_topup_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=TopUpStatus.values), name="pool_topup_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.code} {self.requested_amount}（{self.get_status_display()}）"


class InterestCredit(models.Model):
    """Interest earned on the special account or on a bank deposit, rolled into the pool (art. 12)."""

    SPECIAL = "special"

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    credited_on = models.DateField(_("入账日期"))
    amount = models.DecimalField(_("金额"), **MONEY)
    account = models.CharField(_("计息账户"), max_length=32, help_text=_("“special”为资金池专户，否则为银行代码"))
    reference = models.CharField(_("凭证号"), max_length=100, blank=True)
    backdated = models.BooleanField(_("补录（早于已日结日期）"), default=False, db_default=False)
    transaction = models.OneToOneField(
        "ledger.Transaction", verbose_name=_("记账凭证"), on_delete=models.PROTECT, related_name="interest_credit"
    )
    created_by = user_reference(_("经办人"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("利息入账")
        verbose_name_plural = _("利息入账")
        ordering = ["-credited_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pool_interest_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}（{self.credited_on}）"


class AdjustmentDirection(models.TextChoices):
    INCREASE = "increase", _("增加")
    DECREASE = "decrease", _("减少")


class AdjustmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("已提出")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    EXECUTED = "executed", _("已执行")


class DepositAdjustment(models.Model):
    """The bureau's own adjustment of a bank's deposit, up or down (art. 16 "适时调整"): proposed by one bureau
    user, approved by another (riskfund.approvals), executed by the trustee within N days of approval."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    bank = models.ForeignKey(
        "parties.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="deposit_adjustments"
    )
    direction = models.CharField(_("调整方向"), max_length=10, choices=AdjustmentDirection.choices)
    amount = models.DecimalField(_("调整金额"), **MONEY)
    reason = models.CharField(_("调整理由"), max_length=500)
    proposed_on = models.DateField(_("提出日期"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PROPOSED
    )
    approved_by, approved_on, due_on, executed_on, executed_late, executed_backdated, transaction, created_at = (
        approved_execution_fields(transaction_related_name="deposit_adjustment", backdated_db_default=False)
    )

    class Meta:
        verbose_name = _("抵押金调整")
        verbose_name_plural = _("抵押金调整")
        ordering = ["-proposed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pool_adjustment_amount_positive"),
            models.CheckConstraint(
                condition=Q(direction__in=AdjustmentDirection.values), name="pool_adjustment_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AdjustmentStatus.values), name="pool_adjustment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank.code} {self.get_direction_display()} {self.amount}（{self.get_status_display()}）"
