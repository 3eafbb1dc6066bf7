"""PostgreSQL extensions the schema needs, created by migrations that fail loudly without them.

Django's CreateExtension hands the server's bare "could not open extension control file" to the
operator. An index that silently went missing would be worse: searches would still answer, only
slowly, and nobody would know why. So a migration that needs an extension checks the server's
`pg_available_extensions` first and, when it is absent, stops with the extension's name and the
package that provides it on common platforms.
"""

from django.contrib.postgres.operations import CreateExtension
from django.core.exceptions import ImproperlyConfigured

# Where each extension the schema uses comes from. Both ship in PostgreSQL's contrib modules.
PROVIDERS = {
    "pg_trgm": "PostgreSQL's contrib modules",
    "btree_gist": "PostgreSQL's contrib modules",
}
CONTRIB_PACKAGES = (
    "Debian/Ubuntu: postgresql-contrib (or postgresql-<major> from apt.postgresql.org); "
    "RHEL/Rocky/Alma: postgresql<major>-contrib; Alpine: postgresql-contrib; "
    "the official postgres Docker image and the embedded first-run server already include it"
)


class MissingExtension(ImproperlyConfigured):
    """The database server cannot create an extension the schema needs."""


def missing_extension_message(name: str, server_version: str) -> str:
    provider = PROVIDERS.get(name, "a PostgreSQL extension package")
    return (
        f'PostgreSQL extension "{name}" is not available on this database server '
        f"(PostgreSQL {server_version}); Stockpile's schema needs it. It ships in {provider}: "
        f"install it on the database server ({CONTRIB_PACKAGES}), then run the migrations again. "
        "This migration and those after it were not applied."
    )


class RequireExtension(CreateExtension):
    """CREATE EXTENSION, refused with a clear message when the server does not have it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [self.name])
                available = cursor.fetchone() is not None
                cursor.execute("SHOW server_version")
                server_version = cursor.fetchone()[0]
            if not available:
                raise MissingExtension(missing_extension_message(self.name, server_version))
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Creates extension {self.name} (refused, naming its package, where it is missing)"
