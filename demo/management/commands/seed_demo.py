import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seeding import seed
from inventory.demo import DEMO_DEPOTS


class Command(BaseCommand):
    help = (
        "Load the demo stockpile: depots, users, storehouses and licences, ammunition types, "
        "recipients, a year of ledger history migrated from paper records and a year of "
        "surveillance: inspections, stability tests, a ban and a constraint (idempotent). "
        "Password from DEMO_PASSWORD, for the demo users it creates: an existing account is "
        "never changed. Refused with DEBUG off unless --force (a demo instance, not a server "
        "holding real records)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo with DEBUG off: only on a demonstration or training instance.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo loads demo users with a known password and demo records; with DEBUG "
                "off this looks like a production server, so nothing was loaded. On a "
                "demonstration or training instance, run it again with --force."
            )
        password = os.environ.get("DEMO_PASSWORD") or "stockpile-demo"
        started = time.monotonic()
        summary = seed(password=password)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {elapsed:.1f} s: {len(DEMO_DEPOTS)} depots, "
                f"{summary.storehouses} storehouses ({summary.licences} licences), "
                f"{summary.ammunition_types} ammunition types, {summary.recipients} recipients, "
                f"{summary.lots} lots, {summary.documents} documents."
            )
        )
        if summary.history_loaded:
            self.stdout.write(
                f"A year of history was migrated from paper records ({summary.documents} "
                "vouchers, referenced PAPER-<depot>-<voucher>, dated as on paper, posted now)."
            )
        for note in summary.notes:
            self.stdout.write(note)
        self.stdout.write(f"Demo logins (password of the accounts created now: {password}):")
        for user in summary.users:
            depots = ", ".join(user.depot_codes) or "all depots"
            roles = ", ".join(role.value for role in user.roles)
            kept = "  (existing account: left as it was)" if user.username in summary.kept else ""
            self.stdout.write(f"  {user.username:<10} {roles:<10} {depots}{kept}")
