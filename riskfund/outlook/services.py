"""Writes of the stop-line forecast (art. 13, 20, 37, 38): computing and storing forecasts, checking scenarios.

``forecast_compute`` gathers the inputs as of the latest closed business date (or the date given), applies the
scenario, runs the projection with the stored seed and stores one ``Forecast`` row with every input; a forecast
that exists for (scenario, date, seed, paths) is returned as it is, so the task after each daily run and the
on-demand computation of the API are safe to run twice. ``forecast_reproduce`` recomputes a stored forecast's
figures from its row alone.
"""

import time
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from riskfund.errors import RuleViolation
from riskfund.parties.models import Bank
from riskfund.policy.models import PolicyVersion
from riskfund.pool.selectors import pool_state

from .chain import MAX_ROLL_MULTIPLIER
from .inputs import DEFAULT_PATHS, DEFAULT_SEED, HORIZON, Inputs, Stored, effective_model, from_json, gather, to_json
from .models import BASE, Forecast, Scenario
from .projection import simulate
from .results import crossing_month_p50, funder_rows, monthly

MAX_PATHS = 100_000


def json_ready(value):
    """Decimals and dates as strings, recursively (the stored results hold no float)."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def compute_results(stored: Stored, *, seed: int, paths: int) -> dict:
    """The figures of a forecast from its inputs (JSON-ready)."""
    simulated = simulate(stored.book, stored.funds, stored.matrices, stored.curve, paths=paths, seed=seed)
    funders = funder_rows(simulated, stored.funds, stored.codes, stored.tiers)
    for row, name in zip(funders, stored.names, strict=True):
        row["name"] = name
    return json_ready(
        {
            "threshold": Decimal(repr(stored.funds.threshold)),
            "months": monthly(simulated, stored.funds, stored.months),
            "crossing_month_p50": crossing_month_p50(simulated, stored.funds.threshold),
            "funders": funders,
        }
    )


def latest_closed_date() -> date:
    as_of = pool_state().last_closed_business_date
    if as_of is None:
        raise RuleViolation("not_found", "", "no business date has been closed yet: nothing to forecast", status=404)
    return as_of


def _check_run(seed: int, paths: int) -> None:
    if not 0 <= seed < 2**63:
        raise RuleViolation("validation_error", "", "the seed must be a non-negative 63-bit integer", status=400)
    if not 1 <= paths <= MAX_PATHS:
        raise RuleViolation("validation_error", "", f"paths must lie between 1 and {MAX_PATHS}", status=400)


def _existing(scenario: Scenario, as_of: date, seed: int, paths: int) -> Forecast | None:
    return Forecast.objects.filter(scenario=scenario, as_of=as_of, seed=seed, paths=paths).first()


def forecast_compute(
    *,
    scenario: Scenario,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    paths: int = DEFAULT_PATHS,
    inputs: Inputs | None = None,
) -> Forecast:
    """The forecast of ``scenario`` as of ``as_of`` (default: the latest closed business date), computed and stored
    unless it exists (art. 37: when N/F reaches the threshold; art. 13, 20, 38: who pays)."""
    _check_run(seed, paths)
    as_of = as_of or latest_closed_date()
    existing = _existing(scenario, as_of, seed, paths)
    if existing is not None:
        return existing
    started = time.perf_counter()
    if inputs is None or inputs.as_of != as_of:
        try:
            inputs = gather(as_of, horizon=HORIZON)
        except PolicyVersion.DoesNotExist as exc:
            raise RuleViolation("not_found", "", "no approved policy version: nothing to forecast", status=404) from exc
    parameters = scenario.parameters()
    matrices, curve = effective_model(inputs, parameters)
    stored_inputs = to_json(inputs, matrices, curve)
    results = compute_results(from_json(stored_inputs), seed=seed, paths=paths)
    last = results["months"][-1]
    try:
        with transaction.atomic():
            return Forecast.objects.create(
                scenario=scenario,
                as_of=as_of,
                seed=seed,
                paths=paths,
                horizon=HORIZON,
                parameters=parameters,
                inputs=stored_inputs,
                results=results,
                crossed_probability=Decimal(last["crossed_probability"]),
                crossing_month_p50=results["crossing_month_p50"],
                ratio_p50=Decimal(last["ratio"]["p50"]),
                duration_ms=int((time.perf_counter() - started) * 1000),
            )
    except IntegrityError:  # computed meanwhile by another worker or request: theirs stands
        return Forecast.objects.get(scenario=scenario, as_of=as_of, seed=seed, paths=paths)


def forecast_reproduce(forecast: Forecast) -> dict:
    """The forecast's figures recomputed from its stored inputs, seed and paths (equal to ``forecast.results``)."""
    return compute_results(from_json(forecast.inputs), seed=forecast.seed, paths=forecast.paths)


def forecasts_after_run(*, business_date: date) -> list[Forecast]:
    """After the daily run of ``business_date``: every active scenario's forecast, the inputs gathered once. A date
    that is no longer the latest closed one is skipped (its forecast would be stale at once)."""
    latest = pool_state().last_closed_business_date
    if latest is None or business_date != latest:
        return []
    active = Scenario.objects.filter(active=True)
    scenarios = [s for s in active if _existing(s, business_date, DEFAULT_SEED, DEFAULT_PATHS) is None]
    if not scenarios:
        return []
    inputs = gather(business_date, horizon=HORIZON)
    return [forecast_compute(scenario=s, as_of=business_date, inputs=inputs) for s in scenarios]


def forecast_for(*, scenario_name: str = BASE) -> Forecast:
    """The forecast of a scenario for the latest closed business date, computed now when there is none (API.md
    ``GET /api/v1/outlook/``)."""
    scenario = Scenario.objects.filter(name=scenario_name).first()
    if scenario is None:
        raise RuleViolation("not_found", "", f"no scenario named {scenario_name!r}", status=404)
    return forecast_compute(scenario=scenario)


def scenario_check(*, roll_multiplier: Decimal, recovery_haircut: Decimal, bank_overrides) -> list:
    """The stresses of a scenario, checked (400 ``validation_error`` with the reason); returns the overrides as
    stored: a list of {"bank": code, "like": code} naming two different existing banks, each bank once."""
    if not Decimal(0) <= roll_multiplier <= MAX_ROLL_MULTIPLIER:
        message = f"the roll multiplier must lie between 0 and {MAX_ROLL_MULTIPLIER}"
        raise RuleViolation("validation_error", "", message, status=400)
    if not Decimal(0) <= recovery_haircut <= 1:
        raise RuleViolation("validation_error", "", "the recovery haircut must lie between 0 and 1", status=400)
    if not isinstance(bank_overrides, list):
        raise RuleViolation("validation_error", "", "bank overrides must be a list", status=400)
    codes = set(Bank.objects.values_list("code", flat=True))
    seen, cleaned = set(), []
    for item in bank_overrides:
        if not isinstance(item, dict) or set(item) != {"bank", "like"}:
            raise RuleViolation("validation_error", "", 'each override is {"bank": code, "like": code}', status=400)
        bank, like = item["bank"], item["like"]
        if not isinstance(bank, str) or not isinstance(like, str) or bank not in codes or like not in codes:
            raise RuleViolation("validation_error", "", f"unknown bank in {item}", status=400)
        if bank == like or bank in seen:
            raise RuleViolation("validation_error", "", f"{bank}: one override per bank, from another bank", status=400)
        seen.add(bank)
        cleaned.append({"bank": bank, "like": like})
    return cleaned
