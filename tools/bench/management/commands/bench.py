"""``python manage.py bench --out BENCHMARKS.md`` (``make bench``): every figure of the scale issue in ONE run on
PostgreSQL, each next to its bare baseline, written as a table to ``--out``.

By default the database of ``DATABASE_URL`` is dropped and created afresh (only when its name contains "bench"),
migrated, and loaded with ``generate_portfolio`` (1,100,000 loans of which 93 % are active: over 1,000,000 active
loans for the COB). ``--reuse`` keeps a database already loaded (for working on one section with ``--only``).
"""

import os
import time
from datetime import date
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

from riskfund.lending.models import Loan
from riskfund.parties.models import Bank
from tools.bench.bulk import may_bypass_triggers
from tools.bench.generate import DEFAULT_AS_OF, generate_portfolio
from tools.bench.measure_api import measure_api
from tools.bench.measure_cob import measure_cob
from tools.bench.measure_cob_workers import measure_cob_workers
from tools.bench.measure_imports import measure_imports
from tools.bench.measure_mixed import measure_mixed
from tools.bench.measure_outlook import measure_outlook
from tools.bench.measure_position import fill_ledger, measure_position
from tools.bench.measure_postings import measure_postings
from tools.bench.measure_statement import measure_statement
from tools.bench.profile_registration import profile_lines, registration_profile
from tools.bench.report import write_report

SECTIONS = ("cob", "cob_workers", "statement", "postings", "api", "mixed", "position", "imports", "outlook")
BANK_SHARES = [10] * 10 + [1]  # ten banks of ~100,000 loans and one of ~10,000 (the statement's two sizes)
PG_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "max_wal_size",
    "synchronous_commit",
    "jit",
)


def _recreate_database() -> None:
    db = settings.DATABASES["default"]
    name = db["NAME"]
    if "bench" not in name:
        raise CommandError(f"refusing to drop {name!r}: the bench only recreates a database whose name says 'bench'")
    connections.close_all()
    params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None}
    params["password"] = db.get("PASSWORD") or None
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _pg_info() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        values = {}
        for name in PG_SETTINGS:
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    return {"version": version, "settings": values}


