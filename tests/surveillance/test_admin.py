"""Administrators edit the stability policy in the admin; the change is kept and audited."""

from django.urls import reverse

from audit.models import AuditEvent
from surveillance.models import StabilityPolicyBand


def test_admin_screens_of_surveillance_stock_checks_and_audit_open(client, admin_user):
    client.force_login(admin_user)
    for name in (
        "surveillance_stabilitypolicyband",
        "surveillance_inspectioninterval",
        "surveillance_inspection",
        "surveillance_stabilitytest",
        "inventory_ban",
        "surveillance_shelflifeextension",
        "stockchecks_stockcheck",
        "inventory_incident",
        "audit_auditevent",
        "audit_ledgercheckpoint",
        "audit_ledgerverification",
    ):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name


def test_editing_the_stability_policy_keeps_history_and_an_audit_entry(
    client, admin_user, surveillance_policy
):
    band = StabilityPolicyBand.objects.get(category="monitor")
    band.retest_months = 30
    band.save()  # the seed row's first change, so the admin's edit has a "before"
    client.force_login(admin_user)
    url = reverse("admin:surveillance_stabilitypolicyband_change", args=[band.pk])
    response = client.post(
        url,
        {
            "min_remaining_pct": "40",
            "max_remaining_pct": "60",
            "category": "monitor",
            "condition": "C",
            "action": "priority issue",
            "retest_months": "24",
            "dispose_within_days": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    band.refresh_from_db()
    assert band.retest_months == 24
    assert band.history.latest().retest_months == 24
    event = AuditEvent.objects.filter(
        object_type="surveillance.stabilitypolicyband", action="update"
    ).latest("id")
    assert event.actor == admin_user
    assert event.changes["retest_months"] == [30, 24]


def test_records_are_read_only_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:surveillance_inspection_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
