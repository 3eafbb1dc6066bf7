"""Issue 14: the sweep's licence check reads NEQ per item, as the posting check does: a unit of
issue (a box) holding several items is not one heavy item."""

from decimal import Decimal

import pytest

from alerts.models import Alert, AlertKind
from alerts.sweep import surveillance_sweep
from inventory.models import AmmunitionType, LicenceLimit, Lot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("type_neq", "lot_neq", "items", "exceeded"),
    [
        ("12", None, 2, True),  # 6 kg per item
        ("12", None, 3, False),  # 4 kg per item
        ("4", "12", 2, True),  # the lot's override, per item
        ("4", "12", 4, False),
    ],
)
def test_licence_exceeded_reads_neq_per_item(world, clerk, type_neq, lot_neq, items, exceeded):
    rocket = AmmunitionType.objects.create(
        code="RKT-BOX", name="Rockets, boxed", category="rocket", hazard_division="1.2.1",
        compatibility_group="E", neq_per_unit_kg=Decimal(type_neq), items_per_unit=items,
        shelf_life_months=240,
    )  # fmt: skip
    lot = world.lot(rocket)
    world.stock(clerk, lot, world.sh1, 5)
    if lot_neq:
        Lot.objects.filter(pk=lot.pk).update(neq_per_unit_kg=Decimal(lot_neq))
    LicenceLimit.objects.filter(licence__storehouse=world.sh1, hazard_division="1.1").update(
        max_neq_kg=Decimal("10")
    )
    surveillance_sweep()
    alerts = list(Alert.objects.filter(kind=AlertKind.LICENCE_EXCEEDED, resolved_at__isnull=True))
    assert bool(alerts) == exceeded
    if exceeded:
        assert "assessed as HD 1.1" in alerts[0].message
