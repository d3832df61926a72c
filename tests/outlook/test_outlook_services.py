"""Computing, storing and reproducing forecasts on the hand-followed pool of ``outlook_world`` (2024-06-30).

The estimated matrix of that history is deterministic where the book needs it: nothing due → stays current (7 of
7), an instalment due → current (1 of 1), maturing → 26–60 (2 of 2), 26–60 → compensated (1 of 1). So every path
is the same: C (26–60, 500,000.00) is compensated in month 1; A and B mature in month 3, roll to 26–60 with
1,000,000.00 and 200,000.00, and are compensated in month 4. No recovery has a complete month yet: the curve is 0.
昆都仑区 owes 8,000,000 − 4,200,000 = 3,800,000.00 of its minimum over the 19 months left in its window (from its
first payment 2024-01-02 to 2026-01-02): 200,000.00 a month.
"""

import json
from datetime import date
from decimal import Decimal

import pytest

from riskfund.errors import RuleViolation
from riskfund.outlook.models import BASE, Forecast, Scenario
from riskfund.outlook.services import (
    forecast_compute,
    forecast_for,
    forecast_reproduce,
    forecasts_after_run,
    scenario_check,
)

AS_OF = date(2024, 6, 30)


def base() -> Scenario:
    return Scenario.objects.get(name=BASE)


def test_world_forecast_art_20_37_hand_computed(world):
    """N: 280,000.00 → month 1: + 40 % × 500,000 = 480,000.00 (F 24,400,000.00, ratio 0.019672) → month 4:
    + 40 % × 1,200,000 = 960,000.00 (F 25,000,000.00, ratio 0.038400). Capacity left in month 1:
    10 × (24,400,000 − 480,000) − (1,000,000 + 200,000) = 238,000,000.00 (art. 9). The line is never crossed."""
    forecast = forecast_compute(scenario=base())
    months = forecast.results["months"]
    assert forecast.as_of == AS_OF
    assert months[0]["net_compensation"] == {"p5": "480000.00", "p50": "480000.00", "p95": "480000.00"}
    assert months[0]["pool_funds"] == "24400000.00"
    assert months[0]["ratio"]["p50"] == "0.019672"
    assert months[0]["capacity_left"]["p50"] == "238000000.00"
    assert months[2]["net_compensation"]["p95"] == "480000.00"
    assert months[3]["net_compensation"]["p5"] == "960000.00"
    assert months[3]["ratio"]["p50"] == "0.038400"
    assert months[3]["outstanding_p50"] == "0.00"
    assert months[11]["pool_funds"] == "26600000.00"
    assert forecast.crossing_month_p50 is None
    assert forecast.crossed_probability == Decimal("0")


def test_world_forecast_funders_art_13_20(world):
    """Added pool-share losses 200,000 + 480,000 = 680,000.00: region and city 30 % each (204,000.00), 东河区 40 %
    (272,000.00). 东河区's due at the horizon: loss 112,000 + 272,000 = 384,000.00 (art. 13: L − R with nothing
    replenished); 昆都仑区: 8,000,000 − (4,200,000 + 12 × 200,000) = 1,400,000.00 of its minimum still unpaid."""
    rows = {row["code"]: row for row in forecast_compute(scenario=base()).results["funders"]}
    assert rows["region"]["expected_loss"] == "204000.00"
    assert rows["city"]["expected_loss"] == "204000.00"
    assert rows["150202"]["expected_loss"] == "272000.00"
    assert rows["150202"]["loss_share"] == "0.400000"
    assert rows["150202"]["replenishment_due_p50"] == "384000.00"
    assert rows["150203"]["replenishment_due_p95"] == "1400000.00"
    assert rows["city"]["replenishment_due_p95"] == "0.00"
    assert rows["150202"]["name"] == "东河区"


def test_forecast_is_stored_with_its_inputs_and_reproduces_from_the_row_alone(world):
    forecast = forecast_compute(scenario=base())
    stored = Forecast.objects.get(pk=forecast.pk)
    assert stored.inputs["as_of"] == "2024-06-30"
    assert stored.inputs["banks"] == ["BOB"]
    assert stored.inputs["counts"]["shape"] == [1, 7, 7]
    assert stored.inputs["counts"]["values"][4 * 7 + 6] == 1  # 26–60 → compensated, once
    assert stored.inputs["matrix"]["shape"] == [1, 7, 7] and len(stored.inputs["months"]) == 13
    assert stored.parameters["roll_multiplier"] == "1.00"
    assert (stored.seed, stored.paths, stored.horizon) == (20210430, 1000, 12)
    assert forecast_reproduce(stored) == stored.results


