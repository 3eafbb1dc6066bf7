"""The exposed-site admin: pages load, and a distance typed in the admin refreshes the alert."""

import pytest
from django.urls import reverse

from alerts.models import Alert, AlertKind
from qd.models import ExposedSite

pytestmark = pytest.mark.django_db


def test_admin_adds_a_site_with_a_distance_and_the_alert_opens(
    client, admin_user, depot_a, sh1, licence
):
    client.force_login(admin_user)
    assert client.get(reverse("admin:qd_exposedsite_changelist")).status_code == 200
    assert client.get(reverse("admin:qd_exposedsite_add")).status_code == 200
    response = client.post(
        reverse("admin:qd_exposedsite_add"),
        {
            "depot": depot_a.pk,
            "name": "Village",
            "kind": "inhabited_building",
            "note": "",
            "distances-TOTAL_FORMS": "1",
            "distances-INITIAL_FORMS": "0",
            "distances-MIN_NUM_FORMS": "0",
            "distances-MAX_NUM_FORMS": "1000",
            "distances-0-storehouse": sh1.pk,
            "distances-0-distance_m": "480",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    site = ExposedSite.objects.get()
    assert site.created_by == admin_user
    assert Alert.objects.filter(
        kind=AlertKind.LICENCE_BEYOND_QD, storehouse=sh1, resolved_at__isnull=True
    ).exists()
    client.post(reverse("admin:qd_exposedsite_delete", args=[site.pk]), {"post": "yes"})
    assert not ExposedSite.objects.exists()
    assert not Alert.objects.filter(
        kind=AlertKind.LICENCE_BEYOND_QD, resolved_at__isnull=True
    ).exists()
