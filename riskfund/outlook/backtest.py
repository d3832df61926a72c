"""The back-test of the stop-line forecast (issue 14, "Honesty").

For each month end m of the history — from the first month end with ``MIN_HISTORY_MONTHS`` of bucket history behind
it to the last one a month before the as-of date — the model is fitted on the data up to m alone (every record read
as of m: ``riskfund.outlook.inputs.gather``), the scenario applied, the book projected; the realised N/F at m + 1,
m + 3 and m + 6 (ledger entries dated up to that day: F = funders' paid-in + interest, N = Σ losses) is compared with
the month's p5–p95 band. Coverage = the share of comparisons inside the band; a calibrated model lands near 90 %.

The forecast assumes no interest and no injection beyond those committed: money that came in unannounced after m
lowers the realised ratio, and the back-test counts that against the model, as it should.
"""

from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, transaction

from riskfund.cob.models import CobRun
from riskfund.ledger.chart import FUNDER, INTEREST, LOSS

from .chain import month_steps
from .funds import balances_on
from .inputs import DEFAULT_SEED, HORIZON, effective_model, from_json, gather, to_json
from .models import BASE, Backtest, Scenario
from .services import compute_results, latest_closed_date

HORIZONS = (1, 3, 6)
BACKTEST_PATHS = 500
MIN_HISTORY_MONTHS = 3
RATIO_PLACES = Decimal("0.000001")


def realised_ratio(day: date) -> Decimal:
    """N ÷ F on ``day`` from the ledger entries dated up to it (six places, truncated; 0 when F = 0)."""
    balances = balances_on(day)
    funds = sum((v for k, v in balances.items() if k.startswith(FUNDER) or k == INTEREST), Decimal(0))
    net = sum((v for k, v in balances.items() if k.startswith(LOSS)), Decimal(0))
    if funds <= 0:
        return Decimal("0.000000")
    return (net / funds).quantize(RATIO_PLACES, rounding=ROUND_DOWN)


def origins(as_of: date) -> list[date]:
    """The month ends m with enough bucket history behind them and at least one month of outcome after them."""
    first_run = CobRun.objects.order_by("business_date").values_list("business_date", flat=True).first()
    if first_run is None:
        return []
    month_end = date.fromordinal(as_of.replace(day=1).toordinal() - 1)  # the last month end before as_of
    candidates = month_steps(month_end, range(-36, 1))
    earliest = month_steps(first_run, range(MIN_HISTORY_MONTHS, MIN_HISTORY_MONTHS + 1))[0]
    return [m for m in candidates if earliest <= m and month_steps(m, range(1, 2))[0] <= as_of]


def backtest_rows(*, as_of: date, scenario: Scenario, seed: int, paths: int) -> list[dict]:
    rows = []
    parameters = scenario.parameters()
    for origin in origins(as_of):
        inputs = gather(origin, horizon=HORIZON)
        matrices, curve = effective_model(inputs, parameters)
        months = compute_results(from_json(to_json(inputs, matrices, curve)), seed=seed, paths=paths)["months"]
        for horizon in HORIZONS:
            target = month_steps(origin, range(horizon, horizon + 1))[0]
            if target > as_of:
                continue
            realised = realised_ratio(target)
            band = months[horizon - 1]["ratio"]
            rows.append(
                {
                    "origin": origin.isoformat(),
                    "horizon": horizon,
                    "date": target.isoformat(),
                    "realised": str(realised),
                    "p5": band["p5"],
                    "p50": band["p50"],
                    "p95": band["p95"],
                    "inside": Decimal(band["p5"]) <= realised <= Decimal(band["p95"]),
                }
            )
    return rows


def coverage_of(rows: list[dict]) -> dict:
    coverage = {}
    for horizon in HORIZONS:
        mine = [row for row in rows if row["horizon"] == horizon]
        covered = sum(1 for row in mine if row["inside"])
        rate = (Decimal(covered) / Decimal(len(mine))).quantize(RATIO_PLACES) if mine else None
        coverage[str(horizon)] = {"covered": covered, "total": len(mine), "rate": None if rate is None else str(rate)}
    return coverage


def backtest_run(
    *,
    as_of: date | None = None,
    scenario: Scenario | None = None,
    seed: int = DEFAULT_SEED,
    paths: int = BACKTEST_PATHS,
) -> Backtest:
    """Run (or return the stored) back-test as of ``as_of`` (default: the latest closed business date)."""
    as_of = as_of or latest_closed_date()
    scenario = scenario or Scenario.objects.get(name=BASE)
    existing = Backtest.objects.filter(scenario=scenario, as_of=as_of, seed=seed, paths=paths).first()
    if existing is not None:
        return existing
    rows = backtest_rows(as_of=as_of, scenario=scenario, seed=seed, paths=paths)
    try:
        with transaction.atomic():
            return Backtest.objects.create(
                scenario=scenario, as_of=as_of, seed=seed, paths=paths, coverage=coverage_of(rows), rows=rows
            )
    except IntegrityError:
        return Backtest.objects.get(scenario=scenario, as_of=as_of, seed=seed, paths=paths)
