from django.core.management.base import BaseCommand

from riskfund.access import sync_role_groups
from riskfund.pool.seed import seed_pool


class Command(BaseCommand):
    help = (
        "Seed the reference data (2021 policy, LPR, SME standard), the funders and pool accounts, "
        "and the role groups. Safe to run again."
    )

    def handle(self, *args, **options):
        from riskfund.policy.seed import seed_reference_data

        reference = seed_reference_data()
        self.stdout.write(f"reference data: {reference if reference is not None else 'done'}")
        funders = seed_pool()
        self.stdout.write(
            f"funders created: {funders['funders']}, accounts opened: {funders['accounts']}, "
            f"pool state created: {funders['pool_state']}"
        )
        counts = sync_role_groups()
        self.stdout.write("role groups (permissions): " + ", ".join(f"{role} ({n})" for role, n in counts.items()))
