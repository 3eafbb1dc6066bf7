"""Rule 4 (DESIGN.md §4): which NEQ sums a storehouse is assessed on, so the licence (rule 3) and
quantity-distance (DESIGN.md §13) check the same sums."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from inventory.rules.hazard import _DIVISION_ORDER, _SUBDIVISIONS_1_2, HAZARD_DIVISIONS
from inventory.rules.holdings import Holding, _holdings, _joined, _kg, _lots

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
