"""The accounting core reads none of the tables of the apps built on it (LAYERS.md: "not even
their tables in raw SQL"). import-linter sees imports; this sees SQL strings."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

ABOVE = ("surveillance", "stockchecks", "alerts", "audit", "reports", "surplus", "diversion")
# A table named after an app above, as it would be written in SQL (quoted or not).
APPS_ABOVE = "|".join(ABOVE)
TABLE = re.compile(rf"\b(?:{APPS_ABOVE})_[a-z0-9_]+\b")
INVENTORY = Path(settings.BASE_DIR) / "inventory"


def _inventory_tables() -> set[str]:
    """Inventory's own models may keep a first name from another app (db_table), e.g. the
    incidents and bans that moved in: those are inventory's tables."""
    models = apps.get_app_config("inventory").get_models(include_auto_created=True)
    return {model._meta.db_table for model in models}


def _tables_above() -> set[str]:
    tables = set()
    for label in ABOVE:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return tables - _inventory_tables()


def _product_files():
    for path in sorted(INVENTORY.rglob("*.py")):
        if "migrations" not in path.relative_to(INVENTORY).parts:
            yield path


def table_names_above(source: str) -> set[str]:
    """The tables of the apps above named in `source`: any known table, and any word shaped
    like one that follows FROM, JOIN, INTO, UPDATE or TABLE (a table no model declares)."""
    known = _tables_above()
    found = {word for word in TABLE.findall(source) if word in known}
    after_keyword = re.compile(
        rf"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\"?((?:{APPS_ABOVE})_[a-z0-9_]+)",
        re.IGNORECASE,
    )
    found |= {name for name in after_keyword.findall(source) if name not in _inventory_tables()}
    return found


def test_the_check_finds_what_it_looks_for():
    assert table_names_above('cursor.execute("SELECT id FROM stockchecks_stockcheck")') == {
        "stockchecks_stockcheck"
    }
    assert table_names_above("JOIN surveillance_lotdue due ON due.lot_id = b.lot_id") == {
        "surveillance_lotdue"
    }
    assert table_names_above("LEFT JOIN diversion_someday x ON true") == {"diversion_someday"}
    # Inventory's own tables under their first names, and words that are no table, pass.
    assert table_names_above('db_table = "surveillance_ban"; surveillance_services.x') == set()


def test_inventory_product_code_names_no_table_of_the_apps_above_it():
    files = list(_product_files())
    assert len(files) > 30
    offending = {
        str(path.relative_to(INVENTORY)): sorted(found)
        for path in files
        if (found := table_names_above(path.read_text(encoding="utf-8")))
    }
    assert offending == {}