class Command(BaseCommand):
    help = "Measure every scale figure against its bare baseline on PostgreSQL and write BENCHMARKS.md."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", default="BENCHMARKS.md")
        parser.add_argument("--loans", type=int, default=1_100_000)
        parser.add_argument("--entries", type=int, default=10_000_000, help="ledger entries for the position read")
        parser.add_argument("--api-requests", type=int, default=1000)
        parser.add_argument("--api-workers", type=int, default=4)
        parser.add_argument("--api-clients", type=int, default=4)
        parser.add_argument("--mixed-seconds", type=float, default=20, help="length of the mixed workload")
        parser.add_argument("--posting-workers", type=int, default=4)
        parser.add_argument(
            "--import-loans",
            type=int,
            default=2_000,
            help="loans of the book the import reads (~14,000 rows, ~12 min; 10,000 loans take about an hour)",
        )
        parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
        parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds loans")
        parser.add_argument(
            "--fill-with-triggers",
            action="store_true",
            help="fill the ledger with every per-row trigger in force (~3× slower) instead of checking the same rules "
            "set-wise after a trigger-less fill",
        )

    def log(self, message: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.began:7.1f} s] {message}")
        self.stdout.flush()

    def section(self, name: str, function, *args, **kwargs):
        before = os.getloadavg()[0]
        self.log(f"== {name} (load {before:.1f})")
        began = time.monotonic()
        result = function(*args, **kwargs)
        self.results["sections"][name] = (before, os.getloadavg()[0])
        self.results["notes"].append(f"{name}: {time.monotonic() - began:.0f} s")
        return result

    def handle(self, *args, **options):
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("the benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
        only = set(options["only"].split(","))
        if only - set(SECTIONS):
            raise CommandError(f"--only: unknown sections {sorted(only - set(SECTIONS))}")
        self.began = time.monotonic()
        settings.RISKFUND_FORECAST_AFTER_RUN = False  # the COB timed alone; the forecast has its own section
        load = os.getloadavg()[0]
        self.results = {"started": timezone.localtime(), "sections": {}, "notes": []}
        self.results.update(dict.fromkeys(SECTIONS))
        as_of = DEFAULT_AS_OF

        loaded = options["reuse"] and self._has_loans()
        if not loaded:
            self.section("create and migrate the database", self._fresh)
            summary = self.section(
                "generate_portfolio",
                generate_portfolio,
                loans=options["loans"],
                enterprises=options["loans"] // 3,
                banks=len(BANK_SHARES),
                bank_shares=BANK_SHARES,
                as_of=as_of,
                log=self.log,
            )
            self.results["notes"].append(
                f"portfolio: {summary['loans']:,} loans {summary['fates']}, {summary['enterprises']:,} enterprises, "
                f"{summary['banks']} banks, rows {summary['rows']}"
            )
            self.section("VACUUM ANALYZE", self._vacuum)
        self.results["pg"] = _pg_info()
        banks = list(Bank.objects.filter(code__startswith="BENCH").order_by("code"))
        big, small = banks[0], banks[-1]

        # first: its workers are forked, and a fork after the COB-over-workers section (Celery clients in this
        # process) hung in a lock copied in its taken state (2026-12-03: four children in futex_wait for 8 min)
        if "postings" in only:
            self.results["postings"] = self.section(
                "postings",
                measure_postings,
                [b.code for b in banks],
                as_of,
                self.log,
                workers=options["posting_workers"],
            )
        if "cob" in only:
            self.results["cob"] = self.section("COB", measure_cob, as_of, self.log)
        if "cob_workers" in only and settings.CELERY_BROKER_URL:
            workers = self.section("COB over Celery workers", measure_cob_workers, as_of, as_of, self.log)
            self.results["notes"].append(
                f"COB over real Celery workers on Redis ({workers['ranges']} loan-id ranges, {workers['loans']:,} loan "
                f"status rows; each run from a first run's state): in-process {workers['in_process']:.1f} s, "
                f"1 worker {workers['workers_1']:.1f} s, 2 workers {workers['workers_2']:.1f} s"
            )
        if "outlook" in only:
            self.results["outlook"] = self.section("stop-line forecast", measure_outlook, as_of, self.log)
        if "statement" in only:
            self.results["statement"] = self.section(
                "statement", measure_statement, big, small, as_of.strftime("%Y-%m"), self.log
            )
        if "api" in only:
            log_dir = Path(settings.BASE_DIR) / "var"
            log_dir.mkdir(exist_ok=True)
            self.results["api"] = self.section(
                "API",
                measure_api,
                small,
                date(2026, 4, 20),
                self.log,
                requests=options["api_requests"],
                workers=options["api_workers"],
                concurrency=options["api_clients"],
                log_dir=log_dir,
            )
            profile = self.section("registration profile", registration_profile, small, date(2026, 4, 20))
            for line in profile_lines(profile):
                self.log(line)
                self.results["notes"].append(line)
        if "mixed" in only:
            self.results["mixed"] = self.section(
                "mixed workload",
                measure_mixed,
                small,
                big,
                date(2026, 4, 20),
                as_of,
                self.log,
                seconds=options["mixed_seconds"],
                workers=options["api_workers"],
                concurrency=options["api_clients"],
                log_dir=Path(settings.BASE_DIR) / "var",
            )
        if "position" in only:
            fill = self.section(
                "ledger fill",
                fill_ledger,
                options["entries"],
                as_of,
                big.code,
                self.log,
                bypass=not options["fill_with_triggers"] and may_bypass_triggers(),
            )
            self.results["notes"].append(
                f"ledger fill: {fill['added']:,} entries added in {fill['seconds']:.0f} s, "
                + ("per-row triggers skipped, then checked set-wise: " if fill["bypass"] else "triggers in force; ")
                + f"{fill.get('unbalanced', 0)} unbalanced fill transactions, {fill.get('orphans', 0)} orphan entries, "
                f"{fill['balances_moved']} running balances differing from their entries"
            )
            self.results["position"] = self.section("pool position", measure_position, as_of, self.log)
        if "imports" in only:
            self.results["imports"] = self.section(
                "book import", measure_imports, self.log, loans=options["import_loans"]
            )

        self.results["total_seconds"] = time.monotonic() - self.began
        self.results["load"] = (load, os.getloadavg()[0])
        out = Path(options["out"])
        write_report(out, self.results)
        self.log(f"wrote {out} ({self.results['total_seconds'] / 60:.1f} min)")

    @staticmethod
    def _has_loans() -> bool:
        try:
            return Loan.objects.exists()
        except Exception:  # no database or no tables yet: load it
            return False

    def _fresh(self) -> None:
        _recreate_database()
        call_command("migrate", verbosity=0)

    @staticmethod
    def _vacuum() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
