"""The stop-line forecast's records: scenarios (data, edited by the bureau), forecasts and back-tests (computed,
never edited).

``Scenario``
    A named set of stresses on the estimated model (``riskfund.outlook.chain``): a multiplier on every roll toward
    a worse state, banks whose roll rates are set to another bank's, a haircut on the recovery curve. ``base`` is
    the model as estimated. Active scenarios are recomputed after each daily run.

``Forecast``
    One projection: as-of date (the latest closed business date), the scenario's parameters as they were, seed,
    paths, and every input the simulation used — months, banks, funders, the observed transition counts, the
    estimated and the effective matrices, the recovery curve, the cohorts, the funders' money — so any figure can
    be recomputed from the row alone (``riskfund.outlook.services.forecast_reproduce``). ``results`` holds the
    monthly bands, the crossing odds and the per-funder rows, amounts as decimal strings.

``Backtest``
    For each month end m of the history: a forecast from the data up to m, compared with the realised N/F at
    m + 1, m + 3 and m + 6; the coverage of the p5–p95 band per horizon.
"""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chain import MAX_ROLL_MULTIPLIER

BASE = "base"


class Scenario(models.Model):
    name = models.SlugField(_("代码"), max_length=40, unique=True, help_text=_("字母、数字、连字符，如 rolls-x1-5"))
    title = models.CharField(_("名称"), max_length=100)
    roll_multiplier = models.DecimalField(
        _("迁徙率倍数"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal(MAX_ROLL_MULTIPLIER))],
        help_text=_("向更差状态（更高逾期分组、代偿）迁徙的概率乘以此数，1 为不加压"),
    )
    recovery_haircut = models.DecimalField(
        _("追偿折减"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("追偿回收曲线乘以（1 − 折减），0.5 即回收减半"),
    )
    bank_overrides = models.JSONField(
        _("比照银行"),
        default=list,
        blank=True,
        help_text=_('某银行的迁徙率按另一银行设定，如 [{"bank": "BOCBT", "like": "BTRCB"}]'),
    )
    active = models.BooleanField(_("每日自动计算"), default=True)
    notes = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("压力情景")
        verbose_name_plural = _("压力情景")
        ordering = ["roll_multiplier", "recovery_haircut", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(roll_multiplier__gte=0, roll_multiplier__lte=MAX_ROLL_MULTIPLIER),
                name="outlook_scenario_multiplier_range",
            ),
            models.CheckConstraint(
                condition=Q(recovery_haircut__gte=0, recovery_haircut__lte=1), name="outlook_scenario_haircut_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.name

    @property
    def is_base(self) -> bool:
        return self.name == BASE

    def parameters(self) -> dict:
        """The stresses as stored with a forecast (decimal strings, so the snapshot is exact)."""
        return {
            "name": self.name,
            "title": self.title,
            "roll_multiplier": str(self.roll_multiplier),
            "recovery_haircut": str(self.recovery_haircut),
            "bank_overrides": list(self.bank_overrides or []),
        }


class Forecast(models.Model):
    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    scenario = models.ForeignKey(Scenario, verbose_name=_("情景"), on_delete=models.PROTECT, related_name="forecasts")
    as_of = models.DateField(_("基准日"))
    seed = models.PositiveBigIntegerField(_("随机种子"))
    paths = models.PositiveIntegerField(_("模拟路径数"))
    horizon = models.PositiveSmallIntegerField(_("预测月数"))
    parameters = models.JSONField(_("情景参数"), default=dict)
    inputs = models.JSONField(_("模型输入"), default=dict)
    results = models.JSONField(_("预测结果"), default=dict)
    crossed_probability = models.DecimalField(_("期末前触及暂停线的概率"), max_digits=7, decimal_places=6)
    crossing_month_p50 = models.PositiveSmallIntegerField(_("触及暂停线月份中位数"), null=True, blank=True)
    ratio_p50 = models.DecimalField(_("期末代偿比例中位数"), max_digits=9, decimal_places=6)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("停贷预测")
        verbose_name_plural = _("停贷预测")
        ordering = ["-as_of", "scenario__roll_multiplier", "scenario__name"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "as_of", "seed", "paths"], name="outlook_forecast_once"),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.scenario}"


class Backtest(models.Model):
    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    scenario = models.ForeignKey(Scenario, verbose_name=_("情景"), on_delete=models.PROTECT, related_name="backtests")
    as_of = models.DateField(_("基准日"))
    seed = models.PositiveBigIntegerField(_("随机种子"))
    paths = models.PositiveIntegerField(_("模拟路径数"))
    coverage = models.JSONField(_("区间覆盖率"), default=dict)
    rows = models.JSONField(_("逐月比较"), default=list)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回测")
        verbose_name_plural = _("回测")
        ordering = ["-as_of", "-computed_at"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "as_of", "seed", "paths"], name="outlook_backtest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.scenario}"
