"""What the rules look at (a storehouse's lots after a movement) and what they answer (breaches),
with the lot ordering and wording every rule shares, so each rule's result reads the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from inventory.rules.hazard import COMPATIBILITY_GROUPS, HAZARD_DIVISIONS, per_item_kg

AVAILABILITIES = ("issuable", "restricted", "suspended", "unserviceable")
SERVICEABLE = frozenset({"issuable", "restricted"})
AVAILABILITY_RANK = {name: rank for rank, name in enumerate(AVAILABILITIES)}

STORAGE_INCOMPATIBLE = "storage_incompatible"
SUSPECT_ISOLATION = "suspect_isolation"
LICENCE_EXCEEDED = "licence_exceeded"
NO_LICENCE = "no_licence"


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
