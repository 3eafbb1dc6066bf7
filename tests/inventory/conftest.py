import pytest

from inventory import models, reference_data
from tests.inventory.ledger_world import make_world


@pytest.fixture
def reference_policy(db):
    """The seed policy tables. The data migration loads them, but a transactional test's
    flush empties every table afterwards; loading is idempotent, so load them again."""
    reference_data.load(
        HazardCode=models.HazardCode,
        ConditionCode=models.ConditionCode,
        MixingMatrixVersion=models.MixingMatrixVersion,
        MixingCell=models.MixingCell,
        PolicySetting=models.PolicySetting,
    )


@pytest.fixture
def world(reference_policy, depot_a, depot_b):
    return make_world(depot_a, depot_b)
