"""alerts/, alerts/{id}/acknowledge/ and job-runs/ (DESIGN.md §11): contract, filters, scope."""

import pytest

from alerts.models import Alert, AlertKind, Severity
from alerts.services import alert_raise, alerts_sync
from core.jobs import job_run
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(world):
    lot_a = world.lot(world.ball, number="LA")
    lot_b = world.lot(world.ball, number="LB")
    return {
        "a_expired": alert_raise(
            kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_a.pk, lot_id=lot_a.pk,
            message="Lot LA expired.",
        ),
        "a_licence": alert_raise(
            kind=AlertKind.LICENCE_EXPIRING, depot_id=world.depot_a.pk,
            storehouse_id=world.sh1.pk, message="Licence ends.",
        ),
        "b_expired": alert_raise(
            kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_b.pk, lot_id=lot_b.pk,
            message="Lot LB expired.",
        ),
    }  # fmt: skip


def test_list_contract(api_as, officer, alerts):
    response = api_as(officer).get("/api/v1/alerts/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}  # cursor pages: no count
    assert [row["id"] for row in body["results"]] == [
        alerts["b_expired"].pk,
        alerts["a_licence"].pk,
        alerts["a_expired"].pk,
    ]
    row = body["results"][2]
    assert row == {
        "id": alerts["a_expired"].pk,
        "kind": "lot_expired",
        "severity": "critical",
        "depot": alerts["a_expired"].depot_id,
        "depot_code": "DA",
        "lot": alerts["a_expired"].lot_id,
        "lot_number": "LA",
        "storehouse": None,
        "storehouse_code": None,
        "document": None,
        "document_number": None,
        "message": "Lot LA expired.",
        "details": {},
        "first_seen": row["first_seen"],
        "last_seen": row["last_seen"],
        "resolved_at": None,
        "is_open": True,
        "acknowledged_by": None,
        "acknowledged_at": None,
    }


def test_filters(api_as, officer, alerts, world):
    client = api_as(officer)

    def ids(query):
        response = client.get(f"/api/v1/alerts/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("kind=licence_expiring") == {alerts["a_licence"].pk}
    assert ids("severity=warning") == {alerts["a_licence"].pk}
    assert ids(f"depot={world.depot_b.pk}") == {alerts["b_expired"].pk}
    alerts_sync(kind=AlertKind.LOT_EXPIRED, subjects=[])  # both lot alerts resolve
    assert ids("resolved=true") == {alerts["a_expired"].pk, alerts["b_expired"].pk}
    assert ids("resolved=false") == {alerts["a_licence"].pk}
    assert client.get("/api/v1/alerts/?resolved=maybe").status_code == 400
    assert client.get("/api/v1/alerts/?kind=nonsense").status_code == 400


def test_a_clerk_sees_only_their_depot(api_as, clerk, alerts):
    client = api_as(clerk)
    results = client.get("/api/v1/alerts/").json()["results"]
    assert {row["id"] for row in results} == {alerts["a_expired"].pk, alerts["a_licence"].pk}
    assert client.get(f"/api/v1/alerts/{alerts['b_expired'].pk}/").status_code == 404
    response = client.post(f"/api/v1/alerts/{alerts['b_expired'].pk}/acknowledge/")
    assert response.status_code == 404
    assert Alert.objects.get(pk=alerts["b_expired"].pk).acknowledged_at is None


def test_acknowledge(api_as, clerk, alerts):
    response = api_as(clerk).post(f"/api/v1/alerts/{alerts['a_expired'].pk}/acknowledge/")
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged_by"] == "clerk_a"
    assert body["acknowledged_at"] is not None
    assert body["is_open"] is True  # a state alert stays open until its cause is gone


def test_acknowledging_an_event_alert_resolves_it(api_as, clerk, inspector, world):
    lot = world.lot(world.ball)
    alert = alert_raise(
        kind=AlertKind.STABILITY_UNSTABLE, depot_id=world.depot_a.pk, lot_id=lot.pk,
        message="Unstable.",
    )  # fmt: skip
    assert alert.severity == Severity.CRITICAL
    # Acknowledging closes it: for the inspector who decides on the lot, not a clerk.
    assert api_as(clerk).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403
    body = api_as(inspector).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").json()
    assert body["is_open"] is False
    # Raised again for the same subject, an acknowledged event stays closed.
    assert (
        alert_raise(
            kind=AlertKind.STABILITY_UNSTABLE, depot_id=world.depot_a.pk, lot_id=lot.pk,
            message="Unstable.",
        )
        is None
    )  # fmt: skip


def test_an_auditor_reads_but_may_not_acknowledge(api_as, auditor, alerts):
    client = api_as(auditor)
    assert client.get(f"/api/v1/alerts/{alerts['b_expired'].pk}/").status_code == 200
    response = client.post(f"/api/v1/alerts/{alerts['b_expired'].pk}/acknowledge/")
    assert response.status_code == 403
    assert Alert.objects.get(pk=alerts["b_expired"].pk).acknowledged_at is None


def test_anonymous_is_401(api_client, alerts):
    assert api_client.get("/api/v1/alerts/").status_code == 401
    assert api_client.get("/api/v1/job-runs/").status_code == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.AUDITOR, 200),
        (Role.OFFICER, 403),
        (Role.CLERK, 403),
        (Role.INSPECTOR, 403),
    ],
)
def test_job_runs_for_admins_and_auditors_only(api_as, users_by_role, role, status):
    run = job_run("demo", lambda: {"raised": 2})
    client = api_as(users_by_role[role])
    response = client.get("/api/v1/job-runs/")
    assert response.status_code == status
    assert client.get(f"/api/v1/job-runs/{run.pk}/").status_code == status
    if status == 200:
        [row] = response.json()["results"]
        assert row["name"] == "demo"
        assert row["outcome"] == "succeeded"
        assert row["rows_touched"] == {"raised": 2}
        assert row["attempt"] == 1
        assert client.get("/api/v1/job-runs/?outcome=failed").json()["results"] == []


def test_a_user_with_no_role_sees_nothing(api_as, alerts):
    nobody = UserFactory(username="nobody", roles=[])
    assert api_as(nobody).get("/api/v1/alerts/").json()["results"] == []


@pytest.mark.parametrize("path", ["/api/v1/alerts/", "/api/v1/job-runs/", "/api/v1/documents/"])
def test_a_cursor_not_handed_out_is_400(api_as, admin_user, path):
    response = api_as(admin_user).get(path, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()
