"""Quantity-distance rules (DESIGN.md §13, IATG 02.20): pure, table-driven, no database.

The k-factors, bands, minimums, Table 7 rounding, the site kinds and the structure reductions are
data in `qd/reference/*.csv` (read once, `qd_tables()`); this module only knows the forms of the
functions (a power of Q, a quadratic in ln Q, a constant) and how to combine them.

Conventions, so that two implementations agree:
- a function row gives D = factor x max(minimum, f(Q)), f from the band that holds Q (bands are
  [from_kg, to_kg));
- the required distance is D rounded **up** per Table 7 (the step of the band D falls in);
- the NEQ a measured distance permits is the largest whole kg whose *rounded* distance is within
  it, so that the calculator and the back-calculation never disagree.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

from inventory import rules as storage_rules

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# The distance keys of the API, in the order it lists them (docs/api.md, qd/distances/).
DISTANCE_KEYS = ("ibd", "ptr_high", "ptr_medium", "ptr_low", "vbd", "pbd", "imd")
SITE_KINDS = (
    "inhabited_building",
    "vulnerable_building",
    "ptr_high",
    "ptr_medium",
    "ptr_low",
    "process_building",
    "storehouse",
)
# The divisions a licence has limits for, and so the back-calculation reports (DESIGN.md §4).
PERMITTED_DIVISIONS = ("1.1", "1.2.1", "1.2.2", "1.3", "1.4")

# Float noise (8.0 x 1000^(1/3) = 79.99999999999999) must not round a table value up one step.
_NOISE_DIGITS = 6


@dataclass(frozen=True)
class FunctionRow:
    division: str
    distance: str
    from_kg: float
    to_kg: float | None
    form: str
    a: float
    b: float
    c: float
    exponent: float
    factor: float
    minimum_m: float
    source: str

    def holds(self, neq_kg: float) -> bool:
        return self.from_kg <= neq_kg and (self.to_kg is None or neq_kg < self.to_kg)

    def value(self, neq_kg: float) -> float:
        """The unrounded distance in metres at `neq_kg` (this row's band)."""
        if self.form == "constant":
            base = self.a
        elif self.form == "power":
            base = self.a * neq_kg**self.exponent
        elif self.form == "lnquad":
            ln = math.log(neq_kg) if neq_kg > 0 else 0.0
            base = self.a + self.b * ln + self.c * ln * ln
        else:  # pragma: no cover - the loader refuses other forms
            raise ValueError(self.form)
        return self.factor * max(self.minimum_m, base)


@dataclass(frozen=True)
class RoundingBand:
    from_m: float
    to_m: float | None
    step_m: int


@dataclass(frozen=True)
class DivisionRow:
    division: str
    distances_as: str
    max_neq_kg: int | None
    source: str


@dataclass(frozen=True)
class StructureRule:
    structure: str
    distance: str  # "" for every distance
    factor: float
    rule: str


@dataclass(frozen=True)
class QdTables:
    functions: tuple[FunctionRow, ...]
    rounding: tuple[RoundingBand, ...]
    divisions: dict[str, DivisionRow]
    site_kinds: dict[str, str]  # site kind -> distance key
    site_labels: dict[str, str]
    structures: tuple[StructureRule, ...]

    def rows(self, division: str, distance: str) -> list[FunctionRow]:
        return [r for r in self.functions if r.division == division and r.distance == distance]


def _float(text: str, default: float = 0.0) -> float:
    text = (text or "").strip()
    return float(Fraction(text)) if text else default


def _read(name: str, directory: Path) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def tables_from_dir(directory: Path) -> QdTables:
    """Load and check the reference tables; ValueError naming the file and row otherwise."""
    functions = []
    for number, row in enumerate(_read("qd_functions.csv", directory), start=2):
        if row["form"] not in {"constant", "power", "lnquad"}:
            raise ValueError(f"qd_functions.csv line {number}: unknown form {row['form']!r}")
        if row["distance"] not in DISTANCE_KEYS:
            raise ValueError(f"qd_functions.csv line {number}: unknown distance {row['distance']}")
        functions.append(
            FunctionRow(
                division=row["division"],
                distance=row["distance"],
                from_kg=_float(row["from_kg"]),
                to_kg=_float(row["to_kg"]) if row["to_kg"].strip() else None,
                form=row["form"],
                a=_float(row["a"]),
                b=_float(row["b"]),
                c=_float(row["c"]),
                exponent=_float(row["exponent"], 1.0),
                factor=_float(row["factor"], 1.0),
                minimum_m=_float(row["minimum_m"]),
                source=row["source"],
            )
        )
    rounding = tuple(
        RoundingBand(
            from_m=_float(row["from_m"]),
            to_m=_float(row["to_m"]) if row["to_m"].strip() else None,
            step_m=int(row["step_m"]),
        )
        for row in _read("qd_rounding.csv", directory)
    )
    divisions = {
        row["division"]: DivisionRow(
            division=row["division"],
            distances_as=row["distances_as"],
            max_neq_kg=int(row["max_neq_kg"]) if row["max_neq_kg"].strip() else None,
            source=row["source"],
        )
        for row in _read("qd_divisions.csv", directory)
    }
    kinds = _read("qd_site_kinds.csv", directory)
    structures = tuple(
        StructureRule(
            structure=row["structure"],
            distance=row["distance"].strip(),
            factor=_float(row["factor"], 1.0),
            rule=row["rule"],
        )
        for row in _read("qd_structures.csv", directory)
    )
    return QdTables(
        functions=tuple(functions),
        rounding=rounding,
        divisions=divisions,
        site_kinds={row["kind"]: row["distance"] for row in kinds},
        site_labels={row["kind"]: row["label"] for row in kinds},
        structures=structures,
    )


@cache
def qd_tables() -> QdTables:
    return tables_from_dir(REFERENCE_DIR)


def round_up(distance_m: float, tables: QdTables | None = None) -> int:
    """A distance rounded up per IATG 02.20 Table 7 (the step of the band it falls in)."""
    tables = tables or qd_tables()
    value = round(distance_m, _NOISE_DIGITS)
    for band in tables.rounding:
        if band.from_m <= value and (band.to_m is None or value < band.to_m):
            return int(math.ceil(value / band.step_m) * band.step_m)
    raise ValueError(f"no Table 7 rounding band holds {distance_m} m")


def structure_rule(structure: str, distance: str, tables: QdTables | None = None) -> StructureRule:
    """The reduction a PES structure has for `distance` in the reference table (factor 1: none)."""
    tables = tables or qd_tables()
    fallback = StructureRule(structure, "", 1.0, "Above-ground PES (no reduction in the table)")
    general = None
    for rule in tables.structures:
        if rule.structure != structure:
            continue
        if rule.distance == distance:
            return rule
        if not rule.distance:
            general = rule
    return general or fallback


def check_division(division: str, tables: QdTables | None = None) -> DivisionRow:
    tables = tables or qd_tables()
    try:
        return tables.divisions[division]
    except KeyError:
        raise ValueError(
            f"{division!r} is not a hazard division; use one of {', '.join(tables.divisions)}."
        ) from None


def raw_distance(
    division: str,
    distance: str,
    neq_kg: float,
    *,
    structure: str = "",
    tables: QdTables | None = None,
) -> float | None:
    """The unrounded distance (m) of `distance` for `neq_kg` of `division`; None: none applies."""
    tables = tables or qd_tables()
    as_division = check_division(division, tables).distances_as
    for row in tables.rows(as_division, distance):
        if row.holds(neq_kg):
            factor = structure_rule(structure, distance, tables).factor if structure else 1.0
            return factor * row.value(neq_kg)
    return None


def required_distance(
    division: str,
    distance: str,
    neq_kg: float,
    *,
    structure: str = "",
    tables: QdTables | None = None,
) -> int | None:
    """The required distance in whole metres (Table 7 rounding); None where none applies."""
    tables = tables or qd_tables()
    raw = raw_distance(division, distance, neq_kg, structure=structure, tables=tables)
    return None if raw is None else round_up(raw, tables)


def distances(
    division: str, neq_kg: float | Decimal, *, structure: str = "", tables: QdTables | None = None
) -> dict[str, int | None]:
    """Every distance key for `neq_kg` of `division` (whole metres, None where none applies)."""
    tables = tables or qd_tables()
    q = float(neq_kg)
    return {
        key: required_distance(division, key, q, structure=structure, tables=tables)
        for key in DISTANCE_KEYS
    }


def _largest(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


@dataclass(frozen=True)
class Assessed:
    division: str  # the division the sum is assessed as
    neq_kg: Decimal
    reason: str


def assess_contents(
    contents: Mapping[str, Decimal],
    policy: storage_rules.StoragePolicy = storage_rules.StoragePolicy(),  # noqa: B008
) -> list[Assessed]:
    """The (division, NEQ) pairs mixed contents are assessed as: DESIGN.md §4 rule 4, through
    the same aggregation code as the licence check (one holding per division)."""
    holdings = [
        storage_rules.Holding(
            lot_id=index,
            lot_number=f"HD {division}",
            ammunition_type_id=index,
            hazard_division=division,
            compatibility_group="S" if division == "1.4" else "D",
            neq_kg=Decimal(neq),
            neq_per_unit_kg=Decimal(0),
        )
        for index, (division, neq) in enumerate(sorted(contents.items()), start=1)
        if Decimal(neq) > 0
    ]
    return [
        Assessed(a.division, a.neq_kg, a.reason)
        for a in storage_rules.neq_assessments(holdings, policy)
    ]


def mixed_distances(
    assessed: Iterable[Assessed], *, structure: str = "", tables: QdTables | None = None
) -> dict[str, int | None]:
    """The distance to each key: the largest over the assessed pairs (DESIGN.md §13)."""
    tables = tables or qd_tables()
    result: dict[str, int | None] = dict.fromkeys(DISTANCE_KEYS)
    for pair in assessed:
        for key, value in distances(
            pair.division, pair.neq_kg, structure=structure, tables=tables
        ).items():
            result[key] = _largest(result[key], value)
    return result


def permitted_neq(
    division: str,
    site_kind: str,
    measured_m: float | Decimal,
    *,
    structure: str = "",
    tables: QdTables | None = None,
) -> int | None:
    """The largest whole kg of `division` whose required distance to a site of `site_kind` is
    within `measured_m`; 0 when even the smallest NEQ needs more. None when the distance sets
    no bound (no distance applies, or HD 1.4 at or beyond its fire separation); the table range
    (`max_neq_kg`) caps the rest. Binary search: every tabled function is non-decreasing in Q
    once its minimum applies."""
    tables = tables or qd_tables()
    row = check_division(division, tables)
    key = tables.site_kinds[site_kind]
    measured = float(measured_m)

    def fits(q: int) -> bool:
        needed = required_distance(division, key, q, structure=structure, tables=tables)
        return needed is None or needed <= measured

    if required_distance(division, key, 1, structure=structure, tables=tables) is None:
        return None
    if row.max_neq_kg is None:
        return None if fits(1) else 0
    if not fits(1):
        return 0
    if fits(row.max_neq_kg):
        return row.max_neq_kg
    low, high = 1, row.max_neq_kg  # fits(low), not fits(high)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


@dataclass(frozen=True)
class Site:
    """A registered exposed site as the back-calculation sees it."""

    exposed_site_id: int
    name: str
    kind: str
    distance_m: Decimal


@dataclass(frozen=True)
class Permitted:
    division: str
    neq_kg: int | None  # None: unlimited
    governing: Site | None  # None: no site binds (the table range, or nothing at all)


def back_calculate(
    sites: Iterable[Site], *, structure: str = "", tables: QdTables | None = None
) -> dict[str, Permitted]:
    """Per licensable division, the NEQ the sites permit (the least over them, whole kg) and the
    site that binds. With no site, the table range (`max_neq_kg`) is the bound. Ties go to the
    nearer site, then the lower id, so the governing site is stable."""
    tables = tables or qd_tables()
    sites = sorted(sites, key=lambda s: (s.distance_m, s.exposed_site_id))
    result = {}
    for division in PERMITTED_DIVISIONS:
        best: int | None = tables.divisions[division].max_neq_kg
        governing = None
        for site in sites:
            allowed = permitted_neq(
                division, site.kind, site.distance_m, structure=structure, tables=tables
            )
            if allowed is not None and (best is None or allowed < best):
                best, governing = allowed, site
        result[division] = Permitted(division, best, governing)
    return result


def limits_within(
    limits: Mapping[str, Decimal | None], permitted: Mapping[str, Permitted]
) -> list[str]:
    """The divisions whose licence limit exceeds what QD permits (unlimited exceeds any bound;
    a division absent from the licence is not permitted, so never exceeds)."""
    beyond = []
    for division in PERMITTED_DIVISIONS:
        if division not in limits:
            continue
        allowed = permitted[division].neq_kg
        limit = limits[division]
        if allowed is None:
            continue
        if limit is None or limit > allowed:
            beyond.append(division)
    return beyond
