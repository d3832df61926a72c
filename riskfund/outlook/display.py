"""The forecast for people (the dashboard card and the admin pages): amounts as ``1,234,567.89``, ratios and
probabilities as percentages with two places, months as ``2027-05``; the chart data as decimal strings."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .selectors import fan_chart, forecast_view, latest_backtest

PERCENT = Decimal("0.01")


def money_text(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def percent_text(ratio: Decimal) -> str:
    return str((Decimal(ratio) * 100).quantize(PERCENT, rounding=ROUND_HALF_UP))


def crossing_text(view: dict) -> str:
    month = view["crossing_month_p50"]
    if month is None:
        return _("12个月内不触及")
    if month == 0:
        return _("已触及")
    return view["months"][month - 1]["date"].strftime("%Y-%m")


def band_text(bands: dict, convert=percent_text) -> str:
    return f"{convert(bands['p5'])} – {convert(bands['p95'])}"


def labels() -> dict:
    """The fan chart's legend, in the request's language."""
    return {
        "realised": _("实际代偿比例"),
        "band": _("预测区间 P5–P95"),
        "p5": _("P5"),
        "p95": _("P95"),
        "median": _("预测中位数"),
        "threshold": _("暂停线（第三十七条）"),
    }


def forecast_panel(forecast, district: str | None = None) -> dict:
    """What the card and the scenario page show of one forecast."""
    view = forecast_view(forecast, district)
    last = view["months"][-1]
    backtest = latest_backtest(forecast.scenario)
    return {
        "forecast": forecast,
        "view": view,
        "crossed_percent": percent_text(last["crossed_probability"]),
        "crossing": crossing_text(view),
        "ratio_p50": percent_text(last["ratio"]["p50"]),
        "ratio_band": band_text(last["ratio"]),
        "capacity_p50": money_text(last["capacity_left"]["p50"]),
        "threshold_percent": percent_text(view["threshold"]),
        "alert": last["crossed_probability"] >= Decimal("0.05"),
        "months": [
            {
                "month": row["month"],
                "date": row["date"],
                "ratio_p50": percent_text(row["ratio"]["p50"]),
                "ratio_band": band_text(row["ratio"]),
                "net_p50": money_text(row["net_compensation"]["p50"]),
                "net_p95": money_text(row["net_compensation"]["p95"]),
                "capacity_p50": money_text(row["capacity_left"]["p50"]),
                "capacity_p5": money_text(row["capacity_left"]["p5"]),
                "crossed_percent": percent_text(row["crossed_probability"]),
            }
            for row in view["months"]
        ],
        "funders": [
            {
                "code": row["code"],
                "name": row["name"],
                "loss": money_text(row["loss"]),
                "expected_loss": money_text(row["expected_loss"]),
                "loss_share": percent_text(row["loss_share"]),
                "due_p50": money_text(row["replenishment_due_p50"]),
                "due_p95": money_text(row["replenishment_due_p95"]),
            }
            for row in view["funders"]
        ],
        "backtest": backtest_text(backtest),
        "chart": {**fan_chart(forecast), "labels": labels()},
    }


def backtest_text(backtest) -> list[dict]:
    if backtest is None:
        return []
    return [
        {
            "horizon": horizon,
            "rate": percent_text(Decimal(figures["rate"])),
            "covered": figures["covered"],
            "total": figures["total"],
        }
        for horizon, figures in sorted(backtest.coverage.items(), key=lambda item: int(item[0]))
        if figures["total"]
    ]
