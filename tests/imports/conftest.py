"""A depot to import into (the ledger world of tests/inventory) and files to import."""

import io

import pytest
from openpyxl import Workbook

from imports.opening import COLUMNS
from inventory.models import Document, LedgerLine, Lot
from surveillance.models import LotSurveillance


def csv_file(rows, columns=COLUMNS) -> bytes:
    lines = [",".join(columns)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(rows, columns=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(storehouse="SH1", kind="TNT-200", lot="TNT-OB-1", maker="Maker", made="2020-01",
        quantity="100", condition="", expiry="", tested="", category="", note=""):  # fmt: skip
    return [storehouse, kind, lot, maker, made, quantity, condition, expiry, tested, category, note]


def counts() -> tuple[int, int, int, int]:
    """What an import may write: documents, ledger lines, lots, surveillance rows."""
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        LotSurveillance.objects.count(),
    )


@pytest.fixture
def propellant(world):
    from decimal import Decimal

    from inventory.models import AmmunitionType

    return AmmunitionType.objects.create(
        code="PROP-105",
        name="Charge 105 mm",
        category="other",
        hazard_division="1.3",
        compatibility_group="C",
        neq_per_unit_kg=Decimal("2"),
        shelf_life_months=360,
        contains_propellant=True,
    )


@pytest.fixture
def world(world, surveillance_policy):
    """The ledger world with the stability policy loaded (a browser test's flush empties it)."""
    return world
