"""The app's database role (core.db_roles): it posts documents as usual, but a compromised web
process holding its connection cannot disable the ledger's triggers, truncate, rewrite or delete
ledger lines and audit events, or run programs on the server."""

import psycopg.errors
import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core.db_roles import append_only_tables, grant_app_privileges
from inventory.models import LedgerLine
from tests.inventory.ledger_world import make_world

PROBE = "stockpile_app_probe"


@pytest.fixture
def app_role(db):
    """A role granted exactly the app's privileges (roles are cluster-wide: the test's
    transaction rolls its creation back)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {PROBE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    grant_app_privileges(connection, PROBE)
    return PROBE


def as_role(role, sql):
    """Run `sql` as `role` in a savepoint; return the PostgreSQL error class, or None."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {role}")
            cursor.execute(sql)
    except DatabaseError as error:
        return type(error.__cause__)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    return None


def test_the_ledger_and_audit_tables_are_declared_append_only():
    tables = append_only_tables()
    assert tables["inventory_ledgerline"] == ("UPDATE", "DELETE")
    assert tables["inventory_pendingline"] == ("UPDATE", "DELETE")
    assert tables["inventory_document"] == ("DELETE",)
    assert tables["audit_auditevent"] == ("UPDATE", "DELETE")


REFUSED = {
    "disable the ledger's triggers": "ALTER TABLE inventory_ledgerline DISABLE TRIGGER ALL",
    "drop a trigger": "DROP TRIGGER ledgerline_append_only ON inventory_ledgerline",
    "rewrite a ledger line": "UPDATE inventory_ledgerline SET quantity = quantity + 1",
    "delete ledger lines": "DELETE FROM inventory_ledgerline",
    "truncate the ledger": "TRUNCATE inventory_ledgerline CASCADE",
    "delete a document": "DELETE FROM inventory_document",
    "rewrite the audit log": "UPDATE audit_auditevent SET detail = detail",
    "delete the audit log": "DELETE FROM audit_auditevent",
    "truncate a balance table": "TRUNCATE inventory_balance",
    "run a program on the server": "COPY (SELECT 1) TO PROGRAM 'true'",
    "read a server file": "SELECT pg_read_file('postgresql.conf')",
    "create a table": "CREATE TABLE stockpile_intruder (id int)",
}


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_the_app_role_is_refused(app_role, sql):
    assert as_role(app_role, sql) is psycopg.errors.InsufficientPrivilege


def test_the_app_role_reads_and_posts_as_the_app_does(app_role, depot_a, depot_b, clerk):
    world = make_world(depot_a, depot_b)
    lot = world.lot(world.ball)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        document = world.stock(clerk, lot, world.sh1, 500)
        cursor.execute(
            "SELECT count(*) FROM inventory_ledgerline WHERE document_id = %s", [document.pk]
        )
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)
    assert LedgerLine.objects.filter(document=document).count() == 1


@pytest.fixture
def probe_role_dropped(transactional_db):
    """migrate closes the connection, so this test commits: drop the role it creates after it."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [PROBE])
        if cursor.fetchone():
            cursor.execute(f"DROP OWNED BY {PROBE}")
            cursor.execute(f"DROP ROLE {PROBE}")


def test_migrate_as_owner_creates_the_missing_app_role_and_grants_it(probe_role_dropped, settings):
    """What `manage.py migrate` does with DATABASE_OWNER_URL set: the app's role is created with
    DATABASE_URL's password if missing, then granted, and the connection is the app's again."""
    from django.core.management import call_command

    owner = connection.settings_dict["USER"]
    saved = dict(connection.settings_dict)
    settings.DATABASE_OWNER = {
        key: connection.settings_dict[key] for key in ("USER", "PASSWORD", "HOST", "PORT")
    }
    connection.settings_dict["USER"] = PROBE
    connection.settings_dict["PASSWORD"] = "probe-secret-1"
    try:
        # The test's own connection: migrate swaps to the owner and back. Nothing to migrate.
        call_command("migrate", verbosity=0, interactive=False)
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, rolpassword IS NOT NULL FROM pg_authid "
            "WHERE rolname = %s",
            [PROBE],
        )
        assert cursor.fetchone() == (True, False, True)
        cursor.execute(
            "SELECT has_table_privilege(%s, 'inventory_ledgerline', 'UPDATE'), "
            "has_table_privilege(%s, 'inventory_ledgerline', 'INSERT'), "
            "has_table_privilege(%s, 'inventory_balance', 'TRUNCATE')",
            [PROBE, PROBE, PROBE],
        )
        assert cursor.fetchone() == (False, True, False)
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (owner,)
