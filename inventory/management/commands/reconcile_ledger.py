from django.core.management.base import BaseCommand, CommandError

from inventory.services.posting import balance_drift


class Command(BaseCommand):
    help = "Check that every balance equals the sum of its ledger lines. Exits 1 on any drift."

    def handle(self, *args, **options):
        drift = balance_drift()
        if drift:
            for lot_id, storehouse_id, balance, ledger in drift:
                self.stderr.write(
                    f"lot {lot_id} storehouse {storehouse_id}: balance {balance}, ledger {ledger}"
                )
            raise CommandError(f"{len(drift)} balance(s) differ from the ledger.")
        self.stdout.write(self.style.SUCCESS("Every balance equals the sum of its ledger lines."))
