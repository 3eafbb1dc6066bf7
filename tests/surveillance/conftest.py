"""A propellant type and stock in both depots, on top of the ledger world (the stability
policy fixture `surveillance_policy` is in tests/conftest.py: browser tests use it too)."""

from datetime import date
from decimal import Decimal

import pytest

from core.roles import Role
from inventory.models import AmmunitionType, Lot
from tests.factories import UserFactory


@pytest.fixture
def charges(world, surveillance_policy):
    """Propelling charges, 1.3C: propellant-bearing."""
    return AmmunitionType.objects.create(
        code="CHG-122",
        name="122 mm propelling charge",
        category="other",
        hazard_division="1.3",
        compatibility_group="C",
        neq_per_unit_kg=Decimal("2"),
        shelf_life_months=240,
        contains_propellant=True,
    )


@pytest.fixture
def charge_lot(world, charges, clerk, clerk_b):
    """50 in depot A (SH1), 20 in depot B (SH3); made 2020-01-01, condition A."""
    lot = Lot.objects.create(
        ammunition_type=charges,
        manufacturer="Arsenal",
        lot_number="CHG-20-01",
        manufactured_on=date(2020, 1, 1),
        condition_id="A",
    )
    world.stock(clerk, lot, world.sh1, 50)
    world.stock(clerk_b, lot, world.sh3, 20)
    return lot


@pytest.fixture
def inspector_b(depot_b):
    return UserFactory(username="inspector_b", roles=[Role.INSPECTOR], depots=[depot_b])
