"""``python manage.py issue_bank_key <BANK_CODE> [--expires YYYY-MM-DD] [--name NAME]`` (API.md, Operations).

Issues an API key for the bank and prints it alone on its LAST line (scripts take ``tail -n 1``). The key is
shown only this once: only its SHA-256 is stored (banks/auth.py). ``--expires`` is the last day the key works
(it stops at the end of that day, Asia/Shanghai).
"""

from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from banks.auth import bank_api_key_issue
from riskfund.parties.models import Bank


def _expiry(text: str | None):
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(f"--expires must be YYYY-MM-DD, not {text!r}") from None
    if day < timezone.localdate():
        raise CommandError(f"--expires {day} is in the past")
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class Command(BaseCommand):
    help = "Issue an API key for a bank; the key is printed alone on the last line and never shown again."

    def add_arguments(self, parser):
        parser.add_argument("bank_code", help="the bank's code (parties.Bank.code)")
        parser.add_argument("--expires", metavar="YYYY-MM-DD", help="last day the key works (default: no expiry)")
        parser.add_argument("--name", default="", help='what the key is for, e.g. "core banking"')

    def handle(self, *args, **options):
        try:
            bank = Bank.objects.get(code=options["bank_code"])
        except Bank.DoesNotExist:
            raise CommandError(f"no bank with code {options['bank_code']!r}") from None
        expires_at = _expiry(options["expires"])
        row, key = bank_api_key_issue(bank=bank, name=options["name"], expires_at=expires_at)
        until = timezone.localtime(expires_at).isoformat() if expires_at else "no expiry"
        self.stdout.write(f"Issued key rf_{row.prefix}_… for {bank.code} ({bank.name}); expires: {until}.")
        self.stdout.write("Store it now: it is not kept and cannot be shown again.")
        self.stdout.write(key)
