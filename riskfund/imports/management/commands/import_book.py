"""``python manage.py import_book FILE [--commit] [--errors OUT.xlsx] [--language en]``: import a book.

Without ``--commit`` the book is validated only (a dry run through the services; nothing is written). With it,
the book is validated and, when no row is refused, written in the same pass — all or nothing — and the daily
close runs for the last date it touched. Every problem is printed (sheet, row, column, code, message), then the
rows already in riskfund, the counts per sheet and the pool position before and after. ``--errors`` writes the
annotated copy of the workbook. The run is recorded like an upload (source: command line), with the full scope
of the bureau. Exit status 1 when there are problems.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from riskfund.errors import RuleViolation
from riskfund.imports.models import ImportRun
from riskfund.imports.services import import_create, import_process


class Command(BaseCommand):
    help = "Validate (and with --commit write) a book in the import template."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="write the book when no row is refused")
        parser.add_argument("--errors", help="write the annotated copy of the workbook here when there are problems")
        parser.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with path.open("rb") as handle:
                run = import_create(
                    file=handle, filename=path.name, source=ImportRun.Source.COMMAND, commit=options["commit"]
                )
        except RuleViolation as exc:
            raise CommandError(exc.message) from exc
        run = import_process(run_id=run.pk) or ImportRun.objects.get(pk=run.pk)
        self._report(run, english=options["language"] == "en")
        if options["errors"] and run.annotated:
            with run.annotated.open("rb") as src:
                Path(options["errors"]).write_bytes(src.read())
            self.stdout.write(f"annotated copy: {options['errors']}")
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(run.error)
        if run.problem_count:
            raise CommandError(f"{run.problem_count} problem(s); nothing was written")

    def _report(self, run: ImportRun, *, english: bool) -> None:
        key = "message_en" if english else "message"
        for p in run.problems:
            place = f"{p['sheet']}!{p['column']}{p['row'] or ''}"
            self.stdout.write(f"{place}\t{p['code']}\t{p[key]}")
        for row in run.existing_rows:
            self.stdout.write(f"already in riskfund: {row['sheet']} row {row['row']} ({row['key']})")
        self.stdout.write(
            f"rows: {run.rows_total}; to write: {run.written}; already there: {run.existing}; skipped: {run.skipped}"
        )
        before, after = run.preview.get("before", {}), run.preview.get("after", {})
        for name in (
            "pool_funds",
            "net_compensation",
            "pool_balance",
            "credit_capacity",
            "outstanding_principal",
            "suspended",
        ):
            self.stdout.write(f"{name}: {before.get(name)} → {after.get(name)}")
        self.stdout.write(
            f"status: {run.status}" + (f"; daily close run for {', '.join(run.cob_dates)}" if run.cob_dates else "")
        )
