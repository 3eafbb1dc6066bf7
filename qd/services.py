"""Writes of quantity-distance: exposed sites and their distances, the `licence_beyond_qd`
alert at once, and a licence version generated from QD (DESIGN.md §13)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from alerts.models import AlertKind
from alerts.services import Subject, alerts_raise, alerts_resolve_for_storehouses
from core.history import history_save
from core.roles import Action
from core.scoping import require
from inventory.models import Depot, Licence, Storehouse
from inventory.services.reference import licence_limits_replace
from qd import rules
from qd.errors import NoExposedSites
from qd.models import MAX_DISTANCE_M, ExposedSite, ExposedSiteDistance, ExposedSiteKind
from qd.selectors import StorehouseQd, storehouse_qd, storehouses_beyond_qd

FROM_QD_REASON = "Limits generated from quantity-distance (IATG 02.20)"


def _kg(value) -> str:
    return "unlimited" if value is None else f"{value:,} kg"


def beyond_qd_subject(qd: StorehouseQd):
    """The alert subject of a storehouse whose licence exceeds QD: the sweep's and the services'
    one message, so both refresh the same alert alike."""
    parts = []
    for division in qd.beyond:
        permitted = qd.permitted[division]
        site = permitted.governing
        limit = qd.limits[division]
        parts.append(
            f"HD {division} licensed {_kg(None if limit is None else int(limit))}, QD permits "
            f"{_kg(permitted.neq_kg)}" + (f" ({site.name} at {site.distance_m} m)" if site else "")
        )
    code = qd.storehouse.code
    return Subject(
        depot_id=qd.storehouse.depot_id,
        storehouse_id=qd.storehouse.pk,
        message=(
            f"Licence {qd.licence.number} of storehouse {code} exceeds what its exposed sites "
            f"allow: " + "; ".join(parts) + ". Reduce the limits (generate them from QD) or "
            "review the distances."
        ),
        details={
            "licence": qd.licence.number,
            "divisions": [
                {
                    "division": division,
                    "limit_kg": None if qd.limits[division] is None else str(qd.limits[division]),
                    "permitted_kg": qd.permitted[division].neq_kg,
                    "governing": qd.permitted[division].governing.name
                    if qd.permitted[division].governing
                    else None,
                }
                for division in qd.beyond
            ],
        },
    )


def qd_alerts_refresh(*, storehouse_ids: Iterable[int]) -> None:
    """Bring the `licence_beyond_qd` alerts of these storehouses up to date at once: after a
    distance, a site or a licence changed. Other storehouses are left to the daily sweep."""
    ids = set(storehouse_ids)
    if not ids:
        return
    found = storehouses_beyond_qd(on=timezone.localdate(), storehouse_ids=ids)
    alerts_raise(kind=AlertKind.LICENCE_BEYOND_QD, subjects=[beyond_qd_subject(qd) for qd in found])
    alerts_resolve_for_storehouses(
        kind=AlertKind.LICENCE_BEYOND_QD,
        storehouse_ids=ids - {qd.storehouse.pk for qd in found},
    )


def _name_free(depot: Depot, name: str, site_id: int | None = None) -> None:
    taken = ExposedSite.objects.filter(depot=depot, name=name).exclude(pk=site_id)
    if name and taken.exists():
        raise ValidationError(
            {"name": f"Depot {depot.code} already has an exposed site named {name!r}."}
        )


def _distance_rows(depot: Depot, distances: Sequence[Mapping]) -> list[tuple[Storehouse, Decimal]]:
    """Check the distances' storehouses belong to `depot`, once each; ValidationError naming
    `distances` otherwise."""
    errors, rows, seen = [], [], set()
    for item in distances:
        storehouse, distance_m = item["storehouse"], Decimal(item["distance_m"])
        if storehouse.depot_id != depot.pk:
            errors.append(
                f"Storehouse {storehouse} is not of depot {depot.code}: a site's distances are "
                f"to the storehouses of its own depot."
            )
        elif storehouse.pk in seen:
            errors.append(f"Storehouse {storehouse} is given twice.")
        seen.add(storehouse.pk)
        rows.append((storehouse, distance_m))
    if errors:
        raise ValidationError({"distances": errors})
    return rows


def _distances_set(site: ExposedSite, rows, user: User) -> set[int]:
    """Make the site's distances exactly `rows` (with history); the storehouses touched."""
    current = {d.storehouse_id: d for d in site.distances.all()}
    wanted = {storehouse.pk: distance for storehouse, distance in rows}
    for storehouse_id, row in current.items():
        if storehouse_id not in wanted:
            row._history_user = user
            row.delete()
    for storehouse, distance in rows:
        row = current.get(storehouse.pk)
        if row is not None and row.distance_m == distance:
            continue
        if row is None:
            row = ExposedSiteDistance(exposed_site=site, storehouse=storehouse)
        row.distance_m = distance
        row.full_clean(exclude=["exposed_site"], validate_constraints=False)
        history_save(row, by=user)
    return set(current) | set(wanted)


