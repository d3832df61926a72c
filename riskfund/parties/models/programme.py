"""The parties of the programme (SPEC §1): funders, banks, guarantors, cooperation agreements, staff scope.

Funders (art. 3, 8) pay money into the pool: the region (自治区), the city (市本级) and each district, whose
code is its administrative division code. Each funder has a ``funder:<code>`` account (money paid in) and a
``loss:<code>`` account (its share of pool losses). Banks (art. 14–19) hold a risk-compensation deposit
``deposit:<code>`` and may be owed ``payable:<code>``. The counters on ``Funder`` and ``Bank`` are kept by
the services that move them (lending, injections), inside the transaction that holds the ``PoolState`` lock,
so that limits are read in O(1); no rule lives in ``save()``.
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskfund.access import CAPABILITIES
from riskfund.ledger.chart import deposit_account, funder_account, loss_account, payable_account
from riskfund.modelfields import user_reference

MONEY = {"max_digits": 18, "decimal_places": 2}


class FunderTier(models.TextChoices):
    REGION = "region", _("自治区")
    CITY = "city", _("市本级")
    DISTRICT = "district", _("地区")


class Funder(models.Model):
    """A funder of the pool (art. 8); its natural key is ``code``: ``region``, ``city`` or a division code."""

    code = models.CharField(_("代码"), max_length=16, primary_key=True)
    tier = models.CharField(_("层级"), max_length=10, choices=FunderTier.choices)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    commitment = models.DecimalField(_("承诺注资额"), null=True, blank=True, **MONEY)
    reduced_standard = models.BooleanField(_("适用降低注资标准"), default=False)
    reduced_reason = models.CharField(_("降低标准理由"), max_length=500, blank=True)
    first_paid_on = models.DateField(_("首次注资日期"), null=True, blank=True)
    outstanding_principal = models.DecimalField(_("在贷余额"), default=0, **MONEY)
    replenished_total = models.DecimalField(_("累计补充资金"), default=0, **MONEY)

    class Meta:
        verbose_name = _("出资方")
        verbose_name_plural = _("出资方")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=FunderTier.values), name="parties_funder_tier_valid"),
        ]

    def __str__(self) -> str:
        # a district with its administrative code; the region and the city by name only (their codes are words)
        return f"{self.name}（{self.code}）" if self.tier == FunderTier.DISTRICT else self.name

    @property
    def is_district(self) -> bool:
        return self.tier == FunderTier.DISTRICT

    @property
    def account_code(self) -> str:
        return funder_account(self.code)

    @property
    def loss_account_code(self) -> str:
        return loss_account(self.code)


class Bank(models.Model):
    """A cooperating bank (art. 14–19). ``outstanding_principal`` and ``active_loans`` count its active loans."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    outstanding_principal = models.DecimalField(_("在贷余额"), default=0, **MONEY)
    active_loans = models.PositiveIntegerField(_("在贷笔数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作银行")
        verbose_name_plural = _("合作银行")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def deposit_account_code(self) -> str:
        return deposit_account(self.code)

    @property
    def payable_account_code(self) -> str:
        return payable_account(self.code)


class Guarantor(models.Model):
    """A cooperating guarantee company (art. 20, 28): bears 40 % of each loss."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作担保机构")
        verbose_name_plural = _("合作担保机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("合作中")
    ENDING = "ending", _("终止中（存量业务履行中）")
    ENDED = "ended", _("已终止")


class Agreement(models.Model):
    """A cooperation agreement of a bank with a guarantor (art. 14–18).

    active → ending (no new loans; the deposit returns within N working days once every loan is closed,
    art. 18) → ended (deposit returned). A bank has at most one agreement that is not ended.
    """

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    bank = models.ForeignKey(Bank, verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="agreements")
    guarantor = models.ForeignKey(
        Guarantor, verbose_name=_("合作担保机构"), on_delete=models.PROTECT, related_name="agreements"
    )
    signed_on = models.DateField(_("签订日期"))
    ends_on = models.DateField(_("约定到期日"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    return_due_on = models.DateField(_("抵押金应退回日期"), null=True, blank=True)
    deposit_returned_on = models.DateField(_("抵押金退回日期"), null=True, blank=True)
    return_late = models.BooleanField(_("逾期退回"), default=False)
    deposit_transaction = models.ForeignKey(
        "ledger.Transaction",
        verbose_name=_("首笔抵押金凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_transaction = models.ForeignKey(
        "ledger.Transaction",
        verbose_name=_("退回凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = user_reference(_("经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作协议")
        verbose_name_plural = _("合作协议")
        ordering = ["-signed_on", "bank__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank"],
                condition=Q(status__in=["active", "ending"]),
                name="parties_one_open_agreement_per_bank",
            ),
            models.CheckConstraint(condition=Q(status__in=AgreementStatus.values), name="parties_agreement_status"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.code} × {self.guarantor.code}（{self.signed_on}）"


class StaffProfile(models.Model):
    """A staff member's scope: a district officer sees only its district (art. 7, API.md)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="staff_profile"
    )
    district = models.ForeignKey(
        Funder,
        verbose_name=_("所属地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        limit_choices_to={"tier": FunderTier.DISTRICT},
    )

    class Meta:
        verbose_name = _("工作人员档案")
        verbose_name_plural = _("工作人员档案")

    def __str__(self) -> str:
        return f"{self.user} – {self.district or '-'}"


class Role(Group):
    """A staff role (SPEC §1): the Django group of that name. Its permissions are the capabilities of the API
    (``riskfund.access.CAPABILITIES``); ``riskfund.access.sync_role_groups`` gives each group its own."""

    class Meta:
        proxy = True
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        permissions = [(codename, name) for codename, (name, _roles) in CAPABILITIES.items()]
