"""``python manage.py bench_admin --runs 30``: server time of the dashboard, the loan list and a loan page of the
demo portfolio (``make demo``), DEBUG off, as the demo's bureau user; human lines, and JSON with ``--json PATH``
(``-`` for standard output). See tools/bench/measure_admin.py for what is measured."""

import json

from django.core.management.base import BaseCommand

from tools.bench.measure_admin import human_lines, measure_admin


class Command(BaseCommand):
    help = "Time the bureau's admin pages (dashboard, loan list, loan page): p50/p95 wall, CPU, SQL, queries."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--user", default="bureau", help="a staff user (the demo's bureau user by default)")
        parser.add_argument(
            "--json", dest="json_path", metavar="PATH", help="also write the figures as JSON (- for standard output)"
        )

    def handle(self, *args, runs, warmup, user, json_path: str | None, **options):
        result = measure_admin(user, runs=runs, warmup=warmup)
        self.stdout.write("\n".join(human_lines(result)))
        if json_path == "-":
            self.stdout.write(_dumps(result))
        elif json_path:
            with open(json_path, "w", encoding="utf-8") as out:
                out.write(_dumps(result) + "\n")


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1)
