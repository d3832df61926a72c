"""``python manage.py bench_import --loans 10000``: the import benchmark of issue 17 on a database of its own.

The database of ``DATABASE_URL`` (its name must say "bench") is dropped, created, migrated and bootstrapped: an
empty riskfund. A plain book of N loans with their repayments (``tools.bench.import_book``) is written in the
template, then imported the way the admin does it — validation (the dry run through the services, rolled back),
then the commit (replayed again and kept) — each timed; rows/s counts the book's data rows over both, and the load
average before and after says how busy the machine was. The ledger is verified afterwards. The result is printed
as one JSON line (the ``bench`` command's "imports" section reads it).
"""

import io
import json
import os
import time
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from riskfund.imports.export import book_bytes
from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book
from riskfund.lending.models import Loan, Repayment
from tools.bench.import_book import plain_book
from tools.bench.management.commands.bench import _recreate_database

TODAY = date(2026, 4, 30)


class Command(BaseCommand):
    help = "Time the import of a book of N loans with their repayments (validation + commit) into an empty riskfund."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--loans", type=int, default=10_000)

    def handle(self, *args, **options):
        _recreate_database()
        connection.close()
        call_command("migrate", verbosity=0)
        call_command("bootstrap", stdout=io.StringIO())
        began = time.perf_counter()
        data = book_bytes(plain_book(loans=options["loans"]))
        written = time.perf_counter() - began
        load_before = os.getloadavg()[0]
        began = time.perf_counter()
        dry = import_book(file=data, scope=Scope(), today=TODAY, commit=False)
        validation = time.perf_counter() - began
        problems = dry["outcome"].problems
        began = time.perf_counter()
        result = import_book(file=data, scope=Scope(), today=TODAY, commit=True)
        commit = time.perf_counter() - began
        out = io.StringIO()
        call_command("verify_ledger", stdout=out)
        rows = result["book"].count
        print(
            json.dumps(
                {
                    "loans": Loan.objects.count(),
                    "repayments": Repayment.objects.count(),
                    "rows": rows,
                    "bytes": len(data),
                    "write_seconds": round(written, 2),
                    "validation_seconds": round(validation, 2),
                    "commit_seconds": round(commit, 2),
                    "rows_per_second": round(rows / (validation + commit), 1),
                    "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                    "problems": len(problems) + len(result["outcome"].problems),
                    "committed": result["committed"],
                    "ledger_verified": "ledger verified" in out.getvalue(),
                }
            )
        )
