"""A mixed workload through the API served by gunicorn (the server and client of ``measure_api``): loan
registrations, repayments and reads at once for ``seconds``, each kind from its own clients, so that writers that meet
on the ``PoolState`` row (last in the lock order, riskfund/pool/posting.py), the district's ``Funder`` row and the
bank's row run beside reads that take no lock.

- registration: ``POST /api/v1/loans/`` by the small bank, each with its own approved recommendation for a fresh
  enterprise (as in ``measure_api``);
- repayment: ``POST /api/v1/loans/{id}/repayments/`` by the largest bank, 100.00 of principal on one of its
  active loans in turn, paid on the portfolio's date;
- reads: ``GET /api/v1/pool/`` (the pool position) and ``GET /api/v1/loans/{id}/`` (a loan with its schedule,
  repayments and events) by the largest bank.

Per kind: throughput over its clients' time, p50 and p99, and the answers that were not 200/201 (errors, which
must be 0); overall throughput; the 1-minute load average before and after. Goal per kind: p99 ≤ 3 × p50.
"""

import json
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from itertools import cycle
from pathlib import Path

from django.db import connections

from banks.auth import bank_api_key_issue
from riskfund.lending.models import Loan
from riskfund.parties.models import Bank

from .loaddriver import Request, run_load
from .measure_api import Server, prepare_recommendations, register_requests

KINDS = ("registration", "repayment", "pool position", "loan detail")
REPAID = Decimal("100.00")


def _headers(key: str, idempotency: str | None = None) -> dict:
    headers = {"Authorization": f"Api-Key {key}", "X-Forwarded-Proto": "https"}
    if idempotency:
        headers |= {"Idempotency-Key": idempotency, "Content-Type": "application/json"}
    return headers


def _loans(bank: Bank, count: int) -> list[str]:
    """``count`` repayments' loans: the bank's active loans in turn, each able to repay every 100.00 it gets."""
    rows = list(
        Loan.objects.filter(bank=bank, status="active", outstanding_principal__gte=REPAID * 20)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    if len(rows) * 20 < count:
        raise ValueError(f"{bank.code} has too few active loans for {count} repayments")
    return [str(pk) for pk, _ in zip(cycle(rows), range(count), strict=False)]


def mixed_requests(
    *, registrar: Bank, servicer: Bank, supply: int, disbursed_on: date, paid_on: date
) -> dict[str, list[Request]]:
    """Per kind, more requests than its clients can send in the time: ``supply`` writes of each kind, 10× as many
    reads."""
    _, register_key = bank_api_key_issue(bank=registrar, name="bench mixed")
    _, service_key = bank_api_key_issue(bank=servicer, name="bench mixed")
    tag = secrets.token_hex(3)
    recommendations = prepare_recommendations(registrar, supply, disbursed_on)
    body = json.dumps({"paid_on": paid_on.isoformat(), "principal": str(REPAID), "interest": "0.00"}).encode()
    read = _headers(service_key)
    loans = _loans(servicer, 10 * supply)
    return {
        "registration": register_requests(register_key, recommendations, disbursed_on, f"mixed-{tag}"),
        "repayment": [
            Request("POST", f"/api/v1/loans/{loan}/repayments/", _headers(service_key, f"mixed-{tag}-{n}"), body)
            for n, loan in enumerate(loans[:supply])
        ],
        "pool position": [Request("GET", "/api/v1/pool/", read)] * (10 * supply),
        "loan detail": [Request("GET", f"/api/v1/loans/{loan}/", read) for loan in loans],
    }


def _at_once(port: int, requests: dict[str, list[Request]], clients: int, seconds: float) -> dict:
    """Every kind's load at the same time, each from ``clients`` threads, until ``seconds`` have passed."""
    until = time.perf_counter() + seconds
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = {
            kind: pool.submit(run_load, "127.0.0.1", port, batch, concurrency=clients, until=until)
            for kind, batch in requests.items()
        }
        return {kind: future.result() for kind, future in futures.items()}


def _kind(part) -> dict:
    errors = sum(n for status, n in part.statuses.items() if status not in (200, 201))
    return {
        "count": part.count,
        "rate": part.rate,
        "p50": part.percentile(50),
        "p99": part.percentile(99),
        "errors": errors,
        "first_error": part.first_error,
    }


def measure_mixed(
    registrar: Bank, servicer: Bank, disbursed_on: date, paid_on: date, log, *, seconds, workers, concurrency, log_dir
):
    clients = max(1, concurrency // len(KINDS))
    dates = {"registrar": registrar, "servicer": servicer, "disbursed_on": disbursed_on, "paid_on": paid_on}
    warm = mixed_requests(supply=workers, **dates)
    measured = mixed_requests(supply=int(60 * seconds), **dates)  # more than ~60 writes/s of each kind would use
    connections.close_all()
    Path(log_dir).mkdir(exist_ok=True)
    with Server(workers, Path(log_dir)) as server:
        _at_once(server.port, warm, clients, seconds)
        load_before = os.getloadavg()[0]
        results = _at_once(server.port, measured, clients, seconds)
        load_after = os.getloadavg()[0]
    kinds = {kind: _kind(results[kind]) for kind in KINDS}
    for kind, k in kinds.items():
        log(
            f"mixed {kind}: {k['rate']:.1f}/s, p50 {k['p50'] * 1000:.1f} ms, p99 {k['p99'] * 1000:.1f} ms, "
            f"errors {k['errors']} {k['first_error']}"
        )
    total = sum(k["count"] for k in kinds.values())
    elapsed = max(result.seconds for result in results.values())
    log(f"mixed overall: {total / elapsed:.1f}/s over {elapsed:.1f} s, load {load_before:.1f} → {load_after:.1f}")
    return {
        "kinds": kinds,
        "overall": total / elapsed,
        "seconds": elapsed,
        "workers": workers,
        "clients": clients,
        "load": (load_before, load_after),
    }


def mixed_rows(m: dict | None) -> list[tuple]:
    """BENCHMARKS.md rows (figure, measured, baseline, comparison, goal, met): one per kind, then the whole."""
    if not m:
        return []
    load = f"load {m['load'][0]:.1f} → {m['load'][1]:.1f}"
    rows = []
    for kind, k in m["kinds"].items():
        ratio = k["p99"] / k["p50"] if k["p50"] else float("inf")
        rows.append(
            (
                f"Mixed workload (gunicorn {m['workers']} workers, {m['clients']} client(s) per kind): {kind}, "
                f"{k['count']} requests, {k['errors']} errors",
                f"{k['rate']:.1f} req/s (p50 {k['p50'] * 1000:.1f} ms, p99 {k['p99'] * 1000:.1f} ms)",
                load,
                f"p99 = {ratio:.1f} × p50",
                "p99 ≤ 3 × p50, 0 errors",
                "**met**" if ratio <= 3 and k["errors"] == 0 else "**not met**",
            )
        )
    total = sum(k["count"] for k in m["kinds"].values())
    rows.append(
        (
            "Mixed workload: all kinds together",
            f"{m['overall']:.1f} req/s ({total} requests in {m['seconds']:.1f} s)",
            load,
            "—",
            "stated (no goal)",
            "—",
        )
    )
    return rows
