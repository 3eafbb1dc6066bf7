"""Checking an opening-balance file row by row, then as a whole (DESIGN.md §14).

`opening_check` reads the reference data it needs in a fixed number of queries, checks every
row (codes, dates, quantities, conditions, duplicates, the optional stability and expiry
columns), then every §4 rule on each storehouse's contents after the whole file, and returns
the rows ready to post with every error found, each `{row, column, code, detail}` (a §4
breach adds `rows`: every row it involves). It writes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.parsing import Sheet
from inventory.models import AmmunitionType, ConditionCode, Depot, Lot, Storehouse
from inventory.services.lots import DEFAULT_CONDITION, NewLot
from inventory.services.posting import ProposedHolding, proposed_breaches
from surveillance.models import StabilityCategory

COLUMNS = [
    "storehouse",
    "ammunition_type",
    "lot_number",
    "manufacturer",
    "manufactured_on",
    "quantity",
    "condition",
    "expiry_on",
    "last_stability_test_on",
    "stability_category",
    "note",
]
REQUIRED = COLUMNS[:6]
EXAMPLE = [
    "ESH-01", "762-BALL", "LOT-2019-044", "Arsenal Nord", "2019-05", "12000", "A", "", "", "",
    "Paper ledger p. 14",
]  # fmt: skip
MAX_QUANTITY = 2**31 - 1
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class OpeningRow:
    """A row that passed its own checks: what will be posted."""

    row: int
    storehouse: Storehouse
    ammunition_type: AmmunitionType
    lot_number: str
    manufacturer: str
    manufactured_on: date
    quantity: int
    condition: str
    expiry_on: date | None
    stability: tuple[date, str] | None
    note: str
    existing_lot: Lot | None

    @property
    def lot_key(self) -> tuple[int, str, str]:
        return (self.ammunition_type.pk, self.manufacturer, self.lot_number.upper())

    def new_lot(self) -> NewLot:
        return NewLot(
            ammunition_type_id=self.ammunition_type.pk,
            manufacturer=self.manufacturer,
            lot_number=self.lot_number,
            manufactured_on=self.manufactured_on,
            condition=self.condition,
            expires_on=self.expiry_on,
        )


def error(row: int | None, column: str | None, code: str, detail: str, **more) -> dict:
    return {"row": row, "column": column, "code": code, "detail": detail, **more}


def parse_day(text: str) -> date | None:
    """YYYY-MM-DD, or YYYY-MM read as the month's first day (the earlier, safer expiry, §5)."""
    try:
        if match := _DAY.fullmatch(text):
            return date(*(int(part) for part in match.groups()))
        if match := _MONTH.fullmatch(text):
            return date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None
    return None


def header_errors(sheet: Sheet, columns: list[str], required: list[str]) -> list[dict]:
    errors = []
    for name in sheet.columns:
        if name and name not in columns:
            errors.append(
                error(
                    None,
                    name,
                    "unknown_column",
                    _("Unknown column “%(name)s”. The columns are: %(columns)s.")
                    % {"name": name, "columns": ", ".join(columns)},
                )
            )
    seen = set()
    for name in sheet.columns:
        if name and name in seen:
            errors.append(error(None, name, "duplicate_column", _("This column is given twice.")))
        seen.add(name)
    for name in required:
        if name not in sheet.columns:
            errors.append(
                error(None, name, "missing_column", _("The file has no “%(name)s” column.")
                      % {"name": name})
            )  # fmt: skip
    return errors


# Progress is reported after each chunk of this many rows checked.
PROGRESS_CHUNK = 500


# What a row naming an unknown record is told, by column (its error code: `unknown_<column>`).
_UNKNOWN = {
    "storehouse": gettext_lazy("Depot %(depot)s has no storehouse “%(code)s”."),
    "ammunition_type": gettext_lazy("No ammunition type has the code “%(code)s”."),
}


def _known(values: dict, column: str, by_code: dict, fail: Callable, **params):
    """The record the row names by code in `column`; None, failing the row, when no record has
    that code (None too when the column is blank: the required columns fail on their own)."""
    given = values.get(column)
    if not given:
        return None
    found = by_code.get(given.upper())
    if found is None:
        fail(column, f"unknown_{column}", _UNKNOWN[column] % {"code": given, **params})
    return found


