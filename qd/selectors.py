"""Reads of quantity-distance: exposed sites in scope, and a storehouse's QD assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from core.scoping import scope
from inventory.models import Licence, Storehouse
from qd import rules
from qd.models import ExposedSite, ExposedSiteDistance


def exposed_site_list(*, user: User) -> QuerySet[ExposedSite]:
    """Exposed sites of the depots the user reads, with their distances and storehouses."""
    return scope(
        ExposedSite.objects.select_related("depot").prefetch_related(
            Prefetch(
                "distances",
                queryset=ExposedSiteDistance.objects.select_related("storehouse").order_by(
                    "storehouse__code", "id"
                ),
            )
        ),
        user,
    ).order_by("depot__code", "name", "id")


def storehouse_sites(storehouse_id: int) -> list[rules.Site]:
    """The exposed sites registered around one storehouse, nearest first. One query."""
    rows = (
        ExposedSiteDistance.objects.filter(storehouse_id=storehouse_id)
        .values_list("exposed_site_id", "exposed_site__name", "exposed_site__kind", "distance_m")
        .order_by("distance_m", "exposed_site_id")
    )
    return [rules.Site(pk, name, kind, distance) for pk, name, kind, distance in rows]


def licence_in_force(storehouse_id: int, on: date) -> Licence | None:
    return (
        Licence.objects.filter(storehouse_id=storehouse_id, valid_from__lte=on, valid_until__gte=on)
        .prefetch_related("limits")
        .first()
    )


@dataclass(frozen=True)
class StorehouseQd:
    """What QD says of one storehouse today: the sites, the NEQ they permit per division and the
    governing site of each, and whether the licence in force stays within it."""

    storehouse: Storehouse
    structure_rule: rules.StructureRule
    sites: list[rules.Site]
    permitted: dict[str, rules.Permitted]
    licence: Licence | None
    beyond: list[str]  # divisions whose licence limit exceeds what QD permits

    @property
    def licence_within_qd(self) -> bool:
        return not self.beyond

    @property
    def limits(self) -> dict[str, Decimal | None]:
        return self.licence.limits_dict() if self.licence else {}


def storehouse_qd(storehouse: Storehouse, *, on: date | None = None) -> StorehouseQd:
    """The QD assessment of a storehouse (DESIGN.md §13). Two queries."""
    on = on or timezone.localdate()
    sites = storehouse_sites(storehouse.pk)
    permitted = rules.back_calculate(sites, structure=storehouse.kind)
    licence = licence_in_force(storehouse.pk, on)
    # A storehouse with no site registered has not been assessed: nothing is beyond it.
    beyond = rules.limits_within(licence.limits_dict(), permitted) if licence and sites else []
    return StorehouseQd(
        storehouse=storehouse,
        structure_rule=rules.structure_rule(storehouse.kind, ""),
        sites=sites,
        permitted=permitted,
        licence=licence,
        beyond=beyond,
    )


def storehouses_beyond_qd(*, on: date, storehouse_ids=None) -> list[StorehouseQd]:
    """Storehouses (in use, with a licence in force) whose licence exceeds QD; everywhere or in
    these storehouses only. Three queries whatever the number of storehouses."""
    licences = (
        Licence.objects.filter(valid_from__lte=on, valid_until__gte=on, storehouse__is_active=True)
        .select_related("storehouse__depot")
        .prefetch_related("limits")
        .order_by("storehouse_id")
    )
    if storehouse_ids is not None:
        licences = licences.filter(storehouse_id__in=sorted(storehouse_ids))
    licences = list(licences)
    sites: dict[int, list[rules.Site]] = {}
    for row in (
        ExposedSiteDistance.objects.filter(
            storehouse_id__in=[lic.storehouse_id for lic in licences]
        )
        .values_list(
            "storehouse_id",
            "exposed_site_id",
            "exposed_site__name",
            "exposed_site__kind",
            "distance_m",
        )
        .order_by("storehouse_id", "distance_m", "exposed_site_id")
    ):
        sites.setdefault(row[0], []).append(rules.Site(*row[1:]))
    found = []
    for licence in licences:
        storehouse = licence.storehouse
        # A storehouse with no site registered has not been assessed: it is not flagged.
        if storehouse.pk not in sites:
            continue
        permitted = rules.back_calculate(sites[storehouse.pk], structure=storehouse.kind)
        beyond = rules.limits_within(licence.limits_dict(), permitted)
        if beyond:
            found.append(
                StorehouseQd(
                    storehouse=storehouse,
                    structure_rule=rules.structure_rule(storehouse.kind, ""),
                    sites=sites[storehouse.pk],
                    permitted=permitted,
                    licence=licence,
                    beyond=beyond,
                )
            )
    return found
