"""Writes of quantity-distance: exposed sites and their distances, the `licence_beyond_qd`
alert at once, and a licence version generated from QD (DESIGN.md §13)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from alerts.models import AlertKind
from alerts.services import alert_raise, alerts_resolve_for_storehouses
from core.roles import Action
from core.scoping import require
from inventory.models import Depot, Licence, Storehouse
from inventory.services.reference import licence_limits_replace
from qd import rules
from qd.errors import NoExposedSites
from qd.models import ExposedSite, ExposedSiteDistance
from qd.selectors import StorehouseQd, storehouse_qd, storehouses_beyond_qd

FROM_QD_REASON = "Limits generated from quantity-distance (IATG 02.20)"


def _kg(value) -> str:
    return "unlimited" if value is None else f"{value:,} kg"


def beyond_qd_subject(qd: StorehouseQd):
    """The alert subject of a storehouse whose licence exceeds QD: the sweep's and the services'
    one message, so both refresh the same alert alike."""
    from alerts.services import Subject

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
    for qd in found:
        subject = beyond_qd_subject(qd)
        alert_raise(
            kind=AlertKind.LICENCE_BEYOND_QD,
            depot_id=subject.depot_id,
            storehouse_id=subject.storehouse_id,
            message=subject.message,
            details=subject.details,
        )
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
        row._history_user = user
        row.save()
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
    site._history_user = created_by
    site.save()
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
    site._history_user = changed_by
    site.save()
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
