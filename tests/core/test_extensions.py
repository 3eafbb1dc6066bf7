"""Extensions the schema needs: present on the server the tests run on (embedded or external), and
a server without one stops the migration with the extension's name and its package."""

import pytest
from django.db import connection
from django.db.migrations.state import ProjectState

from core.extensions import MissingExtension, RequireExtension


@pytest.mark.django_db
def test_every_extension_the_schema_uses_is_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        installed = {name for (name,) in cursor.fetchall()}
    assert "pg_trgm" in installed


@pytest.mark.django_db
def test_the_embedded_or_production_server_offers_btree_gist_too():
    """What a later migration may add (DESIGN: exclusion constraints) is on the server already."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_available_extensions WHERE name = 'btree_gist'")
        assert cursor.fetchone() == ("btree_gist",)


@pytest.mark.django_db
def test_a_missing_extension_stops_the_migration_naming_it_and_its_package():
    operation = RequireExtension("stockpile_absent_ext")
    state = ProjectState()
    with connection.schema_editor() as editor, pytest.raises(MissingExtension) as refusal:
        operation.database_forwards("inventory", editor, state, state)
    message = str(refusal.value)
    assert '"stockpile_absent_ext" is not available' in message
    assert "postgresql-contrib" in message
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'stockpile_absent_ext'")
        assert cursor.fetchone() is None


@pytest.mark.django_db
def test_an_available_extension_is_created_as_before():
    operation = RequireExtension("pg_trgm")
    state = ProjectState()
    with connection.schema_editor() as editor:
        operation.database_forwards("inventory", editor, state, state)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
