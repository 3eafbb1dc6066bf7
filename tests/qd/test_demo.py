"""The demo exposed sites (qd/demo.py) around the demo storehouses and licences of
inventory/demo.py: one licence beyond QD (the alert shows), the others within, and a second run
adds nothing."""

from decimal import Decimal

import pytest

from alerts.models import Alert, AlertKind
from inventory.demo import DEMO_STOREHOUSES
from qd import demo
from qd.models import ExposedSite
from qd.selectors import storehouse_qd
from tests.factories import DepotFactory, LicenceFactory, StorehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_storehouses():
    depots = {code: DepotFactory(code=code) for code in {s.depot for s in DEMO_STOREHOUSES}}
    storehouses = {}
    for spec in DEMO_STOREHOUSES:
        storehouse = StorehouseFactory(depot=depots[spec.depot], code=spec.code, kind=spec.kind)
        LicenceFactory(
            storehouse=storehouse,
            limits={d: None if v is None else Decimal(v) for d, v in spec.limits.items()},
        )
        storehouses[spec.key] = storehouse
    return storehouses


def test_demo_sites_leave_one_licence_beyond_qd(demo_storehouses, admin_user):
    notes = demo.seed(users={"admin": admin_user})
    assert "D02/ECM-01" in notes[0]
    beyond = {
        key for key, storehouse in demo_storehouses.items() if storehouse_qd(storehouse).beyond
    }
    assert beyond == {"D02/ECM-01"}
    [alert] = Alert.objects.filter(kind=AlertKind.LICENCE_BEYOND_QD, resolved_at__isnull=True)
    assert alert.storehouse_id == demo_storehouses["D02/ECM-01"].pk
    count = ExposedSite.objects.count()
    assert demo.seed(users={"admin": admin_user}) == [
        "Quantity-distance: exposed sites already registered; none were added."
    ]
    assert ExposedSite.objects.count() == count
