import pytest

from tests.inventory.ledger_world import make_world


@pytest.fixture
def world(depot_a, depot_b):
    return make_world(depot_a, depot_b)
