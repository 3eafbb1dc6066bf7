"""`licence_beyond_qd` (DESIGN.md §13): the daily sweep raises, keeps and resolves it; a licence
recorded beyond QD raises it at once through the inventory hook."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, AlertKind
from alerts.sweep import surveillance_sweep
from inventory.models import LicenceLimit
from inventory.services.reference import licence_create
from qd.detectors import licence_beyond_qd
from qd.models import ExposedSiteDistance
from qd.services import exposed_site_create
from tests.factories import LicenceFactory, StorehouseFactory

pytestmark = pytest.mark.django_db


def _open():
    return list(Alert.objects.filter(kind=AlertKind.LICENCE_BEYOND_QD, resolved_at__isnull=True))


def _village(admin_user, depot, storehouse, distance="480", name="Village"):
    return exposed_site_create(
        depot=depot,
        name=name,
        kind="inhabited_building",
        distances=[{"storehouse": storehouse, "distance_m": Decimal(distance)}],
        created_by=admin_user,
    )


def test_sweep_raises_keeps_and_resolves(admin_user, depot_a, sh1, licence):
    _village(admin_user, depot_a, sh1)
    Alert.objects.all().delete()  # the one raised at once; the sweep must find it alone

    counts = surveillance_sweep()
    assert counts["licence_beyond_qd.raised"] == 1
    [alert] = _open()
    assert (alert.storehouse_id, alert.depot_id, alert.severity) == (sh1.pk, depot_a.pk, "critical")
    assert alert.details["divisions"] == [
        {"division": "1.1", "limit_kg": "20000.000", "permitted_kg": 10107, "governing": "Village"}
    ]
    assert surveillance_sweep()["licence_beyond_qd.refreshed"] == 1

    LicenceLimit.objects.filter(licence=licence, hazard_division="1.1").update(
        max_neq_kg=Decimal("10107")
    )
    assert surveillance_sweep()["licence_beyond_qd.resolved"] == 1
    assert _open() == []


def test_unlimited_licence_of_a_bounded_division_is_beyond(admin_user, depot_a, sh1):
    LicenceFactory(storehouse=sh1, limits={"1.3": None})
    _village(admin_user, depot_a, sh1, distance="50")  # 1.3 needs 60 m at any NEQ
    [alert] = _open()
    assert "HD 1.3 licensed unlimited, QD permits 0 kg" in alert.message


def test_a_storehouse_without_sites_is_not_assessed(sh1, licence):
    assert licence_beyond_qd(_context()) == []


def test_detector_cost_is_fixed(admin_user, depot_a, sh1, sh2, licence):
    _village(admin_user, depot_a, sh1)
    with CaptureQueriesContext(connection) as one:
        assert len(licence_beyond_qd(_context())) == 1
    LicenceFactory(storehouse=sh2, limits={"1.1": Decimal("90000")})
    more = StorehouseFactory(depot=depot_a, code="ESH9", kind="above_ground_storehouse")
    LicenceFactory(storehouse=more, limits={"1.1": Decimal("90000")})
    site = _village(admin_user, depot_a, sh2, name="Farm")
    ExposedSiteDistance.objects.create(exposed_site=site, storehouse=more, distance_m=300)
    with CaptureQueriesContext(connection) as three:
        assert len(licence_beyond_qd(_context())) == 3
    assert len(three) == len(one)


def test_licence_recorded_beyond_qd_raises_at_once(admin_user, depot_a, sh2):
    _village(admin_user, depot_a, sh2)
    assert _open() == []
    licence_create(
        storehouse=sh2,
        number="EL-NEW",
        valid_from=date(2020, 1, 1),
        valid_until=date(2099, 12, 31),
        limits={"1.1": Decimal("15000"), "1.4": None},
        created_by=admin_user,
    )
    [alert] = _open()
    assert alert.storehouse_id == sh2.pk


def _context():
    from alerts.sweep import sweep_context

    return sweep_context()
