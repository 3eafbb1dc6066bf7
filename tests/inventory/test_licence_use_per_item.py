"""Issue 14 on the stock page's licence use (inventory.selectors.licence_use): it aggregates as
the posting check does, per item, and shows HD 1.6 against the key it counts as."""

from decimal import Decimal

import pytest

from inventory.models import AmmunitionType, PolicySetting
from inventory.selectors.licence_use import storehouse_neq_summary

pytestmark = pytest.mark.django_db


def kind(code, division, group, neq, items=1):
    return AmmunitionType.objects.create(
        code=code, name=code, category="other", hazard_division=division,
        compatibility_group=group, neq_per_unit_kg=Decimal(neq), items_per_unit=items,
        shelf_life_months=240,
    )  # fmt: skip


def use(world, admin_user):
    [summary] = storehouse_neq_summary(user=admin_user, storehouse_id=world.sh1.pk)
    return summary


@pytest.mark.parametrize(("items", "forced"), [(2, True), (3, False)])  # 6 or 4 kg per item
def test_the_5_kg_rule_reads_neq_per_item(world, clerk, admin_user, items, forced):
    world.stock(clerk, world.lot(kind("RKT-BOX", "1.2.1", "E", "12", items)), world.sh1, 5)
    aggregated = [(a.division, a.neq_kg) for a in use(world, admin_user).aggregated]
    assert aggregated == ([("1.1", Decimal("60"))] if forced else [])


def test_1_6_counted_as_1_3_is_shown_against_1_1_beside_1_2(world, clerk, admin_user):
    PolicySetting.objects.filter(key="hd_1_6_counts_as").update(value="1.3")
    world.stock(clerk, world.lot(kind("IM-155", "1.6", "N", "2"), "IM-1"), world.sh1, 10)
    alone = {d.division: d.limit_division for d in use(world, admin_user).divisions}
    assert alone["1.6"] == "1.3"
    world.stock(clerk, world.lot(kind("HE-120", "1.2.1", "D", "1"), "HE-1"), world.sh1, 10)
    summary = use(world, admin_user)
    by_division = {d.division: d.limit_division for d in summary.divisions}
    assert by_division["1.6"] == "1.1"
    assert [(a.division, a.neq_kg) for a in summary.aggregated] == [
        ("1.1", Decimal("30")),
        ("1.2.1", Decimal("30")),
    ]