@transaction.atomic
def exposed_site_create(
    *,
    depot: Depot,
    name: str,
    kind: str,
    distances: Sequence[Mapping] = (),
    note: str = "",
    created_by: User,
) -> ExposedSite:
    """Register an exposed site of a depot with its distance to some of the depot's storehouses
    (administrators). The storehouses' `licence_beyond_qd` alerts are refreshed at once."""
    require(created_by, Action.MANAGE_REFERENCE, depot.pk)
    rows = _distance_rows(depot, distances)
    _name_free(depot, name)
    site = ExposedSite(depot=depot, name=name, kind=kind, note=note, created_by=created_by)
    site.full_clean()
    history_save(site, by=created_by)
    touched = _distances_set(site, rows, created_by)
    qd_alerts_refresh(storehouse_ids=touched)
    return site


@transaction.atomic
def exposed_site_update(
    *,
    exposed_site: ExposedSite,
    changed_by: User,
    name: str | None = None,
    kind: str | None = None,
    note: str | None = None,
    distances: Sequence[Mapping] | None = None,
) -> ExposedSite:
    """Change a site; `distances`, when given, replaces the whole set (a storehouse left out
    loses its distance). History keeps the old values; alerts are refreshed at once."""
    require(changed_by, Action.MANAGE_REFERENCE, exposed_site.depot_id)
    site = ExposedSite.objects.select_for_update().select_related("depot").get(pk=exposed_site.pk)
    rows = _distance_rows(site.depot, distances) if distances is not None else None
    for field, value in (("name", name), ("kind", kind), ("note", note)):
        if value is not None:
            setattr(site, field, value)
    _name_free(site.depot, site.name, site.pk)
    site.full_clean()
    history_save(site, by=changed_by)
    touched = set(site.distances.values_list("storehouse_id", flat=True))
    if rows is not None:
        touched |= _distances_set(site, rows, changed_by)
    qd_alerts_refresh(storehouse_ids=touched)
    return site


@transaction.atomic
def licence_from_qd(*, licence: Licence, generated_by: User) -> Licence:
    """A new version of `licence` whose limits are the NEQ its storehouse's exposed sites permit
    (DESIGN.md §13): every licensable division, 0 where a site is too near, unlimited (None)
    where no distance bounds it (HD 1.4 beyond its fire separation). Refused with
    `no_exposed_sites` when none is registered around the storehouse."""
    require(generated_by, Action.MANAGE_REFERENCE, licence.storehouse.depot_id)
    qd = storehouse_qd(licence.storehouse)
    if not qd.sites:
        raise NoExposedSites(
            f"No exposed site is registered around storehouse {licence.storehouse}: register "
            f"the sites and their distances before generating limits from QD."
        )
    limits = {
        division: None if permitted.neq_kg is None else Decimal(permitted.neq_kg)
        for division, permitted in qd.permitted.items()
        if division in rules.PERMITTED_DIVISIONS
    }
    return licence_limits_replace(
        licence=licence, limits=limits, changed_by=generated_by, reason=FROM_QD_REASON
    )


