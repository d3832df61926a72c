"""``python manage.py run_cob [--date YYYY-MM-DD]``: the daily close of business for a date.

The default is yesterday in Asia/Shanghai (SPEC §12, API.md Operations): the job closes the day that has ended.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from riskfund.cob.services import cob_run, default_business_date
from riskfund.errors import RuleViolation


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date: {value!r} is not YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "Run (or resume) the daily close of business for a business date (default: yesterday, Asia/Shanghai)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="business_date", type=_iso_date, help="YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, business_date: date | None = None, **options):
        business_date = business_date or default_business_date()
        try:
            run = cob_run(business_date=business_date)
        except RuleViolation as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        for step in run.steps.order_by("done_at", "id"):
            self.stdout.write(f"  {step.name}: {step.rows}")
        self.stdout.write(self.style.SUCCESS(f"COB {run.business_date.isoformat()} {run.status}"))
