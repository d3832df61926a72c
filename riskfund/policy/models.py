"""Effective-dated policy parameters (SPEC §2). Every number of the regulation lives in a row here."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}


class PolicyVersion(models.Model):
    """One version of the programme's rules, in force from ``effective_from`` through ``effective_to``.

    Versions never overlap; only approved versions are in force (maker-checker, SPEC §2).
    """

    code = models.CharField(_("版本号"), max_length=40, unique=True)
    title = models.CharField(_("文件名称"), max_length=200)
    document_no = models.CharField(_("文号"), max_length=80, blank=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期（含）"))

    # art. 9, 13
    pool_leverage = models.PositiveIntegerField(_("资金池放大倍数"), default=10)
    district_scale_cap = models.PositiveIntegerField(_("地区贷款规模上限倍数"), default=25)
    # art. 20
    loss_weight_pool = models.PositiveIntegerField(_("风险分担：资金池"), default=40)
    loss_weight_bank = models.PositiveIntegerField(_("风险分担：银行"), default=20)
    loss_weight_guarantor = models.PositiveIntegerField(_("风险分担：担保机构"), default=40)
    split_weight_region = models.PositiveIntegerField(_("资金池分担：自治区"), default=30)
    split_weight_city = models.PositiveIntegerField(_("资金池分担：市本级"), default=30)
    split_weight_district = models.PositiveIntegerField(_("资金池分担：地区"), default=40)
    # art. 32, 37
    compensation_trigger_days = models.PositiveIntegerField(_("代偿启动逾期天数（超过）"), default=25)
    suspension_threshold = models.DecimalField(
        _("暂停新增业务的代偿比例"),
        max_digits=7,
        decimal_places=6,
        default=Decimal("0.200000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    # art. 8
    district_min_injection = models.DecimalField(_("地区最低注资额"), default=Decimal("8000000.00"), **MONEY)
    district_reduced_min_injection = models.DecimalField(
        _("地区降低标准最低注资额"), default=Decimal("4000000.00"), **MONEY
    )
    injection_window_years = models.PositiveIntegerField(_("分期注资期限（年）"), default=2)
    # art. 16, 18
    initial_deposit = models.DecimalField(_("首笔风险补偿抵押金"), default=Decimal("1000000.00"), **MONEY)
    deposit_topup_multiple = models.PositiveIntegerField(_("抵押金补充触发倍数"), default=10)
    topup_execution_days = models.PositiveIntegerField(_("补充执行期限（日）"), default=30)
    deposit_return_working_days = models.PositiveIntegerField(_("抵押金退回期限（工作日）"), default=10)
    # art. 22, 23
    enterprise_max_outstanding = models.DecimalField(_("单户企业贷款额度上限"), default=Decimal("10000000.00"), **MONEY)
    loan_term_months = models.PositiveIntegerField(_("贷款期限（月）"), default=12)
    loan_term_extended_months = models.PositiveIntegerField(_("放宽后贷款期限（月）"), default=24)
    continuous_support_years = models.PositiveIntegerField(_("连续支持年限"), default=3)
    continuous_support_gap_days = models.PositiveIntegerField(_("连续支持中断间隔（日，超过）"), default=90)
    # art. 27, 31, 32
    maturity_reminder_days = models.PositiveIntegerField(_("到期提醒提前天数"), default=60)
    notice_working_days = models.PositiveIntegerField(_("书面通知期限（工作日）"), default=3)
    # art. 4, 5
    registration_prefix = models.CharField(_("本市登记代码（统一社会信用代码第3–6位）"), max_length=4, default="1502")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_to__gte=F("effective_from")), name="policy_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from} – {self.effective_to})"

    @property
    def loss_weights(self) -> tuple[int, int, int]:
        """pool : bank : guarantor (art. 20)."""
        return (self.loss_weight_pool, self.loss_weight_bank, self.loss_weight_guarantor)

    @property
    def split_weights(self) -> tuple[int, int, int]:
        """region : city : district, applied to the pool share (art. 20)."""
        return (self.split_weight_region, self.split_weight_city, self.split_weight_district)
