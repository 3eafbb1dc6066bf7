"""Rule 3 (DESIGN.md §4): each NEQ assessment within the explosive licence limit of its division;
the limits are the licence in force, passed in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from inventory.rules.hazard import HAZARD_DIVISIONS
from inventory.rules.holdings import (
    LICENCE_EXCEEDED,
    NO_LICENCE,
    Breach,
    Holding,
    _holdings,
    _kg,
    _lots,
    _lots_phrase,
)
from inventory.rules.neq import StoragePolicy, counted_division, neq_assessments


def licence_breaches(
    holdings: Iterable[Holding],
    limits: Mapping[str, Decimal | None] | None,
    policy: StoragePolicy = StoragePolicy(),
) -> list[Breach]:
    """Rule 3: each NEQ assessment must be within the licence limit of its division.

    `limits` maps a division to a maximum NEQ in kg, or None for unlimited; a division whose key
    is absent is not permitted, so holding it (as counted: 1.5 as 1.1) or being assessed as it is
    `licence_exceeded`. `limits=None` means no licence in force: `no_licence` if anything is held.
    A sum exactly at the limit is within it.
    """
    ordered = _holdings(holdings)
    if limits is None:
        if not ordered:
            return []
        lot_ids, lot_numbers = _lots(ordered)
        return [
            Breach(
                code=NO_LICENCE,
                rule="licence",
                message=(
                    f"The storehouse has no explosive licence in force; "
                    f"{_lots_phrase(lot_numbers)} may not be stored in it."
                ),
                lot_ids=lot_ids,
                lot_numbers=lot_numbers,
            )
        ]
    _check_limits(limits)
    breaches: list[Breach] = []
    refused: set[str] = set()
    present_divisions = {h.hazard_division for h in ordered}
    for division in HAZARD_DIVISIONS:
        members = [
            h
            for h in ordered
            if counted_division(h.hazard_division, policy, present_divisions) == division
        ]
        if not members or division in limits:
            continue
        refused.add(division)
        lot_ids, lot_numbers = _lots(members)
        total = sum((h.neq_kg for h in members), Decimal(0))
        counted = sorted({h.hazard_division for h in members} - {division})
        as_note = "".join(f" (HD {d} counts as {division})" for d in counted)
        breaches.append(
            Breach(
                code=LICENCE_EXCEEDED,
                rule="licence",
                message=(
                    f"The licence does not permit HD {division}{as_note}: "
                    f"{_lots_phrase(lot_numbers)} would hold {_kg(total)} kg of it."
                ),
                lot_ids=lot_ids,
                lot_numbers=lot_numbers,
                division=division,
                neq_kg=total,
            )
        )
    for assessment in neq_assessments(ordered, policy):
        division = assessment.division
        if division in refused:
            continue
        lots = _lots_phrase(assessment.lot_numbers)
        if division not in limits:
            message = (
                f"NEQ assessed as HD {division} is {_kg(assessment.neq_kg)} kg "
                f"({assessment.reason}; {lots}), but the licence does not permit HD {division}."
            )
            limit = None
        else:
            limit = limits[division]
            if limit is None or assessment.neq_kg <= limit:
                continue
            message = (
                f"NEQ assessed as HD {division} is {_kg(assessment.neq_kg)} kg, above the "
                f"licence limit of {_kg(limit)} kg ({assessment.reason}; {lots})."
            )
        breaches.append(
            Breach(
                code=LICENCE_EXCEEDED,
                rule="licence",
                message=message,
                lot_ids=assessment.lot_ids,
                lot_numbers=assessment.lot_numbers,
                division=division,
                neq_kg=assessment.neq_kg,
                limit_kg=limit,
            )
        )
    return breaches


def _check_limits(limits: Mapping[str, Decimal | None]) -> None:
    for division, limit in limits.items():
        if division not in HAZARD_DIVISIONS:
            raise ValueError(f"licence limit for unknown hazard division {division!r}")
        if limit is not None and not isinstance(limit, Decimal):
            raise TypeError(f"licence limit for HD {division} must be a Decimal or None")
        if limit is not None and (not limit.is_finite() or limit < 0):
            raise ValueError(f"licence limit for HD {division} must be 0 or more, not {limit}")
