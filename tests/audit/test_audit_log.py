"""The audit log: what is recorded, who may read it, and that nothing in it changes."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from accounts.services import user_upsert
from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import PASSWORD


def test_sign_in_and_failed_sign_in_are_logged(client, clerk):
    client.post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    client.post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_username"))
    assert ("login_failed", "clerk_a") in actions
    assert ("login", "clerk_a") in actions


def test_a_token_sign_in_is_logged(api_client, clerk):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "clerk_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    assert AuditEvent.objects.filter(action="login", actor=clerk).exists()


def test_reference_changes_are_logged_with_before_and_after(depot_a):
    depot_a.name = "Depot Alpha"
    depot_a.save()
    event = AuditEvent.objects.filter(object_type="inventory.depot", action="update").latest("id")
    assert event.changes["name"] == ["Depot A", "Depot Alpha"]
    assert event.object_id == str(depot_a.pk)


def test_role_and_membership_changes_are_logged_without_the_password(db, depot_a):
    user = user_upsert(
        username="newclerk", password="s3cret-Passw0rd!", roles=["clerk"], depot_ids=[depot_a.pk]
    )
    events = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk))
    assert events.exists()
    assert all("password" not in event.changes for event in events)
    assert any(event.changes.get("roles", [None, None])[1] == ["clerk"] for event in events)
    assert AuditEvent.objects.filter(
        object_type="accounts.depotmembership", action="create"
    ).exists()
    user_upsert(username="newclerk", password="s3cret-Passw0rd!", roles=["inspector"])
    changed = events.filter(action="update").latest("id")
    assert changed.changes["roles"] == [["clerk"], ["inspector"]]
    assert AuditEvent.objects.filter(
        object_type="accounts.depotmembership", action="delete"
    ).exists()


def test_audit_log_is_append_only(db):
    event = audit_record(action="export", actor_username="someone", detail="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="y")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize("role", ["clerk", "inspector", "officer"])
def test_only_auditors_and_admins_read_the_log(api_as, users_by_role, role):
    client = api_as(users_by_role[role])
    for url in (
        "/api/v1/audit-log/",
        "/api/v1/audit-log/export/",
        "/api/v1/ledger-checkpoints/",
        "/api/v1/ledger-verification/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/api/v1/ledger-verification/").status_code == 403


def test_auditor_reads_filters_and_exports_the_log(api_as, auditor, depot_a):
    audit_record(action="download", actor_username="clerk_a", object_repr="Report R-1")
    client = api_as(auditor)
    response = client.get("/api/v1/audit-log/", {"action": "download"})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["object_repr"] == "Report R-1"
    assert client.get("/api/v1/audit-log/", {"action": "nonsense"}).status_code == 400
    exported = client.get("/api/v1/audit-log/export/", {"user": "clerk_a"})
    assert exported.status_code == 200
    body = b"".join(exported.streaming_content).decode()
    assert body.splitlines()[0].startswith("at,actor_username,action")
    assert "Report R-1" in body
    assert AuditEvent.objects.filter(action="export", actor=auditor).exists()


def test_auditor_runs_verification_over_the_api(api_as, auditor, world):
    response = api_as(auditor).post("/api/v1/ledger-verification/")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert set(response.json()) >= {"ok", "lines_checked", "first_broken"}


def test_audit_pages(client, auditor, clerk):
    client.force_login(auditor)
    assert client.get("/audit/log/").status_code == 200
    assert client.get("/audit/ledger/").status_code == 200
    response = client.post("/audit/ledger/verify/")
    assert response.status_code == 302
    export = client.get("/audit/log/export.csv")
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    client.force_login(clerk)
    assert client.get("/audit/log/").status_code == 403
    assert client.post("/audit/ledger/verify/").status_code == 403


def test_a_change_made_over_the_api_names_its_author(api_as, admin_user):
    response = api_as(admin_user).post(
        "/api/v1/depots/", {"code": "D77", "name": "Depot 77", "region": "East"}, format="json"
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(object_type="inventory.depot", action="create")
    assert event.actor == admin_user
    assert event.changes["code"] == [None, "D77"]


def test_sign_out_is_logged(client, clerk):
    client.force_login(clerk)
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="logout", actor=clerk).exists()


def test_attachment_downloads_are_logged(client, charge_lot, world, inspector, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from surveillance.services import inspection_record

    settings.MEDIA_ROOT = tmp_path
    inspection = inspection_record(
        lot=charge_lot,
        depot=world.depot_a,
        kind="periodic",
        inspected_on=timezone.localdate(),
        sample_size=3,
        findings="photo taken",
        condition="A",
        inspector=inspector,
        attachments=[SimpleUploadedFile("crate.pdf", b"%PDF-1.4 test", "application/pdf")],
    )
    attachment = inspection.attachments.get()
    client.force_login(inspector)
    response = client.get(reverse("surveillance:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="download")
    assert event.actor == inspector
    assert event.object_repr == "crate.pdf"
