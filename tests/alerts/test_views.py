"""Alert pages: the list with filters and acknowledgement, nav counts, home panel, job runs."""

import pytest
from django.test import Client
from django.urls import reverse

from alerts.models import Alert, AlertKind
from alerts.selectors import alert_counts
from alerts.services import alert_raise
from core.jobs import job_run

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alerts(world):
    lot_a = world.lot(world.ball, number="LA")
    lot_b = world.lot(world.ball, number="LB")
    return {
        "a": alert_raise(
            kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_a.pk, lot_id=lot_a.pk,
            message="Lot LA expired.",
        ),
        "a_warn": alert_raise(
            kind=AlertKind.LICENCE_EXPIRING, depot_id=world.depot_a.pk,
            storehouse_id=world.sh1.pk, message="Licence LIC-SH1 ends soon.",
        ),
        "b": alert_raise(
            kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_b.pk, lot_id=lot_b.pk,
            message="Lot LB expired.",
        ),
    }  # fmt: skip


def test_the_list_shows_open_alerts_of_my_depots(clerk, alerts):
    response = _as(clerk).get(reverse("alerts:alert_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert {a.pk for a in response.context["page"].rows} == {alerts["a"].pk, alerts["a_warn"].pk}
    assert "Lot LA expired." in html
    assert "Lot LB expired." not in html
    assert "Acknowledge" in html


def test_filters(officer, alerts, world):
    client = _as(officer)

    def shown(**params):
        response = client.get(reverse("alerts:alert_list"), params)
        return {a.pk for a in response.context["page"].rows}

    assert shown(severity="warning") == {alerts["a_warn"].pk}
    assert shown(kind="lot_expired", depot=world.depot_b.pk) == {alerts["b"].pk}
    Alert.objects.filter(pk=alerts["b"].pk).update(resolved_at="2026-01-01T00:00Z")
    assert alerts["b"].pk not in shown()  # open alerts by default
    assert shown(resolved="true") == {alerts["b"].pk}
    assert len(shown(resolved="unknown")) == 3


def test_acknowledge_with_htmx_swaps_the_row(clerk, alerts):
    response = _as(clerk).post(
        reverse("alerts:alert_acknowledge", args=[alerts["a"].pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="alert-{alerts["a"].pk}"')
    assert "Acknowledged by clerk_a" in html
    assert Alert.objects.get(pk=alerts["a"].pk).acknowledged_by == clerk


def test_acknowledge_without_javascript_redirects(clerk, alerts):
    response = _as(clerk).post(reverse("alerts:alert_acknowledge", args=[alerts["a"].pk]))
    assert response.status_code == 302
    assert Alert.objects.get(pk=alerts["a"].pk).acknowledged_at is not None


def test_out_of_scope_is_404_and_auditor_is_403(clerk, auditor, alerts):
    assert (
        _as(clerk).post(reverse("alerts:alert_acknowledge", args=[alerts["b"].pk])).status_code
        == 404
    )
    client = _as(auditor)
    assert "Acknowledge</button>" not in client.get(reverse("alerts:alert_list")).content.decode()
    response = client.post(reverse("alerts:alert_acknowledge", args=[alerts["b"].pk]))
    assert response.status_code == 403
    assert Alert.objects.get(pk=alerts["b"].pk).acknowledged_at is None


def test_navigation_counts_open_and_critical_alerts(clerk, officer, alerts):
    labels = [str(i["label"]) for i in _as(clerk).get("/").context["nav_items"]]
    assert "Alerts (2 open, 1 critical)" in labels
    labels = [str(i["label"]) for i in _as(officer).get("/").context["nav_items"]]
    assert "Alerts (3 open, 2 critical)" in labels


def test_alert_counts_cost_one_query(clerk, alerts, django_assert_num_queries):
    clerk.depot_ids  # noqa: B018 (read once per request, before the counts)
    with django_assert_num_queries(1):
        assert alert_counts(user=clerk) == {"open": 2, "critical": 1}


def test_home_page_panel(clerk, alerts):
    response = _as(clerk).get("/")
    html = response.content.decode()
    assert [a.pk for a in response.context["open_alerts"]] == [alerts["a"].pk, alerts["a_warn"].pk]
    assert 'id="home-alerts"' in html
    assert "Lot LA expired." in html
    assert "Lot LB expired." not in html


@pytest.mark.parametrize(("who", "status"), [("auditor", 200), ("admin_user", 200), ("clerk", 403)])
def test_job_runs_page(request, who, status):
    job_run("surveillance_sweep", lambda: {"lot_expired.raised": 4})
    response = _as(request.getfixturevalue(who)).get(reverse("alerts:job_run_list"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "surveillance_sweep" in html
        assert "lot_expired.raised: 4" in html


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http:evil"]
)
def test_acknowledge_refuses_to_send_the_user_off_site_and_changes_nothing(clerk, alerts, target):
    response = _as(clerk).post(
        reverse("alerts:alert_acknowledge", args=[alerts["a"].pk]), {"next": target}
    )
    assert response.status_code == 400
    assert Alert.objects.get(pk=alerts["a"].pk).acknowledged_at is None


def test_acknowledge_returns_to_a_page_of_this_site(clerk, alerts):
    back = reverse("alerts:alert_list") + "?severity=critical"
    response = _as(clerk).post(
        reverse("alerts:alert_acknowledge", args=[alerts["a"].pk]), {"next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == back
