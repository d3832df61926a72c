import logging
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Create the demo superuser for `make demo` (idempotent: an existing user keeps its data, gets the password); "
        "with --portfolio also the demo users per role and a realistic demo portfolio built through the services, "
        "with a daily close of business (skipped when the demo portfolio is already there)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", default="demo")
        parser.add_argument("--password", required=True)
        parser.add_argument("--portfolio", action="store_true", help="load the demo portfolio and role users")
        parser.add_argument("--enterprises", type=int, default=300, help="enterprises in the portfolio (300)")
        parser.add_argument(
            "--until", type=date.fromisoformat, default=None, help="last simulated business date (yesterday)"
        )
        parser.add_argument("--no-cob", action="store_true", help="skip the daily close of business (no history)")

    def handle(self, *args, user: str, password: str, portfolio: bool, enterprises: int, until, no_cob, **options):
        User = get_user_model()
        account, created = User.objects.get_or_create(username=user, defaults={"email": f"{user}@riskfund.invalid"})
        account.is_staff = account.is_superuser = True
        account.set_password(password)
        account.save()
        self.stdout.write(f"demo superuser {'created' if created else 'updated'}: {user}")
        if not portfolio:
            return
        from tools.demo.cast import demo_loaded, demo_users
        from tools.demo.portfolio import load_portfolio

        # the in-process Celery tasks (webhooks to banks with no endpoint) log every run at INFO: keep it quiet
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        passwords = demo_users()
        today = timezone.localdate()
        if demo_loaded():
            self.stdout.write("demo portfolio already loaded: skipped")
        else:
            self.stdout.write("loading the demo portfolio (through the services, one close of business a day)…")
            counts = load_portfolio(
                enterprises=enterprises,
                until=until or today - timedelta(days=1),
                today=today,
                cob=not no_cob,
                log=self.stdout.write,
            )
            for key, value in sorted(counts.items()):
                self.stdout.write(f"  {key}: {value}")
            if not no_cob:
                # once, after loading (the daily runs' own forecasts skip every date but the last one)
                self.stdout.write("the stop-line forecast of every active scenario, and the back-test:")
                call_command("outlook_forecast", backtest=True, stdout=self.stdout)
        self.stdout.write("demo users (role: user / password):")
        from tools.demo.cast import DEMO_USER_ROLES

        for username, pw in passwords.items():
            self.stdout.write(f"  {DEMO_USER_ROLES[username]:8} {username} / {pw}")
