"""``python manage.py create_staff USERNAME --role ROLE [--role ROLE…] [--district CODE]`` (API.md, Operations).

Creates or updates a staff user with exactly these roles (``bureau``, ``trustee``, ``district``, ``auditor``);
the password comes from ``RISKFUND_STAFF_PASSWORD`` or, for a new user, a prompt (an existing user keeps its
password unless the variable is set). Safe to run again.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from riskfund.access import ALL_ROLES
from riskfund.parties.staff import StaffInputError, staff_save


class Command(BaseCommand):
    help = "Create or update a staff user with its roles (and a district officer's district)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", required=True, choices=sorted(ALL_ROLES), dest="roles")
        parser.add_argument("--district", metavar="CODE", help="the division code a district officer sees")

    def handle(self, *args, username, roles, district, **options):
        password = os.environ.get("RISKFUND_STAFF_PASSWORD") or None
        if password is None and not get_user_model().objects.filter(username=username).exists():
            password = self._prompt()
        try:
            user = staff_save(username=username, roles=roles, district=district, password=password)
        except StaffInputError as exc:
            raise CommandError(str(exc)) from None
        scope = f", district {district}" if district else ""
        self.stdout.write(f"staff user {user.username}: {', '.join(sorted(set(roles)))}{scope}")

    def _prompt(self) -> str:
        first = getpass.getpass("Password: ")
        if not first or first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords are empty or differ; set RISKFUND_STAFF_PASSWORD to script this")
        return first
