from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo superuser for `make demo` (idempotent: an existing user keeps its data, gets the password)."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="demo")
        parser.add_argument("--password", required=True)

    def handle(self, *args, user: str, password: str, **options):
        User = get_user_model()
        account, created = User.objects.get_or_create(username=user, defaults={"email": f"{user}@riskfund.invalid"})
        account.is_staff = account.is_superuser = True
        account.set_password(password)
        account.save()
        self.stdout.write(f"demo superuser {'created' if created else 'updated'}: {user}")
