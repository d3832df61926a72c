from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from riskfund.parties.seed import seed_funders

ROLE_GROUPS = ["bureau", "trustee", "district", "auditor"]


class Command(BaseCommand):
    help = (
        "Seed the reference data (2021 policy, LPR, SME standard), the funders and pool accounts, "
        "and the role groups. Safe to run again."
    )

    def handle(self, *args, **options):
        from riskfund.policy.seed import seed_reference_data

        reference = seed_reference_data()
        self.stdout.write(f"reference data: {reference if reference is not None else 'done'}")
        funders = seed_funders()
        self.stdout.write(
            f"funders created: {funders['funders']}, accounts opened: {funders['accounts']}, "
            f"pool state created: {funders['pool_state']}"
        )
        new_groups = [name for name in ROLE_GROUPS if Group.objects.get_or_create(name=name)[1]]
        self.stdout.write(f"role groups created: {', '.join(new_groups) if new_groups else 'none'}")
