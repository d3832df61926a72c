"""Server time of the bureau's admin pages (issue 13: the dashboard and the loan list under 150 ms with the demo
portfolio): each page requested through Django's whole handler (middleware, view, templates) in this process, with
DEBUG off, logged in as a bureau user, ``runs`` times after ``warmup`` requests.

Per page: wall time (``time.perf_counter``), CPU time of this process (``time.process_time``: Python, templates,
the database driver — not the PostgreSQL server's own work), SQL time (every statement timed by a
``connection.execute_wrapper``) and the number of statements; p50 and p95 over the runs. The dashboard is also
measured uncached, as the first request after a write finds it (riskfund/dashboard/cache.py).
"""

import math
import os
import statistics
import time
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from riskfund.lending.models import Loan, LoanStatus

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class StatementTimer:
    """A ``connection.execute_wrapper``: counts the statements and sums the seconds they take."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.count += 1


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p50 of 30 runs is the 15th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def sample_loan() -> Loan | None:
    """The loan page measured: a compensated loan (the fullest page: schedule, repayments, events, compensation,
    recoveries), else any loan."""
    loans = Loan.objects.order_by("contract_no")
    return loans.filter(status=LoanStatus.COMPENSATED).first() or loans.first()


def time_page(client: Client, path: str, runs: int, warmup: int) -> dict:
    for _ in range(warmup):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    wall, cpu, sql, queries = [], [], [], []
    for _ in range(runs):
        timer = StatementTimer()
        with connection.execute_wrapper(timer):
            wall_began, cpu_began = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpu.append(time.process_time() - cpu_began)
            wall.append(time.perf_counter() - wall_began)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        sql.append(timer.seconds)
        queries.append(timer.count)
    return {
        "path": path,
        "runs": runs,
        "bytes": len(response.content),
        **{f"wall_{p}_ms": percentile(wall, f) * 1000 for p, f in (("p50", 0.5), ("p95", 0.95))},
        **{f"cpu_{p}_ms": percentile(cpu, f) * 1000 for p, f in (("p50", 0.5), ("p95", 0.95))},
        **{f"sql_{p}_ms": percentile(sql, f) * 1000 for p, f in (("p50", 0.5), ("p95", 0.95))},
        "wall_mean_ms": statistics.fmean(wall) * 1000,
        "queries": int(statistics.median(queries)),
    }


def measure_admin(username: str, runs: int = 30, warmup: int = 3) -> dict:
    """Every page's figures (see the module docstring) with the load average before and after."""
    user = get_user_model().objects.get(username=username)
    loan = sample_loan()
    pages = {
        "dashboard": reverse("admin:index"),
        "loan_list": reverse("admin:lending_loan_changelist"),
    }
    if loan is not None:
        pages["loan_page"] = reverse("admin:lending_loan_change", args=[loan.pk])
    load_before = os.getloadavg()
    results = {}
    with override_settings(DEBUG=False):
        client = Client()
        client.force_login(user, backend=MODEL_BACKEND)
        for name, path in pages.items():
            results[name] = time_page(client, path, runs, warmup)
        with mock.patch("riskfund.dashboard.cache.data_version", return_value=None):
            results["dashboard_uncached"] = time_page(client, pages["dashboard"], runs, warmup)
    return {
        "user": username,
        "loans": Loan.objects.count(),
        "database": connection.vendor,
        "load": [load_before[0], os.getloadavg()[0]],
        "pages": results,
    }


def human_lines(result: dict) -> list[str]:
    lines = [
        f"admin pages as {result['user']!r}, {result['loans']:,} loans on {result['database']}, "
        f"load {result['load'][0]:.2f} → {result['load'][1]:.2f}"
    ]
    for name, page in result["pages"].items():
        lines.append(
            f"  {name:22} p50 {page['wall_p50_ms']:6.1f} ms  p95 {page['wall_p95_ms']:6.1f} ms  "
            f"(CPU p50 {page['cpu_p50_ms']:5.1f} ms, SQL p50 {page['sql_p50_ms']:5.1f} ms, "
            f"{page['queries']} queries, {page['runs']} runs)  {page['path']}"
        )
    return lines