def test_stored_results_hold_no_float(world):
    results = forecast_compute(scenario=base()).results

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    assert all(isinstance(leaf, str | int | type(None)) for leaf in leaves(results))
    json.loads(json.dumps(results), parse_float=lambda text: pytest.fail(f"a float in the results: {text}"))


def test_a_forecast_is_computed_once_per_scenario_date_seed_and_paths(world):
    first = forecast_compute(scenario=base())
    assert forecast_compute(scenario=base()).pk == first.pk
    other = forecast_compute(scenario=base(), paths=200)
    assert other.pk != first.pk
    assert Forecast.objects.count() == 2


def test_stress_scenario_uses_its_own_matrix_and_keeps_its_parameters(world):
    """×2 on every roll: nothing due stays current (no roll mass to scale), the rest as estimated already rolls
    with probability 1 — the same figures; the parameters stored say ×2."""
    stressed = Scenario.objects.create(name="x2", title="×2", roll_multiplier=Decimal("2"))
    forecast = forecast_compute(scenario=stressed)
    assert forecast.parameters["roll_multiplier"] == "2"
    assert forecast.results["months"][3]["net_compensation"]["p50"] == "960000.00"


def test_after_a_run_every_active_scenario_is_forecast_and_an_old_date_is_skipped(world):
    made = forecasts_after_run(business_date=AS_OF)
    assert {f.scenario.name for f in made} == set(Scenario.objects.filter(active=True).values_list("name", flat=True))
    assert forecasts_after_run(business_date=AS_OF) == []  # done already
    assert forecasts_after_run(business_date=date(2024, 5, 31)) == []  # not the latest closed date


def test_on_demand_unknown_scenario_is_not_found(world):
    with pytest.raises(RuleViolation) as error:
        forecast_for(scenario_name="nope")
    assert (error.value.code, error.value.status) == ("not_found", 404)


def test_nothing_to_forecast_before_the_first_close(policy_2021):
    with pytest.raises(RuleViolation) as error:
        forecast_for()
    assert error.value.status == 404


@pytest.mark.parametrize(
    "overrides",
    [
        {"bank": "BOB", "like": "BOB"},
        [{"bank": "BOB", "like": "NOPE"}],
        [{"bank": "BOB"}],
        [{"bank": 1, "like": "BOB"}],
        [{"bank": "BOB", "like": "BOC"}, {"bank": "BOB", "like": "BOC"}],
        "BOB",
    ],
)
def test_scenario_check_refuses_malformed_bank_overrides(world, overrides):
    from riskfund.parties.services import bank_create

    bank_create(code="BOC", name="另一银行")
    with pytest.raises(RuleViolation) as error:
        scenario_check(roll_multiplier=Decimal("1"), recovery_haircut=Decimal("0"), bank_overrides=overrides)
    assert error.value.status == 400


def test_scenario_check_accepts_a_bank_set_to_another(world):
    from riskfund.parties.services import bank_create

    bank_create(code="BOC", name="另一银行")
    cleaned = scenario_check(
        roll_multiplier=Decimal("1.5"), recovery_haircut=Decimal("0.5"), bank_overrides=[{"bank": "BOC", "like": "BOB"}]
    )
    assert cleaned == [{"bank": "BOC", "like": "BOB"}]


def test_the_daily_run_queues_the_forecasts_when_it_completes(world, settings, django_capture_on_commit_callbacks):
    """The COB's completion path queues the task on commit; it forecasts every active scenario for the date."""
    from riskfund.cob.services import cob_run

    settings.RISKFUND_FORECAST_AFTER_RUN = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cob_run(business_date=date(2024, 7, 31), today=date(2025, 12, 31))
    assert len(callbacks) >= 1
    made = Forecast.objects.filter(as_of=date(2024, 7, 31))
    assert made.count() == Scenario.objects.filter(active=True).count() == 3


def test_no_forecast_is_queued_when_the_setting_is_off(world, django_capture_on_commit_callbacks):
    from riskfund.cob.services import cob_run

    with django_capture_on_commit_callbacks(execute=True):
        cob_run(business_date=date(2024, 7, 31), today=date(2025, 12, 31))
    assert not Forecast.objects.exists()
