from datetime import date

from django.core.management.base import BaseCommand, CommandError

from riskfund.errors import RuleViolation
from riskfund.outlook.backtest import backtest_run
from riskfund.outlook.models import Scenario
from riskfund.outlook.services import forecast_compute


class Command(BaseCommand):
    help = (
        "Compute the stop-line forecast of every active scenario (or --scenario NAME) for the latest closed business "
        "date (or --as-of), stored with its inputs; with --backtest also the base scenario's back-test. Safe to run "
        "again: a stored forecast is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scenario", help="one scenario's name (default: every active scenario)")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="a closed business date")
        parser.add_argument("--backtest", action="store_true", help="also run the base scenario's back-test")

    def handle(self, *args, scenario, as_of, backtest, **options):
        scenarios = Scenario.objects.filter(name=scenario) if scenario else Scenario.objects.filter(active=True)
        if scenario and not scenarios.exists():
            raise CommandError(f"no scenario named {scenario!r}")
        try:
            for item in scenarios:
                forecast = forecast_compute(scenario=item, as_of=as_of)
                last = forecast.results["months"][-1]
                self.stdout.write(
                    f"{forecast.as_of} {item.name}: P(N/F ≥ threshold within {forecast.horizon} months) "
                    f"{last['crossed_probability']}, median month {forecast.crossing_month_p50}, "
                    f"N/F in {forecast.horizon} months p5 {last['ratio']['p5']} p50 {last['ratio']['p50']} "
                    f"p95 {last['ratio']['p95']} ({forecast.duration_ms} ms)"
                )
            if backtest:
                result = backtest_run(as_of=as_of)
                for horizon, figures in result.coverage.items():
                    inside = f"{figures['covered']}/{figures['total']}"
                    self.stdout.write(f"back-test m+{horizon}: {inside} inside p5–p95 ({figures['rate']})")
        except RuleViolation as exc:
            raise CommandError(exc.message) from exc
