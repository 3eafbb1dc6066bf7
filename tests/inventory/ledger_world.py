"""A small, rule-abiding stockpile to post against: two depots, licensed storehouses, types."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from inventory.models import (
    AmmunitionType,
    Depot,
    Licence,
    LicenceLimit,
    Lot,
    Recipient,
    Storehouse,
)
from inventory.services.lots import lot_expiry
from inventory.services.posting import Movement, receipt_post


@dataclass
class World:
    depot_a: Depot
    depot_b: Depot
    sh1: Storehouse  # depot A, licensed for 1.1/1.2/1.3/1.4
    sh2: Storehouse  # depot A, licensed for 1.4 only
    sh3: Storehouse  # depot B, licensed for everything
    unlicensed: Storehouse  # depot A, no licence
    ball: AmmunitionType  # 7.62 mm ball, 1.4S
    tnt: AmmunitionType  # TNT block, 1.1D
    detonator: AmmunitionType  # 1.1B
    primary: AmmunitionType  # 1.1A: mixes with nothing
    unit: Recipient
    restricted_ok: Recipient

    def lot(self, ammunition_type, number="L-1", condition="A", manufacturer="Maker"):
        made = date(2020, 1, 1)
        return Lot.objects.create(
            ammunition_type=ammunition_type,
            manufacturer=manufacturer,
            lot_number=number,
            manufactured_on=made,
            condition_id=condition,
            expires_on=lot_expiry(ammunition_type, made),
        )

    def stock(self, user, lot, storehouse, quantity):
        """Receive `quantity` of `lot` into `storehouse` (today)."""
        return receipt_post(
            depot=storehouse.depot,
            lines=[Movement(lot.pk, storehouse.pk, quantity)],
            occurred_on=timezone.localdate(),
            posted_by=user,
            counterparty="Factory",
        )


def licence(storehouse, limits):
    today = timezone.localdate()
    granted = Licence.objects.create(
        storehouse=storehouse,
        number=f"LIC-{storehouse.code}",
        valid_from=today - timedelta(days=365),
        valid_until=today + timedelta(days=365),
    )
    for division, limit in limits.items():
        LicenceLimit.objects.create(
            licence=granted,
            hazard_division=division,
            max_neq_kg=None if limit is None else Decimal(limit),
        )
    return granted


def make_world(depot_a, depot_b) -> World:
    sh1 = Storehouse.objects.create(
        depot=depot_a, code="SH1", name="ECM 1", kind="earth_covered_magazine"
    )
    sh2 = Storehouse.objects.create(depot=depot_a, code="SH2", name="Small arms", kind="container")
    sh3 = Storehouse.objects.create(
        depot=depot_b, code="SH3", name="ECM 3", kind="earth_covered_magazine"
    )
    unlicensed = Storehouse.objects.create(depot=depot_a, code="SH9", name="New", kind="open_stack")
    everything = {"1.1": "1000", "1.2.1": "1000", "1.2.2": "1000", "1.3": "1000", "1.4": None}
    licence(sh1, everything)
    licence(sh2, {"1.4": None})
    licence(sh3, everything)

    def kind(code, division, group, neq, months=240):
        return AmmunitionType.objects.create(
            code=code,
            name=code,
            category="other",
            hazard_division=division,
            compatibility_group=group,
            neq_per_unit_kg=Decimal(neq),
            shelf_life_months=months,
        )

    return World(
        depot_a=depot_a,
        depot_b=depot_b,
        sh1=sh1,
        sh2=sh2,
        sh3=sh3,
        unlicensed=unlicensed,
        ball=kind("762-BALL", "1.4", "S", "0.003"),
        tnt=kind("TNT-200", "1.1", "D", "0.2"),
        detonator=kind("DET-8", "1.1", "B", "0.001"),
        primary=kind("LEAD-AZIDE", "1.1", "A", "1"),
        unit=Recipient.objects.create(code="1BDE", name="1st Brigade", kind="unit"),
        restricted_ok=Recipient.objects.create(
            code="RANGE", name="Training range", kind="range", permitted_restricted=True
        ),
    )