IMPORT_COLUMNS = ("name", "kind", "storehouse", "distance_m")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    distances: int


def _import_rows(depot: Depot, csv_text: str) -> dict[str, dict]:
    """The sites of a CSV (columns name, kind, storehouse code, distance_m; one row per site and
    storehouse), checked whole; ValidationError on `csv` listing every problem by line."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in IMPORT_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            {"csv": [f"The header must name {', '.join(IMPORT_COLUMNS)}; missing: "
                     f"{', '.join(missing)}."]}
        )  # fmt: skip
    storehouses = {s.code: s for s in Storehouse.objects.filter(depot=depot)}
    kinds = set(ExposedSiteKind.values)
    errors: list[str] = []
    sites: dict[str, dict] = {}
    for number, raw in enumerate(reader, start=2):
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        if not any(row.values()):
            continue
        name, kind, code = row["name"], row["kind"], row["storehouse"]
        if not name:
            errors.append(f"Line {number}: the site has no name.")
            continue
        if kind not in kinds:
            errors.append(f"Line {number}: kind {kind!r} is not one of {', '.join(sorted(kinds))}.")
            continue
        site = sites.setdefault(name, {"kind": kind, "distances": {}})
        if site["kind"] != kind:
            errors.append(f"Line {number}: site {name!r} was given kind {site['kind']} above.")
        if code not in storehouses:
            errors.append(f"Line {number}: depot {depot.code} has no storehouse {code!r}.")
            continue
        if code in site["distances"]:
            errors.append(f"Line {number}: site {name!r} has a distance to {code} above.")
        try:
            distance = Decimal(row["distance_m"])
            if not distance.is_finite():
                raise ArithmeticError
        except (ArithmeticError, ValueError):
            errors.append(f"Line {number}: distance {row['distance_m']!r} is not a number.")
            continue
        if not Decimal("0.1") <= distance <= MAX_DISTANCE_M or distance != distance.quantize(
            Decimal("0.1")
        ):
            errors.append(
                f"Line {number}: the distance must be from 0.1 to {MAX_DISTANCE_M} m, to 0.1 m."
            )
            continue
        site["distances"][code] = (storehouses[code], distance)
    if not sites and not errors:
        errors.append("The file has no site.")
    if errors:
        raise ValidationError({"csv": errors})
    return sites


@transaction.atomic
def exposed_sites_import(*, depot: Depot, csv_text: str, imported_by: User) -> ImportResult:
    """Register or update a depot's exposed sites from a CSV (docs/qd.md): all or nothing. A
    site already registered under the name takes the file's kind, and the distances the file
    gives (its other distances stay)."""
    require(imported_by, Action.MANAGE_REFERENCE, depot.pk)
    sites = _import_rows(depot, csv_text)
    existing = {s.name: s for s in ExposedSite.objects.filter(depot=depot, name__in=list(sites))}
    created = updated = count = 0
    touched: set[int] = set()
    for name, spec in sites.items():
        site = existing.get(name)
        if site is None:
            site = ExposedSite(depot=depot, name=name, kind=spec["kind"], created_by=imported_by)
            created += 1
        else:
            site.kind = spec["kind"]
            updated += 1
        site.full_clean()
        history_save(site, by=imported_by)
        current = {(d.storehouse_id): d for d in site.distances.all()}
        rows = [(sh, metres) for sh, metres in spec["distances"].values()]
        keep = [
            (d.storehouse, d.distance_m)
            for sid, d in current.items()
            if sid not in {sh.pk for sh, _m in rows}
        ]
        touched |= _distances_set(site, rows + keep, imported_by)
        count += len(rows)
    qd_alerts_refresh(storehouse_ids=touched)
    return ImportResult(created=created, updated=updated, distances=count)
