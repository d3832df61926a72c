"""The forecast workbook (export kind ``outlook_forecast``), written by the project's exact xlsx writer like every
other workbook: a summary, the months with their bands, the funders (a district officer's job: its district's row
only), the effective transition matrix of every bank and the recovery curve. Amounts are Decimals to the fen,
ratios and probabilities Decimals shown as percentages; no float reaches a cell.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from riskfund.access import is_district_only, user_district_code
from riskfund.errors import RuleViolation
from riskfund.exports.registry import register
from riskfund.exports.xlsx import Column, Sheet, summary_sheet

from .chain import FROM_ROWS, TO_STATES
from .inputs import unpack
from .models import Forecast
from .selectors import forecast_view

EXPORT_KIND = "outlook_forecast"
DUE_DEFINITION = "地区按第十三条 max(0, 损失 − 已补充, 最低注资 − (实缴 − 损失))；市本级按第三十八条恢复业务所需"
EXPORT_LABEL = "停贷预测"
PROBABILITY = Decimal("0.000001")
ROW_LABELS = {
    "current_nothing_due": "未逾期·当月无应还",
    "current_instalment_due": "未逾期·当月有分期应还",
    "current_maturing": "未逾期·当月到期",
    "1-25": "逾期1–25天",
    "26-60": "逾期26–60天",
    "61-90": "逾期61–90天",
    "91+": "逾期91天以上",
}
STATE_LABELS = {**ROW_LABELS, "current": "未逾期", "closed": "结清", "compensated": "代偿"}

MONTH_COLUMNS = [
    Column("month", "预测月", "int", width=8),
    Column("date", "月末日期", "date"),
    Column("pool_funds", "资金池资金（元）", "money"),
    Column("ratio_p5", "代偿比例 P5", "ratio"),
    Column("ratio_p50", "代偿比例 P50", "ratio"),
    Column("ratio_p95", "代偿比例 P95", "ratio"),
    Column("net_p5", "代偿净额 P5（元）", "money"),
    Column("net_p50", "代偿净额 P50（元）", "money"),
    Column("net_p95", "代偿净额 P95（元）", "money"),
    Column("capacity_p5", "剩余授信额度 P5（元）", "money"),
    Column("capacity_p50", "剩余授信额度 P50（元）", "money"),
    Column("capacity_p95", "剩余授信额度 P95（元）", "money"),
    Column("crossed_probability", "截至当月触及暂停线概率", "ratio", width=16),
]
FUNDER_COLUMNS = [
    Column("code", "出资方代码", "text", width=12),
    Column("name", "出资方", "text", width=20),
    Column("loss", "基准日损失分担（元）", "money"),
    Column("expected_loss", "预计新增损失分担（元）", "money"),
    Column("loss_share", "预计损失占比", "ratio"),
    Column("replenishment_due_p50", "期末应补充资金 P50（元）", "money"),
    Column("replenishment_due_p95", "期末应补充资金 P95（元）", "money"),
]
MATRIX_COLUMNS = [
    Column("bank", "银行", "text", width=12),
    Column("row", "月初状态", "text", width=22),
    *(Column(state, f"→ {STATE_LABELS[state]}", "ratio", width=12) for state in TO_STATES),
]


def _probability(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(PROBABILITY, rounding=ROUND_HALF_EVEN)


def clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(params) - {"forecast"}
    forecast_id = params.get("forecast")
    if unknown or not isinstance(forecast_id, str) or not Forecast.objects.filter(pk=forecast_id).exists():
        message = "参数应为已有预测的编号 / forecast: an existing forecast id"
        raise RuleViolation("validation_error", "", message, status=400)
    return {"forecast": forecast_id}


def _month_rows(view: dict):
    for row in view["months"]:
        yield {
            "month": row["month"],
            "date": row["date"],
            "pool_funds": row["pool_funds"],
            **{f"ratio_{k}": v for k, v in row["ratio"].items()},
            **{f"net_{k}": v for k, v in row["net_compensation"].items()},
            **{f"capacity_{k}": v for k, v in row["capacity_left"].items()},
            "crossed_probability": row["crossed_probability"],
        }


def _matrix_rows(forecast: Forecast):
    matrices = unpack(forecast.inputs["matrix"])
    for bank, matrix in zip(forecast.inputs["banks"], matrices, strict=True):
        for row_name, probabilities in zip(FROM_ROWS, matrix, strict=True):
            yield {
                "bank": bank,
                "row": ROW_LABELS[row_name],
                **{state: _probability(p) for state, p in zip(TO_STATES, probabilities, strict=True)},
            }


def forecast_sheets(forecast: Forecast, user=None) -> list[Sheet]:
    district = (user_district_code(user) or "") if user is not None and is_district_only(user) else None
    view = forecast_view(forecast, district)
    months = view["months"]
    crossing = view["crossing_month_p50"]
    summary = summary_sheet(
        "概要",
        [
            ("报表", EXPORT_LABEL),
            ("基准日（最近已日结日期）", view["as_of"]),
            ("情景", f"{view['scenario_title']}（{view['scenario']}）"),
            ("模拟路径数", view["paths"]),
            ("随机种子", str(view["seed"])),
            ("政策版本", forecast.inputs.get("policy", "")),
            ("暂停阈值（第三十七条）", view["threshold"], "ratio"),
            ("期末前触及暂停线概率", months[-1]["crossed_probability"], "ratio"),
            ("触及暂停线月份中位数", "12个月内不触及" if crossing is None else f"第{crossing}个月"),
            ("口径", "代偿比例 = 代偿净额 ÷ 资金池资金；P5/P50/P95 为各模拟路径的分位数"),
            ("口径：应补充资金", DUE_DEFINITION),
        ],
    )
    curve = unpack(forecast.inputs["curve"])
    return [
        summary,
        Sheet("逐月预测", MONTH_COLUMNS, _month_rows(view), count=len(months)),
        Sheet("出资方", FUNDER_COLUMNS, view["funders"], count=len(view["funders"])),
        Sheet("迁徙矩阵", MATRIX_COLUMNS, _matrix_rows(forecast), count=7 * len(forecast.inputs["banks"])),
        Sheet(
            "追偿回收曲线",
            [Column("age", "代偿后第几个月", "int", width=14), Column("share", "当月回收占损失比例", "ratio")],
            ({"age": age, "share": _probability(share)} for age, share in enumerate(curve)),
            count=len(curve),
        ),
    ]


def _filename(job) -> str:
    forecast = Forecast.objects.select_related("scenario").get(pk=job.params["forecast"])
    return f"停贷预测-{forecast.scenario.name}-{forecast.as_of:%Y%m%d}.xlsx"


@register(EXPORT_KIND, label=EXPORT_LABEL, clean=clean_params, filename=_filename)
def outlook_forecast(job) -> list[Sheet]:
    forecast = Forecast.objects.select_related("scenario").get(pk=job.params["forecast"])
    return forecast_sheets(forecast, job.owner_user)
