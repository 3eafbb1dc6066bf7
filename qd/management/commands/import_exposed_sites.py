"""Import a depot's exposed sites and their distances from a CSV (docs/qd.md)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.management import file_text
from inventory.models import Depot
from qd.services import IMPORT_COLUMNS, exposed_sites_import


class Command(BaseCommand):
    help = (
        "Register or update a depot's exposed sites from a CSV with the columns "
        f"{', '.join(IMPORT_COLUMNS)} (storehouse = the storehouse's code; one row per site and "
        "storehouse). The whole file is checked first; on any problem nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv")
        parser.add_argument("--depot", required=True, help="The depot's code, e.g. D01.")
        parser.add_argument("--user", required=True, help="The administrator importing.")

    def handle(self, *args, **options):
        depot = Depot.objects.filter(code=options["depot"]).first()
        if depot is None:
            raise CommandError(f"--depot: no depot {options['depot']!r}.")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"--user: no user {options['user']!r}.")
        text = file_text(Path(options["csv"]))
        try:
            result = exposed_sites_import(depot=depot, csv_text=text, imported_by=user)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{user.username} may not manage depot {depot.code}.") from exc
        self.stdout.write(
            f"{result.created} sites registered, {result.updated} updated, "
            f"{result.distances} distances recorded for depot {depot.code}."
        )
