"""Rule 1 (DESIGN.md §4): which lots may share a storehouse under the mixing matrix, whose cells
are policy passed in; only the meaning of the notes n1..n7 is fixed here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from types import MappingProxyType

from inventory.rules.hazard import COMPATIBILITY_GROUPS
from inventory.rules.holdings import (
    STORAGE_INCOMPATIBLE,
    Breach,
    Holding,
    _holdings,
    _lot_key,
    _lots,
    _lots_phrase,
)

MIXING_NOTES = ("n1", "n2", "n3", "n4", "n5", "n6", "n7")
WAIVABLE_NOTES = frozenset({"n2", "n4"})

_MATRIX_VALUES = frozenset({"Y", "N", *MIXING_NOTES})
_GROUP_ORDER = {group: index for index, group in enumerate(COMPATIBILITY_GROUPS)}


@dataclass(frozen=True)
class MixingMatrix:
    """Which compatibility groups may share a storehouse: "Y", "N" or a note "n1".."n7".

    `cells` maps every ordered pair of the 13 groups to its value. Construction checks that the
    matrix is complete and symmetric, and that each note sits where its meaning applies (n1 pairs
    B with another group, n5 pairs N with another group, n6 is N with N).
    """

    cells: Mapping[tuple[str, str], str]

    def __post_init__(self) -> None:
        cells = dict(self.cells)
        for a in COMPATIBILITY_GROUPS:
            for b in COMPATIBILITY_GROUPS:
                value = cells.get((a, b))
                if value is None:
                    raise ValueError(f"mixing matrix: cell {a}/{b} is missing")
                if value not in _MATRIX_VALUES:
                    raise ValueError(f"mixing matrix: cell {a}/{b} has unknown value {value!r}")
                if cells.get((b, a)) != value:
                    raise ValueError(
                        f"mixing matrix is not symmetric: cell {a}/{b} is {value!r} "
                        f"but {b}/{a} is {cells.get((b, a))!r}"
                    )
                misplaced = (
                    (value == "n1" and (a == "B") == (b == "B"))
                    or (value == "n5" and (a == "N") == (b == "N"))
                    or (value == "n6" and not a == b == "N")
                )
                if misplaced:
                    raise ValueError(f"mixing matrix: note {value} cannot apply to cell {a}/{b}")
        unknown = set(cells) - {(a, b) for a in COMPATIBILITY_GROUPS for b in COMPATIBILITY_GROUPS}
        if unknown:
            a, b = sorted(unknown)[0]
            raise ValueError(f"mixing matrix: cell {a}/{b} names an unknown group")
        object.__setattr__(self, "cells", MappingProxyType(cells))

    def cell(self, a: str, b: str) -> str:
        return self.cells[(a, b)]


def mixing_matrix_from_rows(rows: Iterable[Mapping[str, str]]) -> MixingMatrix:
    """Build the matrix from mixing_matrix.csv rows (a "group" column, then one column per group).

    Raises ValueError naming the bad cell, row or column.
    """
    cells: dict[tuple[str, str], str] = {}
    seen: set[str] = set()
    for row in rows:
        a = (row.get("group") or "").strip()
        if a not in COMPATIBILITY_GROUPS:
            raise ValueError(f"mixing matrix: unknown row group {a!r}")
        if a in seen:
            raise ValueError(f"mixing matrix: row {a} is given twice")
        seen.add(a)
        for column, value in row.items():
            if column == "group":
                continue
            b = (column or "").strip()
            if b not in COMPATIBILITY_GROUPS:
                raise ValueError(f"mixing matrix: unknown column {column!r} in row {a}")
            cells[(a, b)] = (value or "").strip()
    for a in COMPATIBILITY_GROUPS:
        if a not in seen:
            raise ValueError(f"mixing matrix: row {a} is missing")
    return MixingMatrix(cells)


def effective_groups(holdings: Iterable[Holding], matrix: MixingMatrix) -> dict[int, str]:
    """lot_id → the compatibility group each lot is treated as, after notes n1, n5 and n6."""
    ordered = _holdings(holdings)
    regrouped = _regroup(ordered, matrix)
    return {h.lot_id: regrouped.get(h.lot_id, (h.compatibility_group, None))[0] for h in ordered}


def _regroup(holdings: tuple[Holding, ...], matrix: MixingMatrix) -> dict[int, tuple[str, str]]:
    """lot_id → (group, note) for the lots a mixing note makes count as another group.

    n1: a CG B item stored with one of its host articles, and those hosts, count as CG F.
    n5: CG N stored with a group the matrix marks n5 (C, D, E) counts as CG D.
    n6: CG N lots of different types not sharing a compatible family make every N lot count as D.
    """
    regrouped: dict[int, tuple[str, str]] = {}
    for fuze in holdings:
        if fuze.compatibility_group != "B":
            continue
        hosts = [
            h
            for h in holdings
            if matrix.cell("B", h.compatibility_group) == "n1" and _is_host(fuze, h)
        ]
        if hosts:
            for h in (fuze, *hosts):
                regrouped[h.lot_id] = ("F", "n1")
    insensitive = [h for h in holdings if h.compatibility_group == "N"]
    if any(matrix.cell("N", h.compatibility_group) == "n5" for h in holdings):
        note = "n5"
    elif any(
        matrix.cell("N", "N") == "n6" and not _same_family(a, b)
        for a, b in combinations(insensitive, 2)
    ):
        note = "n6"
    else:
        note = None
    if note:
        for h in insensitive:
            regrouped[h.lot_id] = ("D", note)
    return regrouped


def _is_host(fuze: Holding, article: Holding) -> bool:
    """Note n1 is strict: an article is a fuze's host only when recorded as such."""
    return bool(fuze.assembles_to) and article.ammunition_type_id in fuze.assembles_to


