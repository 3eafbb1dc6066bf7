"""The boundaries of ../shared/LAYERS.md that import-linter cannot see, read from the source:

- no module imports another app's underscore names (a private name is its module's to change);
- only `inventory/services/` writes ledger documents, lines, pending lines, balances, number
  counters and chain heads (`inventory/locks.py` creates and moves the rows it locks: locking is
  done by the statement that reads or creates the row), whether through the ORM or in SQL;
- a reversal is posted only by `inventory/services/reversals.py`, which asks a second person
  for one that takes stock off the books (the posting package has the checks and the writing,
  and no public way round that approval).

Tests, migrations and `bench/` (which loads its data with SQL on purpose) are not product code.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]

LEDGER_MODELS = frozenset(
    {"Document", "LedgerLine", "PendingLine", "Balance", "DocumentCounter", "ChainHead"}
)
ORM_WRITES = frozenset(
    {"create", "bulk_create", "update", "bulk_update", "get_or_create", "update_or_create"}
)
LEDGER_SQL = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+inventory_"
    r"(?:document|ledgerline|pendingline|balance|documentcounter|chainhead)\b",
    re.IGNORECASE,
)
LEDGER_WRITERS = ("inventory/services/", "inventory/locks.py")


def _product_modules(*, exclude: tuple[str, ...] = ()) -> list[tuple[str, ast.Module]]:
    modules = []
    for package in PACKAGES:
        if package == "bench":
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith(exclude):
                continue
            modules.append((relative, ast.parse(path.read_text(), relative)))
    return modules


def private_imports(relative: str, tree: ast.Module) -> list[str]:
    """`from <other app>... import _name` anywhere in the module (function-local included)."""
    app = relative.split("/")[0]
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            continue
        top = node.module.split(".")[0]
        if top in PACKAGES and top != app:
            found += [
                f"{relative}:{node.lineno} {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            ]
    return found


def _ledger_names(tree: ast.Module) -> set[str]:
    """The names this module binds to ledger models (aliases included)."""
    names = set(LEDGER_MODELS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("inventory.models"):
            names |= {
                alias.asname for alias in node.names if alias.asname and alias.name in LEDGER_MODELS
            }
    return names


def _receiver_chain(node: ast.expr) -> list[str]:
    """`Balance.objects.filter(...).update` -> ["Balance", "objects", "filter"]."""
    chain = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            chain.append(node.id)
            return chain[::-1]
        else:
            return chain[::-1]


def ledger_writes(relative: str, tree: ast.Module) -> list[str]:
    """ORM writes on a ledger model's manager, and SQL that writes a ledger table."""
    names = _ledger_names(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ORM_WRITES
        ):
            chain = _receiver_chain(node.func.value)
            if "objects" in chain:
                owner = chain[chain.index("objects") - 1] if chain.index("objects") else ""
                if owner in names:
                    found.append(f"{relative}:{node.lineno} {owner}.objects...{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [
                f"{relative}:{node.lineno} {match.group(0)!r}"
                for match in LEDGER_SQL.finditer(node.value)
            ]
    return found


def test_no_module_imports_another_apps_private_names():
    found = [
        hit for relative, tree in _product_modules() for hit in private_imports(relative, tree)
    ]
    assert found == []


def test_only_the_posting_services_write_the_ledger():
    found = [
        hit
        for relative, tree in _product_modules(exclude=LEDGER_WRITERS)
        for hit in ledger_writes(relative, tree)
    ]
    assert found == []


REVERSAL_WRITERS = ("_reversal_post",)
REVERSAL_ROUTE = "inventory/services/reversals.py"


def reversal_posts(relative: str, tree: ast.Module) -> list[str]:
    """Calls of the reversal writer (by name or attribute), wherever they are."""
    return [
        f"{relative}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in REVERSAL_WRITERS)
            or (isinstance(node.func, ast.Attribute) and node.func.attr in REVERSAL_WRITERS)
        )
    ]


def test_reversals_are_posted_only_through_the_approval_route():
    """A reversal that takes stock off the books waits for a second person (issue 15): nothing
    but inventory.services.reversals may post one, and the posting package offers no public
    document_reverse that would post it at once."""
    from inventory.services import posting

    assert not hasattr(posting, "document_reverse")
    found = [
        hit
        for relative, tree in _product_modules(exclude=(REVERSAL_ROUTE,))
        for hit in reversal_posts(relative, tree)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("_reversal_post(document=d, movements=m, reason='x', posted_by=u)", 1),
        ("reversal._reversal_post(document=d)", 1),
        ("_reversal_movements(document=d, reason='x', user=u)", 0),
        ("def _reversal_post(*, document):\n    return _post(document=document)", 0),
    ],
)
def test_the_reversal_post_scan_sees_them(source, expected):
    assert len(reversal_posts("inventory/x.py", ast.parse(source))) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from inventory.services.posting import _new_document", 1),
        ("def f():\n    from inventory.filters import depots_in_scope, _storehouses", 1),
        ("from surveillance.services import _is_downgrade", 0),  # the module's own app
        ("from inventory import policy", 0),
    ],
)
def test_the_private_import_scan_sees_them(source, expected):
    assert len(private_imports("surveillance/x.py", ast.parse(source))) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Document.objects.create(number='x')", 1),
        ("Balance.objects.filter(lot=lot).update(quantity=0)", 1),
        ("from inventory.models import ChainHead as Head\nHead.objects.bulk_create([])", 1),
        ("models.LedgerLine.objects.bulk_update(rows, ['quantity'])", 1),
        ("sql = 'INSERT INTO inventory_document (number) VALUES (%s)'", 1),
        ("sql = '''UPDATE inventory_balance\n SET quantity = 0'''", 1),
        ("sql = 'update inventory_documentcounter set last_number = 1'", 1),
        ("Document.objects.filter(kind='x').count()", 0),
        ("Lot.objects.filter(pk=1).update(condition_id='J')", 0),
        ("sql = 'SELECT * FROM inventory_document'", 0),
        ("sql = 'INSERT INTO inventory_documentation (x) VALUES (1)'", 0),
    ],
)
def test_the_ledger_write_scan_sees_them(source, expected):
    assert len(ledger_writes("surveillance/x.py", ast.parse(source))) == expected
