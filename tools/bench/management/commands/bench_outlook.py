"""``python manage.py bench_outlook --as-of D --paths 1000``: one forecast over the whole book, timed; prints one
JSON line (tools/bench/measure_outlook.py runs it in a fresh process)."""

import json
import resource
import time
from datetime import date

import numpy as np
from django.core.management.base import BaseCommand

from riskfund.outlook.inputs import DEFAULT_SEED, effective_model, from_json, gather, to_json
from riskfund.outlook.projection import simulate
from riskfund.outlook.results import crossing_month_p50, funder_rows, monthly

# every roll possible: the most binomial draws a month can need (rows as in riskfund.outlook.chain)
DENSE = np.array(
    [
        [0.985, 0.005, 0.001, 0.0005, 0.0005, 0.007, 0.001],
        [0.90, 0.06, 0.01, 0.005, 0.005, 0.015, 0.005],
        [0.02, 0.10, 0.03, 0.01, 0.01, 0.82, 0.01],
        [0.25, 0.10, 0.35, 0.05, 0.02, 0.13, 0.10],
        [0.10, 0.05, 0.10, 0.40, 0.05, 0.10, 0.20],
        [0.05, 0.02, 0.03, 0.10, 0.45, 0.10, 0.25],
        [0.03, 0.01, 0.01, 0.02, 0.55, 0.08, 0.30],
    ]
)


class Command(BaseCommand):
    help = "Time one stop-line forecast over every active loan (for tools/bench/measure_outlook.py)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, required=True)
        parser.add_argument("--paths", type=int, default=1000)

    def handle(self, *args, as_of, paths, **options):
        began = time.perf_counter()
        inputs = gather(as_of)
        gathered = time.perf_counter()
        inputs.estimate.banks[:] = DENSE
        matrices, curve = effective_model(inputs, {"roll_multiplier": "1", "recovery_haircut": "0"})
        stored = from_json(to_json(inputs, matrices, curve))
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        simulated = simulate(stored.book, stored.funds, stored.matrices, stored.curve, paths=paths, seed=DEFAULT_SEED)
        months = monthly(simulated, stored.funds, stored.months)
        funder_rows(simulated, stored.funds, stored.codes, stored.tiers)
        crossing = crossing_month_p50(simulated, stored.funds.threshold)
        projected_wall, projected_cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
        book = stored.book
        result = {
            "as_of": as_of.isoformat(),
            "paths": paths,
            "active_loans": int(book.scheduled.sum() + book.carried.sum()),
            "cohorts": len(book.bank),
            "gather_seconds": gathered - began,
            "projection_seconds": projected_wall,
            "projection_cpu": projected_cpu,
            "total_seconds": time.perf_counter() - began,
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "ratio_p50_12": str(months[-1]["ratio"]["p50"]),
            "crossed_12": str(months[-1]["crossed_probability"]),
            "crossing_month_p50": crossing,
        }
        self.stdout.write(json.dumps(result))
