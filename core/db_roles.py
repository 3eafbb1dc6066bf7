"""The database role the application connects as: owns no table, is no superuser, and may not
change or remove the rows that make the record.

The ledger's triggers refuse UPDATE and DELETE on posted lines, but a role that owns the table
can disable them (`ALTER TABLE ... DISABLE TRIGGER`), truncate it, or, as a superuser, run
`COPY ... PROGRAM`. A compromised web process must be able to do none of that, so migrations run
as the owner and `grant_app_privileges` gives the app's role what it needs, no more:

- read and write the ordinary tables, use their sequences;
- no TRUNCATE, REFERENCES or TRIGGER anywhere;
- no UPDATE or DELETE (or only no DELETE) on the tables each app declares append-only in its
  AppConfig as `append_only = {"Model": ("UPDATE", "DELETE")}`.

It runs after every `manage.py migrate` that connects as an owner (core's migrate command), so a
table added by a later migration is covered at once.
"""

from __future__ import annotations

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper

ALLOWED = ("UPDATE", "DELETE")


def append_only_tables() -> dict[str, tuple[str, ...]]:
    """Table name -> the privileges the app's role must not have on it, as the apps declare."""
    tables: dict[str, tuple[str, ...]] = {}
    for config in apps.get_app_configs():
        for model_name, refused in getattr(config, "append_only", {}).items():
            if not set(refused) <= set(ALLOWED):
                raise ValueError(f"{config.label}.{model_name}: refuse only {ALLOWED}")
            tables[config.get_model(model_name)._meta.db_table] = tuple(refused)
    return tables


def ensure_app_role(connection: BaseDatabaseWrapper, role: str, password: str | None) -> bool:
    """Create the app's login role if it does not exist (with DATABASE_URL's password), so an
    upgrade needs no manual step; an existing role is left as it is. True if it was created."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            return False
        cursor.execute(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            raise PermissionError(
                f"The database role {role!r} (DATABASE_URL's user) does not exist and the owner "
                f"may not create roles. Ask the database administrator to run:\n\n"
                f"  CREATE ROLE {role} LOGIN PASSWORD '...' NOSUPERUSER NOCREATEDB NOCREATEROLE;"
            )
        statement = (
            f"CREATE ROLE {connection.ops.quote_name(role)} LOGIN "
            "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
        )
        if password:
            cursor.execute(statement + " PASSWORD %s", [password])
        else:
            cursor.execute(statement)
    return True


def grant_app_privileges(connection: BaseDatabaseWrapper, role: str) -> dict[str, tuple]:
    """Give `role` the app's privileges on the connection's schema; return what was withheld."""
    quote = connection.ops.quote_name
    who = quote(role)
    withheld = append_only_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        statements = [
            f"GRANT USAGE ON SCHEMA {schema} TO {who}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {who}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
        ]
        statements += [
            f"REVOKE {', '.join(refused)} ON {quote(table)} FROM {who}"
            for table, refused in sorted(withheld.items())
        ]
        for statement in statements:
            cursor.execute(statement)
    return withheld
