import os

from django.core.management.base import BaseCommand

from inventory import demo


class Command(BaseCommand):
    help = "Load the demo depots and users (idempotent). Password from DEMO_PASSWORD."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or "stockpile-demo"
        users = demo.seed(password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {len(demo.DEMO_DEPOTS)} depots."))
        self.stdout.write(f"Demo logins (password: {password}):")
        for user in users:
            depots = ", ".join(user.depot_codes) or "all depots"
            roles = ", ".join(role.value for role in user.roles)
            self.stdout.write(f"  {user.username:<10} {roles:<10} {depots}")
