"""`manage.py migrate`, as the tables' owner when DATABASE_OWNER_URL is set, then the app's role
gets exactly its privileges (core.db_roles). Without an owner URL it is Django's migrate."""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from core.db_roles import ensure_app_role, grant_app_privileges

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


class Command(DjangoMigrate):
    help = DjangoMigrate.help + (
        " With DATABASE_OWNER_URL set, migrations run as that owner and DATABASE_URL's role is"
        " then granted the app's privileges (no UPDATE or DELETE on the ledger's tables)."
    )

    def handle(self, *args, **options):
        owner = getattr(settings, "DATABASE_OWNER", None)
        if not owner or options["database"] != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        connection = connections[options["database"]]
        app_role = connection.settings_dict["USER"]
        saved = {key: connection.settings_dict[key] for key in CREDENTIALS}
        connection.close()
        connection.settings_dict.update(owner)
        try:
            if owner["USER"] != app_role:
                try:
                    if ensure_app_role(connection, app_role, saved["PASSWORD"]):
                        self.stdout.write(f"Created the app's database role {app_role}.")
                except PermissionError as refusal:
                    raise CommandError(str(refusal)) from None
            super().handle(*args, **options)
            if owner["USER"] != app_role:
                withheld = grant_app_privileges(connection, app_role)
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        f"Privileges of {app_role}: read and write, no TRUNCATE; no UPDATE or "
                        f"DELETE on {len(withheld)} append-only tables."
                    )
        finally:
            connection.close()
            connection.settings_dict.update(saved)