def _same_family(a: Holding, b: Holding) -> bool:
    if a.ammunition_type_id == b.ammunition_type_id:
        return True
    return a.compatible_family is not None and a.compatible_family == b.compatible_family


def _pair_refusal(
    a: Holding,
    group_a: str,
    b: Holding,
    group_b: str,
    matrix: MixingMatrix,
    waived_notes: frozenset[str],
) -> tuple[str, bool] | None:
    """(matrix value, waivable) when lots a and b, counted as these groups, may not be together."""
    value = matrix.cell(group_a, group_b)
    if value in ("Y", "n5", "n6", "n7"):
        return None
    if value in WAIVABLE_NOTES:
        return None if value in waived_notes else (value, True)
    if value == "n3":
        return None if a.ammunition_type_id == b.ammunition_type_id else (value, False)
    if value == "n1":
        fuze, article = (a, b) if group_a == "B" else (b, a)
        return None if _is_host(fuze, article) else (value, False)
    return (value, False)


def compatibility_breaches(
    holdings: Iterable[Holding],
    matrix: MixingMatrix,
    waived_notes: frozenset[str] = frozenset(),
) -> list[Breach]:
    """Rule 1: every pair of lots must be allowed by the mixing matrix, notes included.

    A note's condition gates its cell, and a re-grouping only adds restrictions: each pair is
    checked on its own groups and, where a note re-groups either lot (see `_regroup`), again on
    the groups they count as; both checks must pass. So: n1 allows a CG B item only beside its
    host articles (with the seed matrix, a storehouse holding B may then hold only B, the hosts
    and S), and the set counts as CG F against everything else; n2 and n4 are refused unless
    waived (`waived_notes` holds "n2"/"n4" for the waivers in force); n3 is allowed only within
    one ammunition type; n5, n6 and n7 are allowed (n7 re-groups nothing: N's own row already
    restricts everything stored with it). One breach per pair of groups and note, naming every
    lot involved.
    """
    ordered = _holdings(holdings)
    unknown = set(waived_notes) - WAIVABLE_NOTES
    if unknown:
        raise ValueError(f"only notes n2 and n4 can be waived, not {', '.join(sorted(unknown))}")
    regrouped = _regroup(ordered, matrix)
    found: dict[tuple[str, str, str, bool], tuple[set[Holding], set[Holding]]] = {}
    # Whether two lots may be together depends only on their classes (type, group, hosts,
    # family; the re-grouping is decided by the same facts), so each pair of classes is judged
    # once, on one lot of each, and the verdict applies to all their lots: a storehouse of
    # thousands of lots of a few types costs a few checks, not millions (an opening balance).
    classes: dict[tuple, list[Holding]] = {}
    for holding in ordered:
        classes.setdefault(_class_key(holding), []).append(holding)
    members = list(classes.values())
    pairs = [(lots, lots) for lots in members if len(lots) > 1]
    pairs += list(combinations(members, 2))
    for lots_a, lots_b in pairs:
        a, b = lots_a[0], lots_b[1] if lots_a is lots_b else lots_b[0]
        group_a, group_b = a.compatibility_group, b.compatibility_group
        refusal = _pair_refusal(a, group_a, b, group_b, matrix, waived_notes)
        if refusal is None and (a.lot_id in regrouped or b.lot_id in regrouped):
            group_a = regrouped.get(a.lot_id, (group_a, None))[0]
            group_b = regrouped.get(b.lot_id, (group_b, None))[0]
            refusal = _pair_refusal(a, group_a, b, group_b, matrix, waived_notes)
        if refusal is None:
            continue
        if _GROUP_ORDER[group_b] < _GROUP_ORDER[group_a]:
            lots_a, lots_b, group_a, group_b = lots_b, lots_a, group_b, group_a
        side_a, side_b = found.setdefault((group_a, group_b, *refusal), (set(), set()))
        side_a.update(lots_a)
        (side_a if group_a == group_b else side_b).update(lots_b)
    breaches = []
    for (group_a, group_b, value, waivable), (side_a, side_b) in sorted(
        found.items(), key=lambda item: (_GROUP_ORDER[item[0][0]], _GROUP_ORDER[item[0][1]])
    ):
        lot_ids, lot_numbers = _lots(side_a | side_b)
        message = _compatibility_message(
            group_a, _lots(side_a)[1], group_b, _lots(side_b)[1], value
        ) + _regrouping_message(
            [h for h in side_a if h.compatibility_group != group_a]
            + [h for h in side_b if h.compatibility_group != group_b],
            regrouped,
        )
        breaches.append(
            Breach(
                code=STORAGE_INCOMPATIBLE,
                rule="compatibility",
                message=message,
                lot_ids=lot_ids,
                lot_numbers=lot_numbers,
                note=value if value in MIXING_NOTES else None,
                waivable=waivable,
                groups=(group_a, group_b),
            )
        )
    return breaches


