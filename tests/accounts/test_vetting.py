"""Personnel vetting: without valid vetting a user reads but cannot post or approve (409
`vetting_expired`), on the API, the pages and in the services; administrators see who must renew."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import VettingExpired
from inventory.models import Balance, Document, LedgerLine
from inventory.services.posting import Movement, adjustment_approve, adjustment_create
from tests.factories import UserFactory
from tests.inventory.test_views import lines_data

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def ledger():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


def lapse(user, *, days_ago=1):
    user.vetting_expires_on = today() - timedelta(days=days_ago)
    user.save(update_fields=["vetting_expires_on"])
    return user


def receipt_body(world, lot):
    return {
        "reference": "WB-1",
        "counterparty": "Arsenal",
        "occurred_on": today().isoformat(),
        "lines": [{"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": 5}],
    }


class TestApi:
    def test_lapsed_clerk_is_refused_with_409_and_nothing_is_written(self, api_as, world, clerk):
        lot = world.lot(world.ball)
        lapse(clerk)
        before = ledger()
        response = api_as(clerk).post("/api/v1/receipts/", receipt_body(world, lot), format="json")
        assert response.status_code == 409, response.json()
        body = response.json()
        assert body["code"] == "vetting_expired"
        assert (today() - timedelta(days=1)).isoformat() in body["detail"]
        assert body["vetting_expires_on"] == (today() - timedelta(days=1)).isoformat()
        assert ledger() == before

    def test_no_vetting_on_record_is_refused(self, api_as, world, depot_a):
        unvetted = UserFactory(
            roles=["clerk"], depots=[depot_a], vetting_level="", vetting_expires_on=None
        )
        response = api_as(unvetted).post(
            "/api/v1/receipts/", receipt_body(world, world.lot(world.ball)), format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "vetting_expired"
        assert "no personnel vetting" in response.json()["detail"]

    def test_vetting_is_valid_through_its_last_day(self, api_as, world, clerk):
        clerk.vetting_expires_on = today()
        clerk.save(update_fields=["vetting_expires_on"])
        response = api_as(clerk).post(
            "/api/v1/receipts/", receipt_body(world, world.lot(world.ball)), format="json"
        )
        assert response.status_code == 201, response.json()

    def test_renewed_vetting_posts_again(self, api_as, world, clerk):
        lot = world.lot(world.ball)
        lapse(clerk)
        client = api_as(clerk)
        assert client.post("/api/v1/receipts/", receipt_body(world, lot), format="json")
        clerk.vetting_expires_on = today() + timedelta(days=30)
        clerk.save(update_fields=["vetting_expires_on"])
        response = client.post("/api/v1/receipts/", receipt_body(world, lot), format="json")
        assert response.status_code == 201

    def test_setting_off_lets_a_lapsed_user_post(self, api_as, world, clerk, settings):
        settings.VETTING_REQUIRED = False
        lapse(clerk)
        response = api_as(clerk).post(
            "/api/v1/receipts/", receipt_body(world, world.lot(world.ball)), format="json"
        )
        assert response.status_code == 201

    def test_reading_is_not_affected(self, api_as, world, clerk, auditor):
        world.stock(clerk, world.lot(world.ball), world.sh1, 5)
        for reader in (lapse(clerk), lapse(auditor)):
            assert api_as(reader).get("/api/v1/stock/").status_code == 200
        # Verifying the ledger is the auditor's check, not a posting.
        assert api_as(auditor).post("/api/v1/ledger-verification/").status_code in {200, 201}

    def test_role_still_comes_first(self, api_as, world, auditor):
        """An auditor has no posting role: 403, whatever their vetting."""
        lapse(auditor)
        response = api_as(auditor).post(
            "/api/v1/receipts/", receipt_body(world, world.lot(world.ball)), format="json"
        )
        assert response.status_code == 403


class TestApproval:
    def test_lapsed_inspector_cannot_approve(self, world, clerk, inspector):
        lot = world.lot(world.ball)
        world.stock(clerk, lot, world.sh1, 10)
        pending = adjustment_create(
            depot=world.depot_a,
            lines=[Movement(lot.pk, world.sh1.pk, -1)],
            reason="lost",
            occurred_on=today(),
            posted_by=clerk,
        )
        lapse(inspector)
        before = ledger()
        with pytest.raises(VettingExpired):
            adjustment_approve(document=pending, approved_by=inspector)
        pending.refresh_from_db()
        assert pending.status == "pending_approval"
        assert ledger() == before


class TestPages:
    def test_form_post_shows_the_refusal_and_writes_nothing(self, client, world, clerk):
        lot = world.lot(world.ball)
        lapse(clerk)
        client.force_login(clerk)
        before = ledger()
        response = client.post(
            "/receipts/new/",
            {
                "occurred_on": today().isoformat(),
                "reference": "WB-9",
                "counterparty": "Arsenal",
                **lines_data(
                    [{"lot_number": lot.lot_number, "storehouse": world.sh1.pk, "quantity": 5}]
                ),
            },
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html
        assert "Your personnel vetting expired on" in html
        assert 'value="WB-9"' in html  # what was typed is kept
        assert ledger() == before

    def test_page_guarded_for_posting_answers_409_with_the_reason(self, client, clerk):
        lapse(clerk)
        client.force_login(clerk)
        response = client.get("/stock-checks/new/")
        assert response.status_code == 409
        assert "expired on" in response.content.decode()

    def test_banner_for_lapsed_and_expiring_vetting(self, client, clerk, auditor):
        client.force_login(lapse(clerk))
        page = client.get("/").content.decode()
        assert 'id="vetting-notice"' in page
        assert "you cannot post documents or approve" in page
        clerk.vetting_expires_on = today() + timedelta(days=10)
        clerk.save(update_fields=["vetting_expires_on"])
        page = client.get("/").content.decode()
        assert "Your personnel vetting expires on" in page
        clerk.vetting_expires_on = today() + timedelta(days=300)
        clerk.save(update_fields=["vetting_expires_on"])
        assert 'id="vetting-notice"' not in client.get("/").content.decode()
        # An auditor never posts: no banner even without vetting.
        client.force_login(lapse(auditor))
        assert 'id="vetting-notice"' not in client.get("/").content.decode()


class TestAdministrators:
    def test_home_lists_who_must_renew(self, client, depot_a, django_assert_max_num_queries):
        admin = UserFactory(username="root", roles=["admin"])
        lapsed = UserFactory(username="lapsed_clerk", roles=["clerk"], depots=[depot_a])
        lapse(lapsed, days_ago=3)
        soon = UserFactory(
            username="soon_inspector",
            roles=["inspector"],
            vetting_expires_on=today() + timedelta(days=5),
        )
        UserFactory(username="fine_clerk", roles=["clerk"], depots=[depot_a])
        UserFactory(username="reader", roles=["auditor"], vetting_level="", vetting_expires_on=None)
        client.force_login(admin)
        page = client.get("/").content.decode()
        section = page.split('id="home-vetting"')[1].split("</section>")[0]
        assert "lapsed_clerk" in section
        assert "soon_inspector" in section
        assert section.index("lapsed_clerk") < section.index("soon_inspector")
        assert "fine_clerk" not in section
        assert "reader" not in section  # auditors do not post: no vetting needed
        assert soon.vetting_expires_on.isoformat() in section

    def test_admin_changelist_filters_by_vetting(self, client, depot_a):
        admin = UserFactory(username="root", roles=["admin"])
        lapse(UserFactory(username="vet_lapsed_u1", roles=["clerk"], depots=[depot_a]))
        UserFactory(
            username="vet_soon_u2",
            roles=["clerk"],
            depots=[depot_a],
            vetting_expires_on=today() + timedelta(days=5),
        )
        client.force_login(admin)
        lapsed = client.get("/admin/accounts/user/?vetting=lapsed").content.decode()
        expiring = client.get("/admin/accounts/user/?vetting=expiring").content.decode()
        assert "vet_lapsed_u1" in lapsed
        assert "vet_soon_u2" not in lapsed
        assert "vet_soon_u2" in expiring
        assert "vet_lapsed_u1" not in expiring
