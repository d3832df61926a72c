"""Reads of the forecast shared by the API, the admin, the dashboard card and the workbook.

A forecast's figures leave as ``Decimal`` (read back from the stored decimal strings), dates as ``date``; a district
officer (``district`` = its division code) gets the months — the pool-wide line it lends under — and its own
district's funder row only.
"""

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from riskfund.cob.models import PoolSnapshot

from .models import BASE, Backtest, Forecast, Scenario

HISTORY_MONTHS = 12
RATIO_PLACES = Decimal("0.000001")


def _decimals(value, key: str = ""):
    if isinstance(value, dict):
        return {k: _decimals(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(item, key) for item in value]
    if isinstance(value, str) and key not in {"code", "name", "tier", "date"}:
        return Decimal(value)
    if key == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def forecast_view(forecast: Forecast, district: str | None = None) -> dict:
    """The forecast as the API and the workbook show it (API.md ``GET /api/v1/outlook/``)."""
    results = forecast.results
    funders = [row for row in results["funders"] if district is None or row["code"] == district]
    return {
        "as_of": forecast.as_of,
        "scenario": forecast.scenario.name,
        "scenario_title": forecast.parameters.get("title", forecast.scenario.title),
        "parameters": forecast.parameters,
        "paths": forecast.paths,
        "seed": forecast.seed,
        "horizon": forecast.horizon,
        "threshold": Decimal(results["threshold"]),
        "computed_at": forecast.computed_at,
        "months": _decimals(results["months"]),
        "crossing_month_p50": results["crossing_month_p50"],
        "funders": _decimals(funders),
    }


def latest_forecast(scenario: Scenario) -> Forecast | None:
    return scenario.forecasts.order_by("-as_of", "-computed_at").first()


def latest_backtest(scenario: Scenario | None = None) -> Backtest | None:
    scenario = scenario or Scenario.objects.filter(name=BASE).first()
    if scenario is None:
        return None
    return scenario.backtests.order_by("-as_of", "-computed_at").first()


def realised_ratios(until: date, months: int = HISTORY_MONTHS) -> list[tuple[date, Decimal]]:
    """The compensation ratio of the daily snapshots over the ``months`` before ``until``, one point a week and
    the last day (the fan chart's history)."""
    start = until - timedelta(days=31 * months)
    rows = list(
        PoolSnapshot.objects.filter(business_date__gt=start, business_date__lte=until)
        .order_by("business_date")
        .values_list("business_date", "compensation_ratio")
    )
    return [row for i, row in enumerate(rows) if i % 7 == 0 or i == len(rows) - 1]


def starting_ratio(forecast: Forecast) -> Decimal:
    """N ÷ F on the as-of date, from the forecast's own inputs (six places, truncated)."""
    funds = forecast.inputs["funds"]
    pool_funds = sum(funds["paid_in"]["values"]) + funds["interest"]
    if pool_funds <= 0:
        return Decimal("0.000000")
    loss = Decimal(repr(sum(funds["loss"]["values"])))
    return (loss / Decimal(repr(pool_funds))).quantize(RATIO_PLACES, rounding=ROUND_DOWN)


def fan_chart(forecast: Forecast) -> dict:
    """The fan chart's data: realised N/F before the as-of date, the p5–p95 band and the median after it, the
    threshold line; every figure a decimal string (the browser converts only to plot)."""
    history = realised_ratios(forecast.as_of)
    months = forecast.results["months"]
    start = str(starting_ratio(forecast))
    return {
        "threshold": forecast.results["threshold"],
        "history": {"dates": [d.isoformat() for d, _r in history], "ratio": [str(r) for _d, r in history]},
        "forecast": {
            "dates": [forecast.as_of.isoformat(), *(m["date"] for m in months)],
            "p5": [start, *(m["ratio"]["p5"] for m in months)],
            "p50": [start, *(m["ratio"]["p50"] for m in months)],
            "p95": [start, *(m["ratio"]["p95"] for m in months)],
        },
    }


def scenario_comparison() -> list[dict]:
    """The latest forecast of every active scenario, base first (the side-by-side page)."""
    rows = []
    for scenario in Scenario.objects.filter(active=True).order_by("roll_multiplier", "recovery_haircut", "name"):
        forecast = latest_forecast(scenario)
        rows.append({"scenario": scenario, "forecast": forecast, "view": forecast_view(forecast) if forecast else None})
    rows.sort(key=lambda row: row["scenario"].name != BASE)
    return rows
