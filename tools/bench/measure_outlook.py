"""The stop-line forecast over the generated portfolio (issue 14): a projection of every active loan, 12 months,
1,000 paths, timed and measured in a fresh process (``manage.py bench_outlook``) so that its peak memory is its own.

The generated book has one closed business date of bucket history, so the estimated matrix would be the neutral
default (no loan ever compensated): the projection is timed with a dense matrix in which every roll has a positive
probability — the most draws per month, the worst case. The inputs themselves (loans, schedules, repayments, bucket
history → cohorts; the funders' money) are gathered from PostgreSQL as in production, and timed apart.
"""

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

from riskfund.cob.services import cob_run


def measure_outlook(as_of: date, log, *, paths: int = 1000) -> dict:
    cob_run(business_date=as_of, today=as_of + timedelta(days=1))  # the bucket history of as_of (done: no-op)
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_outlook"]
    command += ["--as-of", as_of.isoformat(), "--paths", str(paths)]
    before = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=os.environ.copy())  # noqa: S603
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = (before, os.getloadavg()[0])
    log(
        f"forecast: {result['active_loans']:,} active loans in {result['cohorts']} cohorts; inputs "
        f"{result['gather_seconds']:.1f} s, projection {result['projection_seconds']:.1f} s "
        f"(CPU {result['projection_cpu']:.1f} s), peak RSS {result['max_rss_mib']:.0f} MiB"
    )
    return result
