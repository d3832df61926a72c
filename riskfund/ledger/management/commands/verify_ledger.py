from django.core.management.base import BaseCommand, CommandError

from riskfund.ledger.models import Account
from riskfund.ledger.selectors import recomputed_balances, unbalanced_transactions


class Command(BaseCommand):
    help = "Recompute every account balance from its entries and report any difference from the running balance."

    def handle(self, *args, **options):
        stored = dict(Account.objects.values_list("code", "balance"))
        differences = [
            (code, stored[code], total)
            for code, total in sorted(recomputed_balances().items())
            if stored[code] != total
        ]
        for code, running, total in differences:
            self.stdout.write(f"{code}: running balance {running} != sum of entries {total}")
        unbalanced = unbalanced_transactions()
        for txn in unbalanced:
            self.stdout.write(f"transaction {txn} does not balance")
        if differences or unbalanced:
            raise CommandError(f"{len(differences)} balance difference(s), {len(unbalanced)} unbalanced transaction(s)")
        self.stdout.write(f"ledger verified: {len(stored)} accounts agree with their entries")
