"""Issue 14 through the posting service: HD 1.6 is storable under a licence whatever allowed
division policy counts it as, and aggregated with 1.2.1; the 5 kg rule reads NEQ per item."""

from decimal import Decimal

import pytest

from inventory.errors import LicenceExceeded
from inventory.models import (
    AmmunitionType,
    Balance,
    Document,
    LedgerLine,
    PolicySetting,
    Storehouse,
)
from tests.inventory.ledger_world import licence

pytestmark = pytest.mark.django_db

ALLOWED = ["1.1", "1.2.1", "1.2.2", "1.3"]


def kind(code, division, group, neq, items=1):
    return AmmunitionType.objects.create(
        code=code,
        name=code,
        category="other",
        hazard_division=division,
        compatibility_group=group,
        neq_per_unit_kg=Decimal(neq),
        items_per_unit=items,
        shelf_life_months=240,
    )


def storehouse(world, code, limits):
    made = Storehouse.objects.create(
        depot=world.depot_a, code=code, name=code, kind="earth_covered_magazine"
    )
    licence(made, limits)
    return made


def counts():
    return Document.objects.count(), LedgerLine.objects.count(), Balance.objects.count()


def counts_as(value):
    PolicySetting.objects.filter(key="hd_1_6_counts_as").update(value=value)


@pytest.mark.parametrize("value", ALLOWED)
def test_a_1_6_receipt_is_storable_under_the_licence_key_it_counts_as(world, clerk, value):
    counts_as(value)
    insensitive = kind("IM-155", "1.6", "N", "2")
    store = storehouse(world, "IM", {value: "300", "1.4": None})
    world.stock(clerk, world.lot(insensitive, "IM-1"), store, 150)  # 300 kg
    assert Balance.objects.get(storehouse=store).quantity == 150
    # A licence without that key does not permit it.
    other = storehouse(world, "IM-NO", {"1.4": None})
    before = counts()
    with pytest.raises(LicenceExceeded) as refused:
        world.stock(clerk, world.lot(insensitive, "IM-2"), other, 1)
    assert f"HD 1.6 counts as {value}" in refused.value.message
    assert counts() == before


@pytest.mark.parametrize("value", ALLOWED)
def test_1_6_is_aggregated_with_1_2_1_under_every_allowed_policy(world, clerk, value):
    """800 kg of 1.2.1 and 300 kg of 1.6 make 1,100 kg assessed as 1.2.1 (and as 1.1 where 1.6
    counts as 1.1): over the 1,000 kg limits, though each alone is within them."""
    counts_as(value)
    projectile = kind("HE-120", "1.2.1", "D", "4")
    insensitive = kind("IM-155", "1.6", "N", "2")
    limits = {"1.1": "1000", "1.2.1": "1000", "1.2.2": "1000", "1.3": "1000"}
    store = storehouse(world, "MIX", limits)
    world.stock(clerk, world.lot(projectile, "HE-1"), store, 200)  # 800 kg
    before = counts()
    with pytest.raises(LicenceExceeded) as refused:
        world.stock(clerk, world.lot(insensitive, "IM-1"), store, 150)  # 300 kg
    assert "1,100 kg" in refused.value.message
    assert counts() == before
    world.stock(clerk, world.lot(insensitive, "IM-2"), store, 100)  # 1,000 kg: at the limits
    assert Balance.objects.filter(storehouse=store).count() == 2


@pytest.mark.parametrize(
    ("items", "refused"),
    [(1, True), (2, True), (4, False)],  # 20, 10 and 5 kg NEQ per item
)
def test_the_5_kg_rule_reads_neq_per_item_not_per_unit_of_issue(world, clerk, items, refused):
    boxed = kind("HE-BOX", "1.2.1", "D", "20", items=items)
    store = storehouse(world, "PROJ", {"1.2.1": "1000"})  # no 1.1: forced to 1.1 is refused
    lot = world.lot(boxed, "BOX-1")
    if refused:
        with pytest.raises(LicenceExceeded) as excinfo:
            world.stock(clerk, lot, store, 10)
        per_item = Decimal(20) / items
        assert f"with {per_item:f} kg NEQ per item, over 5 kg" in excinfo.value.message
        assert Document.objects.count() == 0
    else:
        world.stock(clerk, lot, store, 10)
        assert Balance.objects.get(storehouse=store).quantity == 10
