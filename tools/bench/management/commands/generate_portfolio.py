"""``python manage.py generate_portfolio --loans N --enterprises M --banks K [--seed S] [--as-of DATE]``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tools.bench.generate import DEFAULT_AS_OF, generate_portfolio


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not YYYY-MM-DD") from exc


def _shares(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",")]
    except ValueError as exc:
        raise CommandError(f"--bank-shares: {value!r} is not a comma-separated list of integers") from exc


class Command(BaseCommand):
    help = (
        "Load a consistent synthetic portfolio (enterprises, loans with schedules and repayments, overdue, repaid "
        "and compensated loans with their ledger postings, injections, deposits) into a freshly migrated database: "
        "COPY on PostgreSQL, bulk_create on SQLite (small N). Every balance and counter is set from the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loans", type=int, required=True)
        parser.add_argument("--enterprises", type=int, help="default: loans ÷ 3 (at least 1)")
        parser.add_argument("--banks", type=int, default=5)
        parser.add_argument("--bank-shares", type=_shares, help="relative share of the loans per bank, e.g. 10,10,1")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--as-of", type=_iso_date, default=DEFAULT_AS_OF, help=f"the portfolio's date (default {DEFAULT_AS_OF})"
        )

    def handle(self, *args, **options):
        try:
            summary = generate_portfolio(
                loans=options["loans"],
                enterprises=options["enterprises"] or max(1, options["loans"] // 3),
                banks=options["banks"],
                seed=options["seed"],
                as_of=options["as_of"],
                bank_shares=options["bank_shares"],
                log=self.stdout.write,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"portfolio: {summary['loans']} loans {summary['fates']}, {summary['enterprises']} enterprises, "
            f"{summary['banks']} banks; outstanding {summary['outstanding']}, net compensation "
            f"{summary['net_compensation']}; {summary['seconds']} s"
        )
