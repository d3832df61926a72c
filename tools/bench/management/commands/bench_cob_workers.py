"""``python manage.py bench_cob_workers --as-of D``: the daily close of business in-process and over 1 and 2 real
Celery worker processes on Redis (tools/bench/measure_cob_workers.py), on the portfolio already in the database;
prints one line a figure with the load average beside it."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand

from tools.bench.generate import DEFAULT_AS_OF
from tools.bench.measure_cob_workers import measure_cob_workers


class Command(BaseCommand):
    help = "Time the COB in-process and over 1 and 2 Celery workers (needs CELERY_BROKER_URL, a Redis database)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF)

    def handle(self, *args, as_of, **options):
        settings.RISKFUND_FORECAST_AFTER_RUN = False  # the COB timed alone
        measure_cob_workers(as_of, as_of, lambda line: self.stdout.write(line))
