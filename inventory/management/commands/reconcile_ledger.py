from django.core.management.base import BaseCommand, CommandError

from inventory.selectors.ledger import balance_drift


class Command(BaseCommand):
    """Checks without alerting; the nightly job (alerts.tasks.reconcile_ledger_task) raises the
    `ledger_drift` alerts from the same computation (inventory.selectors.ledger.balance_drift)."""

    help = "Check that every balance equals the sum of its ledger lines. Exits 1 on any drift."

    def handle(self, *args, **options):
        drift = balance_drift()
        if drift:
            for row in drift:
                self.stderr.write(
                    f"lot {row.lot_id} storehouse {row.storehouse_id}: balance {row.balance}, "
                    f"ledger {row.ledger}"
                )
            raise CommandError(f"{len(drift)} balance(s) differ from the ledger.")
        self.stdout.write(self.style.SUCCESS("Every balance equals the sum of its ledger lines."))
