"""The site sketch of a storehouse (DESIGN.md §13): a plan drawn to scale with the storehouse
at the centre, the required distance ring of each site kind, and the registered sites placed at
their measured distances (red when inside their kind's ring). Pure geometry for the template."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from qd import rules

SIZE = 640  # the SVG's viewBox side, in drawing units
MARGIN = 40
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True)
class Ring:
    label: str
    required_m: int
    radius: float
    label_y: float


@dataclass(frozen=True)
class PlacedSite:
    name: str
    kind: str
    label: str
    distance_m: Decimal
    required_m: int | None
    inside: bool
    x: float
    y: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Sketch:
    size: int
    centre: float
    metres_per_unit: float
    rings: list[Ring]
    sites: list[PlacedSite]
    scale_bar_m: int
    scale_bar_units: float


def required_by_kind(
    limits: Mapping[str, Decimal | None], structure: str = ""
) -> dict[str, int | None]:
    """The distance each site kind needs for a licence's limits (division -> max NEQ; None for
    unlimited, drawn at the tables' range). Each limit is a maximum of its own division, so the
    ring is the largest over the divisions, not a distance of their sum."""
    tables = rules.qd_tables()
    pairs = []
    for division, neq in limits.items():
        if neq is None:
            cap = tables.divisions[division].max_neq_kg
            neq = Decimal(cap if cap is not None else 1)
        if neq > 0:
            pairs.append(rules.Assessed(division, Decimal(neq), "licence limit"))
    distances = rules.mixed_distances(pairs, structure=structure)
    return {kind: distances[key] for kind, key in tables.site_kinds.items()}


def _nice(metres: float) -> int:
    """A round scale-bar length near a fifth of the drawing."""
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if step >= metres:
            return step
    return 10000


def sketch(sites: Sequence[rules.Site], required: Mapping[str, int | None]) -> Sketch:
    """Lay the rings and sites out; the farthest ring or site touches the margin."""
    tables = rules.qd_tables()
    centre = SIZE / 2
    reach = max(
        [float(s.distance_m) for s in sites] + [float(r) for r in required.values() if r] + [1.0]
    )
    units_per_metre = (centre - MARGIN) / reach
    # Kinds needing the same distance share one ring (IBD and PTR high, for instance); labels
    # alternate between the top and the bottom of their ring so that close rings stay legible.
    by_distance: dict[int, list[str]] = {}
    for kind in tables.site_kinds:
        if required.get(kind):
            by_distance.setdefault(required[kind], []).append(tables.site_labels[kind])
    rings = []
    for index, (metres, labels) in enumerate(sorted(by_distance.items())):
        radius = metres * units_per_metre
        top = index % 2 == 0
        rings.append(
            Ring(
                label=", ".join(labels),
                required_m=metres,
                radius=round(radius, 1),
                label_y=round(centre - radius + 12 if top else centre + radius - 5, 1),
            )
        )
    placed = []
    for index, site in enumerate(sites):
        angle = index * _GOLDEN_ANGLE - math.pi / 2
        radius = float(site.distance_m) * units_per_metre
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        needed = required.get(site.kind)
        placed.append(
            PlacedSite(
                name=site.name,
                kind=site.kind,
                label=tables.site_labels[site.kind],
                distance_m=site.distance_m,
                required_m=needed,
                inside=needed is not None and float(site.distance_m) < needed,
                x=round(x, 1),
                y=round(y, 1),
                label_x=round(x + 7, 1),
                label_y=round(y - 7, 1),
            )
        )
    bar_m = _nice(reach / 5)
    return Sketch(
        size=SIZE,
        centre=centre,
        metres_per_unit=1 / units_per_metre,
        rings=rings,
        sites=placed,
        scale_bar_m=bar_m,
        scale_bar_units=round(bar_m * units_per_metre, 1),
    )
