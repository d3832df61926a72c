"""Where a loan registration's time goes: the same request as the load test (the bank's key, its own idempotency
key, the same body), sent through Django's whole handler in this process, every SQL statement counted, timed and
grouped by what it does to which table. The profile behind the registration row of BENCHMARKS.md.

Run after the load test, on the same database: ``warmup`` registrations first (URL resolver, serializer and
first-use caches), then ``runs`` measured ones; the grouping is of the last, the times are medians.
"""

import re
import secrets
import statistics
import time
from collections import Counter
from datetime import date

from django.db import connection
from django.test import Client, override_settings

from banks.auth import bank_api_key_issue
from riskfund.parties.models import Bank

from .measure_admin import StatementTimer
from .measure_api import prepare_recommendations, register_requests

_VERB = re.compile(r"^\s*(\w+)")
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)


class StatementLog(StatementTimer):
    """A ``StatementTimer`` that also keeps each statement's verb and first table."""

    def __init__(self) -> None:
        super().__init__()
        self.kinds: Counter[str] = Counter()

    def __call__(self, execute, sql, params, many, context):
        verb = _VERB.match(sql)
        table = _TABLE.search(sql)
        self.kinds[f"{verb.group(1).upper() if verb else '?'} {table.group(1) if table else ''}".strip()] += 1
        return super().__call__(execute, sql, params, many, context)


def registration_profile(bank: Bank, disbursed_on: date, *, warmup: int = 3, runs: int = 7) -> dict:
    _, key = bank_api_key_issue(bank=bank, name="bench-profile")
    recommendations = prepare_recommendations(bank, warmup + runs, disbursed_on)
    requests = register_requests(key, recommendations, disbursed_on, f"p{secrets.token_hex(3)}")
    walls, cpus, sqls, counts = [], [], [], []
    with override_settings(DEBUG=False):
        client = Client()
        for n, request in enumerate(requests):
            log = StatementLog()
            headers = {k: v for k, v in request.headers.items() if k not in ("Content-Type", "X-Forwarded-Proto")}
            began, cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(log):
                response = client.post(
                    request.path, request.body, content_type="application/json", headers=headers, secure=True
                )
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            if response.status_code != 201:
                raise RuntimeError(f"registration answered {response.status_code}: {response.content[:300]!r}")
            if n >= warmup:
                walls.append(wall)
                cpus.append(cpu)
                sqls.append(log.seconds)
                counts.append(log.count)
    return {
        "runs": runs,
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "sql": statistics.median(sqls),
        "queries": counts[-1],
        "kinds": log.kinds.most_common(),
    }


def profile_lines(profile: dict) -> list[str]:
    """The profile as report lines: the medians, then the statements by verb and table, most frequent first."""
    kinds = ", ".join(f"{name} ×{count}" for name, count in profile["kinds"])
    return [
        f"one registration in this process (median of {profile['runs']}): {profile['wall'] * 1000:.1f} ms wall, "
        f"{profile['cpu'] * 1000:.1f} ms CPU in Python (the handler, DRF, the ORM, the driver), "
        f"{profile['sql'] * 1000:.1f} ms waiting on {profile['queries']} SQL statements",
        f"its statements by verb and table: {kinds}",
    ]
