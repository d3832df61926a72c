"""Loan registration through the API (POST /api/v1/loans/, ``Api-Key`` + ``Idempotency-Key``) served by gunicorn,
against a bare Django view doing one insert on the same server.

The server: ``gunicorn riskfund.wsgi`` on 127.0.0.1 and a free port, W sync workers, production settings
(``DJANGO_DEBUG=0``, a throw-away secret, persistent database connections) with ``tools.bench.settings`` (the
bare view's URL, a bank rate limit that does not stop the test). Requests carry ``X-Forwarded-Proto: https`` as
they would behind the TLS proxy of the README's production setup. The client: ``tools.bench.loaddriver``.

Each registration uses its own approved recommendation (for a fresh Baotou SME, so every origination check runs
and passes) and its own idempotency key; every answer must be a 201.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction

from banks.auth import bank_api_key_issue
from riskfund.lending.models import Application, Recommendation
from riskfund.parties.models import Agreement, Bank, Enterprise
from riskfund.policy.sme import classify_size

from .enterprises import DISTRICT_WEIGHTS, uscc
from .loaddriver import Request, run_load
from .views import BARE_TABLE

PRINCIPAL = "500000.00"
SERIAL_FROM = 900_000_000


def prepare_recommendations(bank: Bank, count: int, issued_on: date) -> list[str]:
    """``count`` approved recommendations to ``bank``, each for a fresh enterprise (ORM bulk_create)."""
    guarantor_id = Agreement.objects.get(bank=bank, status="active").guarantor_id
    size = classify_size(
        industry="industry", employees=40, revenue=Decimal("9000000.00"), total_assets=Decimal("7000000.00")
    )
    districts = list(DISTRICT_WEIGHTS)
    start = SERIAL_FROM + Enterprise.objects.filter(uscc__startswith="91").count()
    enterprises, applications, recommendations = [], [], []
    for n in range(count):
        serial = start + n
        enterprise = Enterprise(
            uscc=uscc(serial, districts[n % len(districts)]),
            name=f"接口测试企业{serial}有限公司",
            district_id=districts[n % len(districts)],
            industry="industry",
            employees=40,
            revenue=Decimal("9000000.00"),
            total_assets=Decimal("7000000.00"),
            established_on=date(2015, 1, 1),
            size_class=size,
        )
        application = Application(
            enterprise=enterprise,
            amount=Decimal(PRINCIPAL),
            term_months=12,
            status="recommended",
            submitted_on=issued_on - timedelta(days=10),
        )
        recommendation = Recommendation(
            application=application,
            form_no=f"API{serial}",
            bank=bank,
            guarantor_id=guarantor_id,
            amount=Decimal(PRINCIPAL),
            status="approved",
            issued_on=issued_on,
        )
        enterprises.append(enterprise)
        applications.append(application)
        recommendations.append(recommendation)
    with transaction.atomic():
        Enterprise.objects.bulk_create(enterprises, batch_size=1000)
        for application in applications:
            application.enterprise_id = application.enterprise.pk
        Application.objects.bulk_create(applications, batch_size=1000)
        for recommendation in recommendations:
            recommendation.application_id = recommendation.application.pk
        Recommendation.objects.bulk_create(recommendations, batch_size=1000)
    return [str(r.pk) for r in recommendations]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, process: subprocess.Popen, log_path: Path) -> None:
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/pool/", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


class Server:
    """gunicorn with the bench settings, as a context manager."""

    def __init__(self, workers: int, log_dir: Path) -> None:
        self.workers = workers
        self.port = _free_port()
        self.log_path = log_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tools.bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
            "DATABASE_CONN_MAX_AGE": "600",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "riskfund.wsgi:application", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--error-logfile", str(self.log_path)]
        self.process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603 — our own command
        _wait_ready(self.port, self.process, self.log_path)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def register_requests(key: str, recommendations: list[str], disbursed_on: date, tag: str) -> list[Request]:
    maturity = disbursed_on.replace(year=disbursed_on.year + 1)
    requests = []
    for n, recommendation in enumerate(recommendations):
        body = {
            "recommendation": recommendation,
            "contract_no": f"API-{tag}-{n:07d}",
            "principal": PRINCIPAL,
            "disbursed_on": disbursed_on.isoformat(),
            "maturity_on": maturity.isoformat(),
            "annual_rate": "3.4500",
            "repayment_method": "bullet",
            "counter_guarantees": [{"kind": "movable", "description": "设备抵押", "value": "800000.00"}],  # art. 28
        }
        headers = {
            "Authorization": f"Api-Key {key}",
            "Idempotency-Key": f"bench-{tag}-{n}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
        }
        requests.append(Request("POST", "/api/v1/loans/", headers, json.dumps(body).encode()))
    return requests


def _bare_requests(real: list[Request], tag: str) -> list[Request]:
    headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https"}
    out = []
    for n, request in enumerate(real):
        body = json.loads(request.body)
        body["contract_no"] = f"BARE-{tag}-{n:07d}"
        out.append(Request("POST", "/bench/bare/", headers, json.dumps(body).encode()))
    return out


def _summary(result) -> dict:
    return {
        "count": result.count,
        "rate": result.rate,
        "p50": result.percentile(50),
        "p99": result.percentile(99),
        "statuses": dict(result.statuses),
        "first_error": result.first_error,
    }


def measure_api(bank: Bank, disbursed_on: date, log, *, requests: int, workers: int, concurrency: int, log_dir: Path):
    with connection.cursor() as cursor:
        cursor.execute(BARE_TABLE)
    warm = 4 * workers
    recommendations = prepare_recommendations(bank, requests + warm, disbursed_on)
    _, key = bank_api_key_issue(bank=bank, name="bench")
    real = register_requests(key, recommendations, disbursed_on, secrets.token_hex(3))
    bare = _bare_requests(real, "b")
    connections.close_all()
    with Server(workers, log_dir) as server:
        run_load("127.0.0.1", server.port, real[:warm] + bare[:warm], concurrency=concurrency)
        api = run_load("127.0.0.1", server.port, real[warm:], concurrency=concurrency)
        log(
            f"POST /api/v1/loans/: {api.rate:.1f}/s, p50 {api.percentile(50) * 1000:.1f} ms, "
            f"p99 {api.percentile(99) * 1000:.1f} ms, statuses {dict(api.statuses)} {api.first_error}"
        )
        baseline = run_load("127.0.0.1", server.port, bare[warm:], concurrency=concurrency)
        log(
            f"bare view: {baseline.rate:.1f}/s, p50 {baseline.percentile(50) * 1000:.1f} ms, "
            f"p99 {baseline.percentile(99) * 1000:.1f} ms, statuses {dict(baseline.statuses)} {baseline.first_error}"
        )
    return {"api": _summary(api), "bare": _summary(baseline), "workers": workers, "concurrency": concurrency}