def _class_key(holding: Holding) -> tuple:
    """What decides whether a lot may share a storehouse with another (rule 1)."""
    return (
        holding.ammunition_type_id,
        holding.compatibility_group,
        holding.assembles_to,
        holding.compatible_family,
    )


def _compatibility_message(
    group_a: str, lots_a: tuple[str, ...], group_b: str, lots_b: tuple[str, ...], value: str
) -> str:
    if group_a == group_b:
        pair = f"CG {group_a} {_lots_phrase(lots_a)}"
        if value == "n3":
            return (
                f"{pair} are of different ammunition types; each CG {group_a} type is stored "
                f"alone (note n3)."
            )
    else:
        pair = f"CG {group_a} ({_lots_phrase(lots_a)}) and CG {group_b} ({_lots_phrase(lots_b)})"
    if value == "n1":
        return (
            f"{pair} may share a storehouse only when the CG B items are recorded as assembling "
            f"to the articles' types (note n1: assembles to)."
        )
    if value == "n2":
        return (
            f"{pair} may share a storehouse only when effectively segregated (note n2); "
            f"a waiver recording the segregation is needed."
        )
    if value == "n3":
        return f"{pair} may share a storehouse only within one ammunition type (note n3)."
    if value == "n4":
        return (
            f"{pair} may share a storehouse only by decision of the national competent "
            f"authority (note n4); a waiver recording it is needed."
        )
    return f"{pair} may not share a storehouse."


def _regrouping_message(lots: list[Holding], regrouped: Mapping[int, tuple[str, str]]) -> str:
    by_regrouping: dict[tuple[str, str], list[Holding]] = {}
    for h in sorted(lots, key=_lot_key):
        if h.lot_id in regrouped:
            by_regrouping.setdefault(regrouped[h.lot_id], []).append(h)
    sentences = []
    for (group, note), members in sorted(by_regrouping.items()):
        named = _lots_phrase(f"{h.lot_number} (CG {h.compatibility_group})" for h in members)
        verb = "counts" if len(members) == 1 else "count"
        sentences.append(f" {named[0].upper()}{named[1:]} {verb} as CG {group} under note {note}.")
    return "".join(sentences)
