"""Rule 2 (DESIGN.md §4): stock of an isolating condition is stored apart from every other lot,
unless a waiver (a designated quarantine store) says otherwise."""

from __future__ import annotations

from collections.abc import Iterable

from inventory.rules.holdings import (
    SUSPECT_ISOLATION,
    Breach,
    Holding,
    _holdings,
    _lots,
    _lots_phrase,
)


def _own_split_child(holding: Holding, of: Holding) -> bool:
    return of.lot_id in holding.ancestry


def isolation_breaches(holdings: Iterable[Holding], waived: bool = False) -> list[Breach]:
    """Rule 2: a lot whose condition code is marked `isolate` may not share a storehouse with any
    other lot, serviceable or not, except its own split children (lots split from it, at any
    depth), unless a waiver for the storehouse (a designated quarantine store) is in force.

    A child split off into an isolating condition is not excepted from its parent: the part
    condemned is moved away from the rest. One breach per isolating lot, naming the lots it is
    with.
    """
    if waived:
        return []
    ordered = _holdings(holdings)
    breaches = []
    for suspect in ordered:
        if not suspect.isolate:
            continue
        others = [
            h for h in ordered if h.lot_id != suspect.lot_id and not _own_split_child(h, suspect)
        ]
        if not others:
            continue
        lot_ids, lot_numbers = _lots([suspect, *others])
        condition = f"in condition {suspect.condition}" if suspect.condition else "suspect"
        breaches.append(
            Breach(
                code=SUSPECT_ISOLATION,
                rule="isolation",
                message=(
                    f"Lot {suspect.lot_number} is {condition} ({suspect.availability}) and must be "
                    f"stored apart from other lots ({_lots_phrase(_lots(others)[1])}); move lot "
                    f"{suspect.lot_number} or record an isolation waiver (quarantine store)."
                ),
                lot_ids=lot_ids,
                lot_numbers=lot_numbers,
                waivable=True,
            )
        )
    return breaches
