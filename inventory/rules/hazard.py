"""Hazard classification (DESIGN.md §3): the division values and group letters DESIGN.md fixes, and
which division + group pairs the national table makes legal (the table itself is passed in)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

HAZARD_DIVISIONS = ("1.1", "1.2.1", "1.2.2", "1.3", "1.4", "1.5", "1.6")
COMPATIBILITY_GROUPS = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "N", "S")

_UN_DIVISIONS = ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6")
_DIVISION_ORDER = {division: index for index, division in enumerate(HAZARD_DIVISIONS)}
_SUBDIVISIONS_1_2 = ("1.2.1", "1.2.2")


def legal_hazard_codes_from_rows(rows: Iterable[Mapping[str, str]]) -> frozenset[str]:
    """The legal UN hazard codes ("1.1D", "1.2B", ...) from hazard_codes.csv rows.

    The table lists 1.2 undivided: the storage sub-divisions 1.2.1 and 1.2.2 share its legality.
    Raises ValueError on a row that names an unknown group or a code of another group.
    """
    codes: set[str] = set()
    for row in rows:
        group = (row.get("compatibility_group") or "").strip()
        if group not in COMPATIBILITY_GROUPS:
            raise ValueError(f"hazard codes: unknown compatibility group {group!r}")
        for code in (row.get("legal_hazard_codes") or "").split():
            if code[:-1] not in _UN_DIVISIONS or code[-1:] != group:
                raise ValueError(f"hazard codes: {code!r} is not a hazard code of group {group}")
            codes.add(code)
    return frozenset(codes)


def hazard_code_is_legal(division: str, group: str, legal_codes: frozenset[str]) -> bool:
    """Whether division + group is a legal hazard code; 1.2.1 and 1.2.2 are checked as 1.2."""
    if division not in HAZARD_DIVISIONS or group not in COMPATIBILITY_GROUPS:
        return False
    return f"{_un_division(division)}{group}" in legal_codes


def suggest_hazard_subdivision_1_2(he_per_item_kg: Decimal, threshold_kg: Decimal) -> str:
    """The storage sub-division of an HD 1.2 type: 1.2.1 above the policy threshold, else 1.2.2."""
    return "1.2.1" if he_per_item_kg > threshold_kg else "1.2.2"


def per_item_kg(neq_per_unit_kg: Decimal, items_per_unit: int) -> Decimal:
    """NEQ (or HE) per item when a unit of issue (a box, a belt) holds `items_per_unit` items."""
    if isinstance(items_per_unit, bool) or not isinstance(items_per_unit, int):
        raise TypeError(f"items_per_unit must be an integer, not {items_per_unit!r}")
    if items_per_unit < 1:
        raise ValueError(f"items_per_unit must be 1 or more, not {items_per_unit}")
    return neq_per_unit_kg / items_per_unit


def hazard_subdivision_1_2_contradiction(
    division: str, he_per_item_kg: Decimal, threshold_kg: Decimal
) -> str | None:
    """For a type recorded as 1.2.1 or 1.2.2: the sub-division its HE per item calls for when
    that is the other one (DESIGN.md §3), else None. Other divisions are never contradicted."""
    if division not in _SUBDIVISIONS_1_2:
        return None
    suggested = suggest_hazard_subdivision_1_2(he_per_item_kg, threshold_kg)
    return None if suggested == division else suggested


def _un_division(division: str) -> str:
    return "1.2" if division in _SUBDIVISIONS_1_2 else division