def opening_check(
    sheet: Sheet, *, depot: Depot, progress: Callable[[int, int], None] | None = None
) -> tuple[list[OpeningRow], list[dict]]:
    """Every row of an opening-balance file checked, then the §4 rules on the whole file: the
    rows ready to post and the errors (empty: the file may be imported). `progress(done,
    total)`, if given, is called after every PROGRESS_CHUNK rows."""
    errors = [problem.as_error() for problem in sheet.problems]
    errors += header_errors(sheet, COLUMNS, REQUIRED)
    if errors and any(e["row"] is None for e in errors):
        return [], errors
    if not sheet.rows:
        return [], [error(None, None, "empty_file", _("The file has no data rows."))]
    today = timezone.localdate()
    storehouses = {sh.code.upper(): sh for sh in Storehouse.objects.filter(depot=depot)}
    type_codes = {row.get("ammunition_type", "").upper() for row in sheet.rows}
    types = {
        kind.code.upper(): kind
        for kind in AmmunitionType.objects.annotate(code_upper=Upper("code")).filter(
            code_upper__in=type_codes
        )
    }
    conditions = dict(ConditionCode.objects.values_list("code", "availability"))
    bad_rows = {e["row"] for e in errors}
    good: list[OpeningRow] = []
    first_seen: dict[tuple, int] = {}
    lot_facts: dict[tuple, tuple[int, date, str]] = {}
    total = len(sheet.rows)
    for index, values in enumerate(sheet.rows, start=1):
        if progress is not None and index % PROGRESS_CHUNK == 0:
            progress(index, total)
        number = int(values["__row__"])
        if number in bad_rows:
            continue
        if not any(v for k, v in values.items() if k != "__row__"):
            continue  # a blank line between rows
        row_errors: list[dict] = []

        def fail(column, code, detail, _row=number, _errors=row_errors):
            _errors.append(error(_row, column, code, detail))

        for name in REQUIRED:
            if not values.get(name):
                fail(name, "missing_value", _("This column needs a value."))
        made = None
        quantity = 0
        storehouse = _known(values, "storehouse", storehouses, fail, depot=depot.code)
        ammunition_type = _known(values, "ammunition_type", types, fail)
        if text := values.get("manufactured_on"):
            made = parse_day(text)
            if made is None:
                fail("manufactured_on", "bad_date", _("Write the date as YYYY-MM-DD or YYYY-MM."))
            elif made > today:
                fail("manufactured_on", "bad_date", _("The date cannot be in the future."))
        if text := values.get("quantity"):
            if not _WHOLE.fullmatch(text) or not 0 < int(text) <= MAX_QUANTITY:
                fail(
                    "quantity",
                    "bad_quantity",
                    _(
                        "“%(value)s” is not a quantity: whole units of issue, more than zero, "
                        "digits only (no separators, no decimals)."
                    )
                    % {"value": text},
                )
            else:
                quantity = int(text)
        condition = values.get("condition", "").upper() or DEFAULT_CONDITION
        if condition not in conditions:
            fail(
                "condition",
                "unknown_condition",
                _("Unknown condition code “%(code)s”.") % {"code": condition},
            )
        lot_number, manufacturer = values.get("lot_number", ""), values.get("manufacturer", "")
        if len(lot_number) > 80:
            fail("lot_number", "too_long", _("A lot number has at most 80 characters."))
        if len(manufacturer) > 200:
            fail("manufacturer", "too_long", _("A manufacturer has at most 200 characters."))
        expiry = None
        if text := values.get("expiry_on"):
            expiry = parse_day(text)
            if expiry is None:
                fail("expiry_on", "bad_date", _("Write the date as YYYY-MM-DD or YYYY-MM."))
            elif made is not None and expiry < made:
                fail("expiry_on", "bad_date", _("The lot cannot expire before it was made."))
        stability = _stability(values, ammunition_type, made, today, fail)
        if row_errors:
            errors += row_errors
            continue
        key = (storehouse.pk, ammunition_type.pk, manufacturer, lot_number.upper())
        if key in first_seen:
            errors.append(
                error(
                    number,
                    "lot_number",
                    "duplicate_row",
                    _("Row %(row)s already gives this lot in this storehouse.")
                    % {"row": first_seen[key]},
                )
            )
            continue
        first_seen[key] = number
        facts = (made, condition, expiry)
        lot_key = (ammunition_type.pk, manufacturer, lot_number.upper())
        if lot_key in lot_facts and lot_facts[lot_key][1:] != facts:
            errors.append(
                error(
                    number,
                    "lot_number",
                    "inconsistent_lot",
                    _(
                        "Row %(row)s gives this lot another date of manufacture, condition or "
                        "expiry: a lot has one of each."
                    )
                    % {"row": lot_facts[lot_key][0]},
                )
            )
            continue
        lot_facts.setdefault(lot_key, (number, *facts))
        good.append(
            OpeningRow(
                row=number,
                storehouse=storehouse,
                ammunition_type=ammunition_type,
                lot_number=lot_number,
                manufacturer=manufacturer,
                manufactured_on=made,
                quantity=quantity,
                condition=condition,
                expiry_on=expiry,
                stability=stability,
                note=values.get("note", ""),
                existing_lot=None,
            )
        )
    good, lot_errors = _existing_lots(good)
    errors += lot_errors
    errors += _storage_errors(good, today=today)
    errors.sort(key=lambda e: (e["row"] is not None, e["row"] or 0, e["column"] or ""))
    return good, errors


