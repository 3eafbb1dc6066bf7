"""A depot with stock to count: depot A holds two ball lots in SH2 and a TNT lot in SH1."""

from dataclasses import dataclass

import pytest

from core.roles import Role
from inventory.models import Lot
from tests.factories import UserFactory
from tests.inventory.ledger_world import World


@dataclass
class Stocked:
    world: World
    l1: Lot  # 100 in SH2
    l2: Lot  # 50 in SH2
    t1: Lot  # 20 in SH1


@pytest.fixture
def stocked(world, clerk):
    l1 = world.lot(world.ball, "BALL-1")
    l2 = world.lot(world.ball, "BALL-2")
    t1 = world.lot(world.tnt, "TNT-1")
    world.stock(clerk, l1, world.sh2, 100)
    world.stock(clerk, l2, world.sh2, 50)
    world.stock(clerk, t1, world.sh1, 20)
    return Stocked(world=world, l1=l1, l2=l2, t1=t1)


@pytest.fixture
def clerk2(depot_a):
    """A second clerk of depot A (counts while the first plans)."""
    return UserFactory(username="clerk_a2", roles=[Role.CLERK], depots=[depot_a])
