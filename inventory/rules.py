"""Safe-storage rules (DESIGN.md §3 and §4): hazard codes, mixing, isolation, NEQ and licences.

Pure functions over data the caller has already loaded (and, for a posting, locked): no Django, no
database, no files. Policy (legal hazard codes, the mixing matrix, licence limits, the aggregation
policy) is passed in; the only constants are the hazard division values and compatibility group
letters that DESIGN.md fixes, and the meaning of the mixing notes n1..n7.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from types import MappingProxyType

HAZARD_DIVISIONS = ("1.1", "1.2.1", "1.2.2", "1.3", "1.4", "1.5", "1.6")
COMPATIBILITY_GROUPS = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "N", "S")
AVAILABILITIES = ("issuable", "restricted", "suspended", "unserviceable")
SERVICEABLE = frozenset({"issuable", "restricted"})
AVAILABILITY_RANK = {name: rank for rank, name in enumerate(AVAILABILITIES)}
MIXING_NOTES = ("n1", "n2", "n3", "n4", "n5", "n6", "n7")
WAIVABLE_NOTES = frozenset({"n2", "n4"})

STORAGE_INCOMPATIBLE = "storage_incompatible"
SUSPECT_ISOLATION = "suspect_isolation"
LICENCE_EXCEEDED = "licence_exceeded"
NO_LICENCE = "no_licence"

_UN_DIVISIONS = ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6")
_MATRIX_VALUES = frozenset({"Y", "N", *MIXING_NOTES})
_GROUP_ORDER = {group: index for index, group in enumerate(COMPATIBILITY_GROUPS)}
_DIVISION_ORDER = {division: index for index, division in enumerate(HAZARD_DIVISIONS)}
_SUBDIVISIONS_1_2 = ("1.2.1", "1.2.2")


# Hazard classification (§3)


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


# What the rules look at


@dataclass(frozen=True)
class Holding:
    """One lot's stock in a storehouse after the proposed movement (lots with stock on hand only).

    `neq_kg` is the holding's total NEQ; `neq_per_unit_kg` the NEQ per unit of issue (the lot's
    override or its type's), a unit holding `items_per_unit` items (a box of 20 rounds: 20), so
    rules about items read `neq_per_item_kg`. `compatible_family` marks 1.6N types proven
    compatible with each other (note n6); lots of one ammunition type are always compatible.
    `assembles_to` is, for a CG B item (fuze), the ammunition type ids of the articles it will
    be assembled to (note n1); n1 is strict, so none recorded (empty, or None) means no article
    is its host. `isolate` says the lot's condition code is one whose lots are stored apart
    (rule 2); `condition` is that code, for messages. `ancestry` holds the ids of the lots it
    was split from (any depth).
    """

    lot_id: int
    lot_number: str
    ammunition_type_id: int
    hazard_division: str
    compatibility_group: str
    neq_kg: Decimal
    neq_per_unit_kg: Decimal
    availability: str = "issuable"
    shaped_charge: bool = False
    high_energy_propellant: bool = False
    compatible_family: str | None = None
    assembles_to: frozenset[int] | None = None
    isolate: bool = False
    condition: str = ""
    ancestry: tuple[int, ...] = ()
    items_per_unit: int = 1

    def __post_init__(self) -> None:
        if self.hazard_division not in HAZARD_DIVISIONS:
            raise ValueError(
                f"lot {self.lot_number}: unknown hazard division {self.hazard_division!r}"
            )
        if self.compatibility_group not in COMPATIBILITY_GROUPS:
            raise ValueError(
                f"lot {self.lot_number}: unknown compatibility group {self.compatibility_group!r}"
            )
        if self.availability not in AVAILABILITIES:
            raise ValueError(f"lot {self.lot_number}: unknown availability {self.availability!r}")
        for name in ("neq_kg", "neq_per_unit_kg"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                raise TypeError(f"lot {self.lot_number}: {name} must be a Decimal, not {value!r}")
            if not value.is_finite() or value < 0:
                raise ValueError(f"lot {self.lot_number}: {name} must be 0 or more, not {value}")
        try:
            per_item_kg(self.neq_per_unit_kg, self.items_per_unit)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"lot {self.lot_number}: {exc}") from None

    @property
    def neq_per_item_kg(self) -> Decimal:
        return per_item_kg(self.neq_per_unit_kg, self.items_per_unit)


@dataclass(frozen=True)
class Breach:
    """A safe-storage rule the storehouse would break.

    `code` is the API error code, `rule` the DESIGN.md §4 rule ("compatibility", "isolation",
    "licence"). `note` is the mixing note that decided a compatibility breach; `waivable` says a
    waiver (for that note, or for isolation) would lift it. Licence breaches carry the assessed
    `division`, `neq_kg` and `limit_kg` (None when the division is not permitted at all).
    """

    code: str
    rule: str
    message: str
    lot_ids: tuple[int, ...] = ()
    lot_numbers: tuple[str, ...] = ()
    note: str | None = None
    waivable: bool = False
    groups: tuple[str, ...] = ()
    division: str | None = None
    neq_kg: Decimal | None = None
    limit_kg: Decimal | None = None


def _holdings(holdings: Iterable[Holding]) -> tuple[Holding, ...]:
    """The holdings in lot order, so every result is the same whatever order the caller used."""
    ordered = tuple(sorted(holdings, key=_lot_key))
    seen: set[int] = set()
    for holding in ordered:
        if holding.lot_id in seen:
            raise ValueError(f"lot {holding.lot_number} is given twice; pass one holding per lot")
        seen.add(holding.lot_id)
    return ordered


def _lot_key(holding: Holding) -> tuple[str, int]:
    return (holding.lot_number, holding.lot_id)


def _lots(holdings: Iterable[Holding]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    ordered = sorted(holdings, key=_lot_key)
    return tuple(h.lot_id for h in ordered), tuple(h.lot_number for h in ordered)


def _lots_phrase(lot_numbers: Iterable[str]) -> str:
    numbers = list(lot_numbers)
    return f"lot {numbers[0]}" if len(numbers) == 1 else f"lots {', '.join(numbers)}"


def _joined(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _kg(value: Decimal) -> str:
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# Rule 1: compatibility


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
    for a, b in combinations(ordered, 2):
        group_a, group_b = a.compatibility_group, b.compatibility_group
        refusal = _pair_refusal(a, group_a, b, group_b, matrix, waived_notes)
        if refusal is None and (a.lot_id in regrouped or b.lot_id in regrouped):
            group_a = regrouped.get(a.lot_id, (group_a, None))[0]
            group_b = regrouped.get(b.lot_id, (group_b, None))[0]
            refusal = _pair_refusal(a, group_a, b, group_b, matrix, waived_notes)
        if refusal is None:
            continue
        if _GROUP_ORDER[group_b] < _GROUP_ORDER[group_a]:
            a, b, group_a, group_b = b, a, group_b, group_a
        side_a, side_b = found.setdefault((group_a, group_b, *refusal), (set(), set()))
        side_a.add(a)
        (side_a if group_a == group_b else side_b).add(b)
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


# Conditions (DESIGN.md §5, §6)


def condition_improves(current: str, target: str, availability: Mapping[str, str]) -> bool:
    """Whether giving stock in condition `current` the condition `target` may improve it: any
    change but to a strictly worse availability (issuable < restricted < suspended <
    unserviceable). A change within one availability is a reclassification, which only someone
    who may record surveillance decides; keeping the same code improves nothing."""
    if target == current:
        return False
    rank = AVAILABILITY_RANK
    return rank[availability[target]] <= rank[availability[current]]


# Rule 2: stock of an isolating condition is stored apart


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


# Rule 4: NEQ aggregation


# What HD 1.6 may be counted as: a division a licence has a key for (DESIGN.md §4 rule 3: 1.1,
# 1.2.1, 1.2.2, 1.3, 1.4), so that 1.6 stock can be licensed at all, and never 1.4, which is
# never aggregated (1.6 articles are not "no significant hazard").
HD_1_6_COUNTS_AS = ("1.1", "1.2.1", "1.2.2", "1.3")


def hd_1_6_counts_as_check(value: object) -> str:
    """`value` if HD 1.6 may be counted as it; ValueError saying what is allowed otherwise."""
    if not isinstance(value, str) or value not in HD_1_6_COUNTS_AS:
        raise ValueError(
            f"HD 1.6 cannot be counted as {value!r}: use one of {', '.join(HD_1_6_COUNTS_AS)} "
            f"(a licence has no 1.6 limit, so 1.6 must count as a division it has a key for; "
            f"1.4 is never aggregated)."
        )
    return value


@dataclass(frozen=True)
class StoragePolicy:
    """Aggregation policy (DESIGN.md §4 rule 4), defaulting to DESIGN's values.

    `hd_1_6_counts_as`: the division HD 1.6 is counted as, one of HD_1_6_COUNTS_AS; with "1.3",
    1.6 stored beside HD 1.2 counts as 1.1 all the same (see `counted_division`).
    `forcing_neq_per_item_kg`: an HD 1.2.1 item with more NEQ than this forces the storehouse
    to 1.1.
    """

    hd_1_6_counts_as: str = "1.1"
    forcing_neq_per_item_kg: Decimal = Decimal("5")

    def __post_init__(self) -> None:
        hd_1_6_counts_as_check(self.hd_1_6_counts_as)
        if not isinstance(self.forcing_neq_per_item_kg, Decimal):
            raise TypeError("forcing_neq_per_item_kg must be a Decimal")
        if not self.forcing_neq_per_item_kg.is_finite() or self.forcing_neq_per_item_kg < 0:
            raise ValueError(
                f"forcing_neq_per_item_kg must be 0 or more, not {self.forcing_neq_per_item_kg}"
            )


@dataclass(frozen=True)
class Assessment:
    """An NEQ that must not exceed the licence limit of `division`, and why it is summed so."""

    division: str
    neq_kg: Decimal
    lot_ids: tuple[int, ...]
    lot_numbers: tuple[str, ...]
    reason: str


def counted_division(division: str, policy: StoragePolicy, beside: Iterable[str] = ()) -> str:
    """The division an HD counts as for aggregation and licences: 1.5 as 1.1, 1.6 per policy.

    `beside` holds the hazard divisions stored with it. Counted as 1.3, HD 1.6 would escape
    aggregation with HD 1.2 ("1.2 with 1.3: no aggregation"), which AASTP-1 does not allow for
    1.6: stored beside 1.2.1 or 1.2.2 it counts as 1.1, as DESIGN.md's default has it.
    """
    if division == "1.5":
        return "1.1"
    if division == "1.6":
        if policy.hd_1_6_counts_as == "1.3" and any(d in _SUBDIVISIONS_1_2 for d in beside):
            return "1.1"
        return policy.hd_1_6_counts_as
    return division


def neq_assessments(
    holdings: Iterable[Holding], policy: StoragePolicy = StoragePolicy()
) -> list[Assessment]:
    """Rule 4: the NEQ sums a storehouse is checked against, in DESIGN.md's order of evaluation.

    1.4 stands alone. 1.5 counts as 1.1, 1.6 as policy says (`counted_division`). A shaped
    charge, high-energy propellant or 1.2.1 item over the policy NEQ per item (per item, not per
    unit of issue) makes everything but 1.4 one 1.1 sum.
    Otherwise: 1.1 with 1.2 (and any 1.3) is one sum assessed as 1.1 and as the worst 1.2
    sub-division present; 1.1 with 1.3 is one sum assessed as 1.1; 1.2.1 with 1.2.2 (no 1.1) is
    one sum assessed as 1.2.1, and 1.2.2 is also assessed alone; every other division (1.3 beside
    1.2 without 1.1 included) stands alone. At most one assessment per division, in division order.
    """
    ordered = _holdings(holdings)
    assessments = []
    present_divisions = {h.hazard_division for h in ordered}
    by_division: dict[str, list[Holding]] = {}
    for h in ordered:
        division = counted_division(h.hazard_division, policy, present_divisions)
        by_division.setdefault(division, []).append(h)

    def assess(division: str, members: Iterable[Holding], reason: str) -> None:
        members = list(members)
        divisions = sorted({h.hazard_division for h in members}, key=_DIVISION_ORDER.__getitem__)
        for d in divisions:
            counted = counted_division(d, policy, present_divisions)
            if counted != d:
                reason += f"; HD {d} counts as {counted}"
        lot_ids, lot_numbers = _lots(members)
        total = sum((h.neq_kg for h in members), Decimal(0))
        assessments.append(Assessment(division, total, lot_ids, lot_numbers, reason))

    if "1.4" in by_division:
        assess("1.4", by_division.pop("1.4"), "HD 1.4 is never aggregated")
    present = set(by_division)
    rest = [h for members in by_division.values() for h in members]
    forcing = next((h for h in rest if _forcing_reason(h, policy, present_divisions)), None)
    subdivisions = [d for d in _SUBDIVISIONS_1_2 if d in present]
    handled: set[str] = set()
    if forcing is not None:
        assess(
            "1.1",
            rest,
            f"lot {forcing.lot_number} {_forcing_reason(forcing, policy, present_divisions)}, "
            "so the whole storehouse NEQ less HD 1.4 is assessed as 1.1",
        )
        handled = present
    elif "1.1" in present and subdivisions:
        handled = {"1.1", *subdivisions, "1.3"} & present
        members = [h for d in handled for h in by_division[d]]
        mixed = _joined(d for d in HAZARD_DIVISIONS if d in handled and d != "1.1")
        worst = subdivisions[0]
        reason = f"HD 1.1 with {mixed}: the sum is assessed as 1.1 and as {worst}"
        assess("1.1", members, reason)
        assess(worst, members, reason)
    elif "1.1" in present and "1.3" in present:
        handled = {"1.1", "1.3"}
        assess(
            "1.1",
            [*by_division["1.1"], *by_division["1.3"]],
            "HD 1.1 with 1.3: the sum is assessed as 1.1",
        )
    elif len(subdivisions) == 2:
        handled = set(_SUBDIVISIONS_1_2)
        assess(
            "1.2.1",
            [*by_division["1.2.1"], *by_division["1.2.2"]],
            "HD 1.2.1 with 1.2.2: the sum is assessed as 1.2.1",
        )
        assess("1.2.2", by_division["1.2.2"], "HD 1.2.2 with 1.2.1: 1.2.2 is also assessed alone")
    for division in present - handled:
        assess(division, by_division[division], f"HD {division} against its own limit")
    return sorted(assessments, key=lambda a: _DIVISION_ORDER[a.division])


def _forcing_reason(
    holding: Holding, policy: StoragePolicy, beside: Iterable[str] = ()
) -> str | None:
    if holding.shaped_charge:
        return "is a shaped charge"
    if holding.high_energy_propellant:
        return "holds high-energy propellant"
    # NEQ per item, not per unit of issue: a box of 1.2.1 rounds is not one heavy item.
    per_item = holding.neq_per_item_kg
    if (
        counted_division(holding.hazard_division, policy, beside) == "1.2.1"
        and per_item > policy.forcing_neq_per_item_kg
    ):
        return (
            f"is HD 1.2.1 with {_kg(per_item)} kg NEQ per item, "
            f"over {_kg(policy.forcing_neq_per_item_kg)} kg"
        )
    return None


# Rule 3: explosive licence limits


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


# All rules


def storage_breaches(
    holdings: Iterable[Holding],
    *,
    matrix: MixingMatrix,
    limits: Mapping[str, Decimal | None] | None,
    policy: StoragePolicy = StoragePolicy(),
    waived_notes: frozenset[str] = frozenset(),
    isolation_waived: bool = False,
) -> list[Breach]:
    """Every safe-storage breach of a storehouse's contents after a movement: rules 1 to 4.

    The caller passes the contents of the locked storehouse, the mixing matrix and licence in
    force, and the waivers in force; an empty list means the movement may be posted.
    """
    ordered = _holdings(holdings)
    return [
        *compatibility_breaches(ordered, matrix, waived_notes),
        *isolation_breaches(ordered, waived=isolation_waived),
        *licence_breaches(ordered, limits, policy),
    ]