def _stability(values, ammunition_type, made, today, fail) -> tuple[date, str] | None:
    tested_text = values.get("last_stability_test_on", "")
    category = values.get("stability_category", "").lower()
    if not tested_text and not category:
        return None
    if not tested_text or not category:
        column = "stability_category" if tested_text else "last_stability_test_on"
        fail(column, "missing_value", _("A known stability test gives both its date and category."))
        return None
    tested = parse_day(tested_text)
    if tested is None:
        fail("last_stability_test_on", "bad_date", _("Write the date as YYYY-MM-DD or YYYY-MM."))
    elif tested > today or (made is not None and tested < made):
        fail(
            "last_stability_test_on",
            "bad_date",
            _("The test date must lie between the date of manufacture and today."),
        )
    if category not in StabilityCategory.values:
        fail(
            "stability_category",
            "unknown_stability_category",
            _("The category is one of: %(values)s.")
            % {"values": ", ".join(StabilityCategory.values)},
        )
    if ammunition_type is not None and not ammunition_type.contains_propellant:
        fail(
            "stability_category",
            "not_propellant",
            _("Type %(type)s holds no propellant: it has no stability test.")
            % {"type": ammunition_type.code},
        )
    return (tested, category) if tested is not None else None


def _existing_lots(rows: list[OpeningRow]) -> tuple[list[OpeningRow], list[dict]]:
    """The rows naming lots already recorded (any depot): the lot is used, as on a receipt, and
    its condition must be the row's (a lot has one condition, DESIGN.md §5). One query."""
    if not rows:
        return rows, []
    keys = {row.lot_key for row in rows}
    found = {}
    for lot in Lot.objects.annotate(number_upper=Upper("lot_number")).filter(
        ammunition_type_id__in={key[0] for key in keys},
        number_upper__in={key[2] for key in keys},
    ):
        key = (lot.ammunition_type_id, lot.manufacturer, lot.number_upper)
        if key in keys:
            found[key] = lot
    good, errors = [], []
    for row in rows:
        lot = found.get(row.lot_key)
        if lot is not None and lot.condition_id != row.condition:
            errors.append(
                error(
                    row.row,
                    "condition",
                    "condition_mismatch",
                    _(
                        "Lot %(lot)s is already recorded in condition %(recorded)s: a lot has "
                        "one condition. Give %(recorded)s, or have an inspector change it first."
                    )
                    % {"lot": lot.lot_number, "recorded": lot.condition_id},
                )
            )
            continue
        good.append(_with_lot(row, lot))
    return good, errors


def _with_lot(row: OpeningRow, lot: Lot | None) -> OpeningRow:
    if lot is None:
        return row
    return OpeningRow(**{**row.__dict__, "existing_lot": lot})


def _storage_errors(rows: list[OpeningRow], *, today: date) -> list[dict]:
    """Every §4 breach of each storehouse's contents after the whole file, naming the rule's
    code and the rows involved."""
    if not rows:
        return []
    new_keys: dict[tuple, int] = {}
    proposed, rows_by_holding = [], defaultdict(list)
    for row in rows:
        if row.existing_lot is not None:
            key = row.existing_lot.pk
        else:
            key = new_keys.setdefault(row.lot_key, -(len(new_keys) + 1))
        proposed.append(
            ProposedHolding(
                key=key,
                storehouse_id=row.storehouse.pk,
                quantity=row.quantity,
                lot_number=row.lot_number,
                ammunition_type=row.ammunition_type,
                condition=row.condition,
            )
        )
        rows_by_holding[(row.storehouse.pk, key)].append(row.row)
    storehouses = {row.storehouse.pk: row.storehouse for row in rows}
    errors = []
    for storehouse_id, breaches in sorted(proposed_breaches(proposed, on=today).items()):
        for breach in breaches:
            involved = sorted(
                number
                for lot_id in breach.lot_ids
                for number in rows_by_holding.get((storehouse_id, lot_id), [])
            )
            errors.append(
                error(
                    involved[0] if involved else None,
                    "storehouse",
                    breach.code,
                    _("Storehouse %(storehouse)s (rule: %(rule)s): %(message)s Rows: %(rows)s.")
                    % {
                        "storehouse": storehouses[storehouse_id].code,
                        "rule": breach.rule,
                        "message": breach.message,
                        "rows": ", ".join(str(n) for n in involved) or "—",
                    },
                    rows=involved,
                    rule=breach.rule,
                )
            )
    return errors
