"""Policy and reference data (SPEC §2, §8).

``PolicyVersion``: effective-dated policy parameters; every number of the regulation lives in a row here.
``WorkingDayOverride``: admin corrections to the official PRC working-day calendar (art. 18, 27, 32).
``LprRate``: the one-year Loan Prime Rate table (art. 22 (三)).
``IndustryStandard``: the national SME size standard, 工信部联企业〔2011〕300号 (art. 4).
"""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from riskfund.modelfields import user_reference

MONEY = {"max_digits": 18, "decimal_places": 2}


class PolicyVersion(models.Model):
    """One version of the programme's rules, in force from ``effective_from`` through ``effective_to``.

    Versions never overlap; only approved versions are in force (maker-checker, SPEC §2).
    """

    # the opaque id of the API (API.md: ids are UUIDs, never sequential numbers); the primary key stays internal
    public_id = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
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
    # art. 28: a counter-guarantee on every loan; art. 31 (三) "多次催收无果": collection attempts before a deduction
    counter_guarantee_required = models.BooleanField(_("贷款须有反担保措施"), default=True)
    collection_attempts_required = models.PositiveIntegerField(_("划扣前须有的催收次数"), default=2)
    # art. 40: warn this many days before a version ends while no successor is approved
    expiry_warning_days = models.PositiveIntegerField(_("到期预警提前天数"), default=90)

    created_by = user_reference(_("提出人"))
    approved_by = user_reference(_("批准人"))
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_to__gte=F("effective_from")), name="policy_dates_ordered"),
        ]
        permissions = [("approve_policyversion", _("可以批准政策版本"))]

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

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class WorkingDayOverride(models.Model):
    """An admin correction of the official calendar for one day; it wins over ``chinese_calendar``.

    Used for years the package does not cover yet (SPEC §8) and for ad-hoc changes. Working days count the
    notice deadlines of art. 27 and 32 and the deposit return of art. 18.
    """

    day = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_working_day else '休息日'}"


class LprRate(models.Model):
    """One-year Loan Prime Rate in percent, in force from ``effective_on`` until the next row (art. 22 (三))."""

    effective_on = models.DateField(_("起始日期"), unique=True)
    rate_percent = models.DecimalField(
        _("一年期LPR（%）"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("贷款市场报价利率")
        verbose_name_plural = _("贷款市场报价利率")
        ordering = ["-effective_on"]
        constraints = [models.CheckConstraint(condition=Q(rate_percent__gte=0), name="lpr_rate_not_negative")]

    def __str__(self) -> str:
        return f"{self.effective_on} {self.rate_percent}%"


class Measure(models.TextChoices):
    """The measures of the 2011 standard: 从业人员 (persons), 营业收入 and 资产总额 (yuan)."""

    EMPLOYEES = "employees", _("从业人员")
    REVENUE = "revenue", _("营业收入")
    ASSETS = "assets", _("资产总额")


class SizeClass(models.TextChoices):
    """Enterprise size class (工信部联企业〔2011〕300号); large enterprises are not eligible (art. 4)."""

    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


THRESHOLD = {"max_digits": 18, "decimal_places": 2}


class IndustryStandard(models.Model):
    """One industry of the 2011 SME standard (art. 4). Amounts in yuan, employees in persons.

    SME if ANY listed measure is below its ``sme_below`` figure; medium if EVERY measure is at or above
    ``medium_from``; else small if every measure is at or above ``small_from``; else micro. Industries with one
    measure leave the second set empty.
    """

    code = models.CharField(_("行业代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("行业名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    measure_1 = models.CharField(_("指标一"), max_length=20, choices=Measure.choices)
    measure_2 = models.CharField(_("指标二"), max_length=20, choices=Measure.choices, blank=True)
    sme_below_1 = models.DecimalField(_("指标一：中小微型上限（不含）"), **THRESHOLD)
    sme_below_2 = models.DecimalField(_("指标二：中小微型上限（不含）"), null=True, blank=True, **THRESHOLD)
    medium_from_1 = models.DecimalField(_("指标一：中型下限（含）"), **THRESHOLD)
    medium_from_2 = models.DecimalField(_("指标二：中型下限（含）"), null=True, blank=True, **THRESHOLD)
    small_from_1 = models.DecimalField(_("指标一：小型下限（含）"), **THRESHOLD)
    small_from_2 = models.DecimalField(_("指标二：小型下限（含）"), null=True, blank=True, **THRESHOLD)

    class Meta:
        verbose_name = _("中小企业划型标准")
        verbose_name_plural = _("中小企业划型标准")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(measure_2="", sme_below_2__isnull=True, medium_from_2__isnull=True, small_from_2__isnull=True)
                    | (
                        ~Q(measure_2="")
                        & Q(sme_below_2__isnull=False, medium_from_2__isnull=False, small_from_2__isnull=False)
                    )
                ),
                name="industry_second_measure_complete",
            ),
            models.CheckConstraint(
                condition=Q(sme_below_1__gte=0, medium_from_1__gte=0, small_from_1__gte=0),
                name="industry_thresholds_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def criteria(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        """(measure, sme_below, medium_from, small_from) for each listed measure."""
        rows = [(self.measure_1, self.sme_below_1, self.medium_from_1, self.small_from_1)]
        if self.measure_2:
            rows.append((self.measure_2, self.sme_below_2, self.medium_from_2, self.small_from_2))
        return rows
