"""A depot with two storehouses, a licence on the first, and the QD fixtures around them."""

from decimal import Decimal

import pytest

from tests.factories import LicenceFactory, StorehouseFactory


@pytest.fixture
def sh1(depot_a):
    return StorehouseFactory(depot=depot_a, code="ESH1", kind="above_ground_storehouse")


@pytest.fixture
def sh2(depot_a):
    return StorehouseFactory(depot=depot_a, code="ESH2", kind="above_ground_storehouse")


@pytest.fixture
def sh_b(depot_b):
    return StorehouseFactory(depot=depot_b, code="BSH1", kind="above_ground_storehouse")


@pytest.fixture
def licence(sh1):
    return LicenceFactory(
        storehouse=sh1, limits={"1.1": Decimal("20000"), "1.3": Decimal("5000"), "1.4": None}
    )
