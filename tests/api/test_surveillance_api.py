"""The surveillance API (DESIGN.md §8, §11): contract fields, refusals (400 field errors, 409
codes), nothing written on refusal, idempotent replays, depot scope, and attachments."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import DepotMembership, User
from inventory.models import AmmunitionType, Ban, Document, LedgerLine, Lot, PolicySetting
from inventory.services.lots import add_months
from surveillance import reference_data as surveillance_reference
from surveillance.models import (
    ConditionChange,
    Inspection,
    InspectionAttachment,
    ShelfLifeExtension,
    StabilityPolicyBand,
    StabilityTest,
)
from tests.surveillance import conftest as surveillance_fixtures

# The surveillance tests' fixtures: a propellant type and a lot held in both depots.
charges = surveillance_fixtures.charges
charge_lot = surveillance_fixtures.charge_lot
inspector_b = surveillance_fixtures.inspector_b

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64


def today(days=0):
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def snapshot():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Inspection.objects.count(),
        InspectionAttachment.objects.count(),
        StabilityTest.objects.count(),
        ConditionChange.objects.count(),
        Ban.objects.count(),
        Ban.objects.filter(lifted_at__isnull=True).count(),
        ShelfLifeExtension.objects.count(),
        sorted(Lot.objects.values_list("id", "condition_id", "expires_on")),
    )


def inspection_body(subject, **change):
    return {
        "lot": subject.pk,
        "kind": "periodic",
        "inspected_on": today(1),
        "sample_size": 12,
        "findings": "Rust on 3 of 12 containers",
        "condition": "A",
        **change,
    }


def stability_body(subject, **change):
    return {
        "lot": subject.pk,
        "sampled_on": today(3),
        "laboratory": "National Propellant Laboratory",
        "method": "hplc",
        "stabiliser": "DPA",
        "initial_content_pct": "1.000",
        "measured_content_pct": "0.500",
        **change,
    }


def issue_body(world, lot, recipient=None):
    return {
        "occurred_on": today(),
        "recipient": (recipient or world.unit).pk,
        "purpose": "training",
        "lines": [{"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": 1}],
    }


@pytest.fixture
def surveillance_policy(reference_policy):
    """The seed stability policy (the data migration's; reloaded in case a flush emptied it)."""
    from surveillance.models import StabilityMethodPolicy

    surveillance_reference.load(
        StabilityPolicyBand=StabilityPolicyBand,
        PolicySetting=PolicySetting,
        StabilityMethodPolicy=StabilityMethodPolicy,
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STOCKPILE_ATTACHMENT_MAX_BYTES = 1000
    return tmp_path


@pytest.fixture
def inspection_b(api_as, inspector_b, charge_lot, media):
    """An inspection recorded in depot B, with a photo."""
    response = api_as(inspector_b).post(
        "/api/v1/inspections/",
        {
            **inspection_body(charge_lot),
            "attachments": [SimpleUploadedFile("crate.png", PNG, content_type="image/png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return response.json()


# --- Inspections ----------------------------------------------------------------------------------


class TestInspections:
    def test_post_contract_and_condition_change(self, api_as, inspector, charge_lot, world):
        response = api_as(inspector).post(
            "/api/v1/inspections/",
            inspection_body(
                charge_lot,
                storehouse=world.sh1.pk,
                condition="E",
                authority_reference="ATO-2026-14",
            ),
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        inspection = Inspection.objects.get()
        assert body == {
            "id": inspection.pk,
            "lot": charge_lot.pk,
            "lot_number": "CHG-20-01",
            "ammunition_type": charge_lot.ammunition_type_id,
            "depot": world.depot_a.pk,  # the inspector's only depot
            "depot_code": "DA",
            "storehouse": world.sh1.pk,
            "storehouse_code": "SH1",
            "kind": "periodic",
            "inspected_on": today(1),
            "inspector": "inspector_a",
            "sample_size": 12,
            "findings": "Rust on 3 of 12 containers",
            "condition": "E",
            "next_due_on": inspection.next_due_on.isoformat(),
            "recorded_at": body["recorded_at"],
            "attachments": [],
        }
        charge_lot.refresh_from_db()
        assert charge_lot.condition_id == "E"
        changes = ConditionChange.objects.filter(inspection=inspection)
        assert {c.document.depot.code for c in changes} == {"DA", "DB"}
        assert {c.authority_reference for c in changes} == {"ATO-2026-14"}
        assert api_as(inspector).get(f"/api/v1/inspections/{inspection.pk}/").json() == body

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"sample_size": 0}, "sample_size"),
            ({"sample_size": "5"}, "sample_size"),
            ({"findings": ""}, "findings"),
            ({"condition": "Z"}, "condition"),
            ({"kind": "casual"}, "kind"),
            ({"inspected_on": today(-2)}, "inspected_on"),  # in the future: the service says so
            ({"inspected_on": "2019-01-01"}, "inspected_on"),  # before the lot was made
            ({"lot": 999999}, "lot"),
        ],
    )
    def test_malformed_is_400_with_field_errors_and_writes_nothing(
        self, api_as, inspector, charge_lot, change, field
    ):
        before = snapshot()
        response = api_as(inspector).post(
            "/api/v1/inspections/", inspection_body(charge_lot, **change), format="json"
        )
        assert response.status_code == 400
        assert field in response.json()
        assert snapshot() == before

    def test_storehouse_or_depot_out_of_scope_is_400_like_a_missing_one(
        self, api_as, inspector, charge_lot, world
    ):
        before = snapshot()
        client = api_as(inspector)
        for change, field in (
            ({"storehouse": world.sh3.pk}, "storehouse"),
            ({"storehouse": 999999}, "storehouse"),
            ({"depot": world.depot_b.pk}, "depot"),
            ({"depot": 999999}, "depot"),
        ):
            response = client.post(
                "/api/v1/inspections/", inspection_body(charge_lot, **change), format="json"
            )
            assert response.status_code == 400, change
            assert "does not exist" in response.json()[field][0]
        assert snapshot() == before

    def test_a_national_inspector_names_the_depot_when_several_hold_the_lot(
        self, api_as, national_inspector, charge_lot, world
    ):
        client = api_as(national_inspector)
        response = client.post("/api/v1/inspections/", inspection_body(charge_lot), format="json")
        assert response.status_code == 400
        assert "depot" in response.json()
        named = client.post(
            "/api/v1/inspections/",
            inspection_body(charge_lot, depot=world.depot_b.pk),
            format="json",
        )
        assert named.status_code == 201
        assert named.json()["depot_code"] == "DB"

    @pytest.mark.parametrize("who", ["clerk", "auditor", "officer"])
    def test_roles_that_record_no_surveillance_get_403(self, request, api_as, charge_lot, who):
        before = snapshot()
        response = api_as(request.getfixturevalue(who)).post(
            "/api/v1/inspections/", inspection_body(charge_lot), format="json"
        )
        assert response.status_code == 403
        assert snapshot() == before

    def test_list_is_scoped_filtered_and_cursor_paginated(
        self, api_as, inspector, inspector_b, clerk, clerk_b, auditor, charge_lot
    ):
        mine = api_as(inspector).post(
            "/api/v1/inspections/", inspection_body(charge_lot), format="json"
        )
        theirs = api_as(inspector_b).post(
            "/api/v1/inspections/",
            inspection_body(charge_lot, kind="pre_issue", inspected_on=today(10)),
            format="json",
        )
        a, b = mine.json()["id"], theirs.json()["id"]
        page = api_as(clerk).get("/api/v1/inspections/").json()
        assert set(page) == {"next", "previous", "results"}
        assert [row["id"] for row in page["results"]] == [a]
        assert [r["id"] for r in api_as(clerk_b).get("/api/v1/inspections/").json()["results"]] == [
            b
        ]
        everyone = api_as(auditor)
        assert [r["id"] for r in everyone.get("/api/v1/inspections/").json()["results"]] == [b, a]
        for query, expected in (
            ("kind=pre_issue", [b]),
            (f"inspected_from={today(5)}", [a]),
            (f"inspected_until={today(5)}", [b]),
            (f"lot={charge_lot.pk}", [b, a]),
        ):
            rows = everyone.get(f"/api/v1/inspections/?{query}").json()["results"]
            assert [row["id"] for row in rows] == expected, query
        assert everyone.get("/api/v1/inspections/?inspected_from=yesterday").status_code == 400
        assert everyone.get("/api/v1/inspections/?cursor=V").status_code == 400
        assert api_as(clerk).get(f"/api/v1/inspections/{b}/").status_code == 404


class TestAttachments:
    def test_multipart_post_keeps_the_file_and_download_returns_it(
        self, api_as, inspector_b, clerk_b, inspection_b, media
    ):
        [attachment] = inspection_b["attachments"]
        assert attachment["original_name"] == "crate.png"
        assert attachment["content_type"] == "image/png"
        assert attachment["size"] == len(PNG)
        assert attachment["uploaded_by"] == "inspector_b"
        response = api_as(clerk_b).get(attachment["download"])
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == 'attachment; filename="crate.png"'
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_add_more_files_to_an_inspection(self, api_as, inspector_b, inspection_b, media):
        url = f"/api/v1/inspections/{inspection_b['id']}/attachments/"
        response = api_as(inspector_b).post(
            url,
            {"attachments": [SimpleUploadedFile("form.pdf", PDF, content_type="application/pdf")]},
            format="multipart",
        )
        assert response.status_code == 201
        names = [row["original_name"] for row in response.json()["attachments"]]
        assert names == ["crate.png", "form.pdf"]
        download = api_as(inspector_b).get(response.json()["attachments"][1]["download"])
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == PDF

    @pytest.mark.parametrize(
        "upload",
        [
            SimpleUploadedFile("evil.png", b"MZ\x90\x00 not an image", content_type="image/png"),
            SimpleUploadedFile("huge.pdf", b"%PDF-" + b"x" * 2000, content_type="application/pdf"),
        ],
        ids=["wrong-type", "oversized"],
    )
    def test_wrong_type_or_oversized_is_400_and_nothing_is_kept(
        self, api_as, inspector_b, inspection_b, charge_lot, media, upload
    ):
        before = snapshot()
        files = sorted(path.name for path in media.rglob("*") if path.is_file())
        client = api_as(inspector_b)
        upload.seek(0)
        added = client.post(
            f"/api/v1/inspections/{inspection_b['id']}/attachments/",
            {"attachments": [upload]},
            format="multipart",
        )
        assert added.status_code == 400
        assert "attachments" in added.json()
        upload.seek(0)
        created = client.post(
            "/api/v1/inspections/",
            {**inspection_body(charge_lot), "attachments": [upload]},
            format="multipart",
        )
        assert created.status_code == 400
        assert "attachments" in created.json()
        assert snapshot() == before
        assert sorted(path.name for path in media.rglob("*") if path.is_file()) == files

    def test_a_refused_file_leaves_none_of_the_request_behind(
        self, api_as, inspector_b, inspection_b, charge_lot, media
    ):
        before = snapshot()
        files = sorted(path.name for path in media.rglob("*") if path.is_file())
        uploads = [
            SimpleUploadedFile("good.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("bad.png", b"GIF89a not a png", content_type="image/png"),
        ]
        response = api_as(inspector_b).post(
            "/api/v1/inspections/",
            {**inspection_body(charge_lot, condition="D"), "attachments": uploads},
            format="multipart",
        )
        assert response.status_code == 400
        assert "bad.png" in response.json()["attachments"][0]
        assert snapshot() == before  # no inspection, no condition change
        assert sorted(path.name for path in media.rglob("*") if path.is_file()) == files

    def test_a_multipart_post_replayed_with_its_key_records_once(
        self, api_as, inspector_b, charge_lot, media
    ):
        client = api_as(inspector_b)

        def post():
            upload = SimpleUploadedFile("crate.png", PNG, content_type="image/png")
            return client.post(
                "/api/v1/inspections/",
                {**inspection_body(charge_lot), "attachments": [upload]},
                format="multipart",
                HTTP_IDEMPOTENCY_KEY="insp-1",
            )

        first, second = post(), post()
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second["Idempotent-Replayed"] == "true"
        assert (Inspection.objects.count(), InspectionAttachment.objects.count()) == (1, 1)

    def test_out_of_scope_users_get_404_for_inspection_and_file(
        self, api_as, clerk, inspector, inspection_b
    ):
        [attachment] = inspection_b["attachments"]
        for user in (clerk, inspector):  # depot A's clerk and inspector
            client = api_as(user)
            assert client.get(f"/api/v1/inspections/{inspection_b['id']}/").status_code == 404
            assert client.get(attachment["download"]).status_code == 404
        before = snapshot()
        response = api_as(inspector).post(
            f"/api/v1/inspections/{inspection_b['id']}/attachments/",
            {"attachments": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]},
            format="multipart",
        )
        assert response.status_code == 404
        assert snapshot() == before

    def test_an_in_scope_clerk_may_download_but_not_attach(
        self, api_as, clerk_b, auditor, inspection_b
    ):
        [attachment] = inspection_b["attachments"]
        assert api_as(auditor).get(attachment["download"]).status_code == 200
        before = snapshot()
        for user in (clerk_b, auditor):
            response = api_as(user).post(
                f"/api/v1/inspections/{inspection_b['id']}/attachments/",
                {"attachments": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]},
                format="multipart",
            )
            assert response.status_code == 403
        assert snapshot() == before

    def test_another_inspections_attachment_id_is_404(
        self, api_as, inspector_b, inspection_b, charge_lot
    ):
        other = api_as(inspector_b).post(
            "/api/v1/inspections/", inspection_body(charge_lot), format="json"
        )
        aid = inspection_b["attachments"][0]["id"]
        url = f"/api/v1/inspections/{other.json()['id']}/attachments/{aid}/download/"
        assert api_as(inspector_b).get(url).status_code == 404


# --- Stability tests ------------------------------------------------------------------------------


class TestStabilityTests:
    def test_post_contract_adds_the_policy_outcome(self, api_as, inspector, charge_lot, world):
        response = api_as(inspector).post(
            "/api/v1/stability-tests/", stability_body(charge_lot), format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        test = StabilityTest.objects.get()
        assert body == {
            "id": test.pk,
            "lot": charge_lot.pk,
            "lot_number": "CHG-20-01",
            "depot": world.depot_a.pk,
            "depot_code": "DA",
            "sampled_on": today(3),
            "laboratory": "National Propellant Laboratory",
            "method": "hplc",
            "stabiliser": "DPA",
            "initial_content_pct": "1.000",
            "measured_content_pct": "0.500",
            "passed": None,
            "remaining_pct": "50.00",
            "category": "monitor",
            "action": test.action,
            "resulting_condition": "C",
            "next_test_due": test.next_test_due.isoformat(),
            "dispose_by": None,
            "tested_by": "inspector_a",
            "note": "",
            "recorded_at": body["recorded_at"],
        }
        assert body["next_test_due"] > today()
        charge_lot.refresh_from_db()
        assert charge_lot.condition_id == "C"

    def test_unstable_result_condemns_the_lot_and_sets_a_disposal_date(
        self, api_as, inspector, clerk, charge_lot, world
    ):
        response = api_as(inspector).post(
            "/api/v1/stability-tests/",
            stability_body(charge_lot, measured_content_pct="0.100"),
            format="json",
        )
        body = response.json()
        assert (body["category"], body["resulting_condition"]) == ("unstable", "H")
        assert body["next_test_due"] is None
        # From the sample date (3 days ago), not from the day the result was entered.
        assert body["dispose_by"] == (timezone.localdate() + timedelta(days=87)).isoformat()
        issued = api_as(clerk).post("/api/v1/issues/", issue_body(world, charge_lot), format="json")
        assert issued.status_code == 409
        assert issued.json()["code"] == "lot_not_issuable"

    def test_pass_fail_method(self, api_as, inspector, charge_lot):
        response = api_as(inspector).post(
            "/api/v1/stability-tests/",
            {
                "lot": charge_lot.pk,
                "sampled_on": today(1),
                "laboratory": "Lab",
                "method": "heat_flow_calorimetry",
                "passed": True,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["category"] == "stable"
        assert response.json()["remaining_pct"] is None

    def test_a_screening_pass_is_monitor_with_a_quantitative_retest(
        self, api_as, inspector, charge_lot
    ):
        """Abel heat cannot measure the stabiliser left: its method row caps a pass at monitor,
        retest within 12 months by a content method; never stable for 5 years (§8)."""
        response = api_as(inspector).post(
            "/api/v1/stability-tests/",
            {
                "lot": charge_lot.pk,
                "sampled_on": today(1),
                "laboratory": "Lab",
                "method": "abel_heat",
                "passed": True,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["category"] == "monitor"
        sampled = timezone.localdate() - timedelta(days=1)
        assert body["next_test_due"] == add_months(sampled, 12).isoformat()
        assert "retest by stabiliser content" in body["action"]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"passed": True}, "passed"),  # a content method gives no pass/fail
            ({"initial_content_pct": "0.000"}, "initial_content_pct"),
            ({"measured_content_pct": 0.5}, "measured_content_pct"),  # a number, not a string
            ({"method": "smell"}, "method"),
            ({"laboratory": ""}, "laboratory"),
        ],
    )
    def test_malformed_is_400_and_writes_nothing(
        self, api_as, inspector, charge_lot, change, field
    ):
        before = snapshot()
        response = api_as(inspector).post(
            "/api/v1/stability-tests/", stability_body(charge_lot, **change), format="json"
        )
        assert response.status_code == 400
        assert field in response.json()
        assert snapshot() == before

    def test_a_lot_without_propellant_is_400(self, api_as, inspector, clerk, world):
        lot = world.lot(world.ball, "BALL-1")
        world.stock(clerk, lot, world.sh2, 100)
        before = snapshot()
        response = api_as(inspector).post(
            "/api/v1/stability-tests/", stability_body(lot), format="json"
        )
        assert response.status_code == 400
        assert "lot" in response.json()
        assert snapshot() == before

    def test_list_scope_and_filters(self, api_as, inspector, inspector_b, clerk, charge_lot):
        api_as(inspector).post(
            "/api/v1/stability-tests/", stability_body(charge_lot), format="json"
        )
        api_as(inspector_b).post(
            "/api/v1/stability-tests/",
            stability_body(charge_lot, measured_content_pct="0.900"),
            format="json",
        )
        rows = api_as(clerk).get("/api/v1/stability-tests/").json()["results"]
        assert [row["depot_code"] for row in rows] == ["DA"]
        stable = api_as(inspector_b).get("/api/v1/stability-tests/?category=stable").json()
        assert [row["depot_code"] for row in stable["results"]] == ["DB"]
        assert (
            api_as(clerk)
            .post("/api/v1/stability-tests/", stability_body(charge_lot), format="json")
            .status_code
            == 403
        )


# --- Condition changes ----------------------------------------------------------------------------


class TestConditionChanges:
    def test_post_lists_the_documents_posted_in_each_holding_depot(
        self, api_as, inspector, clerk_b, charge_lot, world
    ):
        response = api_as(inspector).post(
            "/api/v1/condition-changes/",
            {
                "lot": charge_lot.pk,
                "condition": "D",
                "reason": "Corroded cases",
                "authority_reference": "ATO-7",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        documents = Document.objects.filter(kind="condition_change").order_by("depot_id")
        assert body == {
            "lot": charge_lot.pk,
            "lot_number": "CHG-20-01",
            "from_condition": "A",
            "condition": "D",
            "documents": [
                {"id": d.pk, "number": d.number, "depot": d.depot_id, "depot_code": d.depot.code}
                for d in documents
            ],
        }
        assert [d["depot_code"] for d in body["documents"]] == ["DA", "DB"]
        rows = api_as(clerk_b).get("/api/v1/condition-changes/").json()["results"]
        assert len(rows) == 1
        row = rows[0]
        assert (row["from_condition"], row["to_condition"], row["reason"]) == (
            "A",
            "D",
            "Corroded cases",
        )
        assert row["document"]["depot_code"] == "DB"
        assert row["posted_by"] == "inspector_a"
        assert row["authority_reference"] == "ATO-7"

    def test_improving_stock_held_elsewhere_is_409_and_writes_nothing(
        self, api_as, inspector, charge_lot
    ):
        client = api_as(inspector)
        body = {"lot": charge_lot.pk, "condition": "D", "reason": "Corroded"}
        assert client.post("/api/v1/condition-changes/", body, format="json").status_code == 201
        before = snapshot()
        response = client.post(
            "/api/v1/condition-changes/", {**body, "condition": "A", "reason": "Cleaned"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 409
        assert response.json()["code"] == "lot_held_elsewhere"
        assert response.json()["depots"] == ["DB"]
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"condition": "A"}, "condition"),
            ({"condition": "Z"}, "condition"),
            ({"reason": ""}, "reason"),
        ],
    )
    def test_malformed_is_400(self, api_as, inspector, charge_lot, change, field):
        before = snapshot()
        body = {"lot": charge_lot.pk, "condition": "D", "reason": "Corroded", **change}
        response = api_as(inspector).post("/api/v1/condition-changes/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert snapshot() == before

    def test_idempotent_replay_posts_once(self, api_as, inspector, charge_lot):
        client = api_as(inspector)
        body = {"lot": charge_lot.pk, "condition": "D", "reason": "Corroded"}
        first = client.post(
            "/api/v1/condition-changes/", body, format="json", HTTP_IDEMPOTENCY_KEY="cc-1"
        )
        second = client.post(
            "/api/v1/condition-changes/", body, format="json", HTTP_IDEMPOTENCY_KEY="cc-1"
        )
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second["Idempotent-Replayed"] == "true"
        assert ConditionChange.objects.count() == 2  # DA and DB, once
        other = client.post(
            "/api/v1/condition-changes/", {**body, "condition": "E"}, format="json",
            HTTP_IDEMPOTENCY_KEY="cc-1",
        )  # fmt: skip
        assert other.status_code == 409
        assert other.json()["code"] == "idempotency_mismatch"

    @pytest.mark.parametrize("who", ["clerk", "auditor"])
    def test_wrong_role_is_403(self, request, api_as, charge_lot, who):
        response = api_as(request.getfixturevalue(who)).post(
            "/api/v1/condition-changes/",
            {"lot": charge_lot.pk, "condition": "D", "reason": "x"},
            format="json",
        )
        assert response.status_code == 403


# --- Bans and constraints -------------------------------------------------------------------------


class TestBans:
    def test_a_ban_stops_issues_until_lifted_and_lifting_twice_is_409(
        self, api_as, inspector, officer, clerk, charge_lot, world
    ):
        client = api_as(inspector)
        response = client.post(
            "/api/v1/bans/",
            {"kind": "ban", "lot": charge_lot.pk, "reason": "Misfires", "reference": "TB-12"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        ban = response.json()
        assert ban == {
            "id": ban["id"],
            "kind": "ban",
            "lot": charge_lot.pk,
            "lot_number": "CHG-20-01",
            "ammunition_type": None,
            "ammunition_type_code": None,
            "reason": "Misfires",
            "reference": "TB-12",
            "permitted_recipient_kinds": [],
            "disposal_recommended": False,
            "imposed_by": "inspector_a",
            "imposed_at": ban["imposed_at"],
            "lifted_by": None,
            "lifted_at": None,
            "lift_reason": "",
            "is_active": True,
        }
        before = snapshot()
        refused = api_as(clerk).post(
            "/api/v1/issues/", issue_body(world, charge_lot), format="json"
        )
        assert refused.status_code == 409
        assert refused.json()["code"] == "lot_banned"
        assert snapshot() == before

        url = f"/api/v1/bans/{ban['id']}/lift/"
        assert api_as(clerk).post(url, {"reason": "x"}, format="json").status_code == 403
        # The lot is held in depots A and B: depot A's inspector does not free it in B (issue 15).
        assert client.post(url, {"reason": "x"}, format="json").status_code == 403
        client = api_as(officer)
        lifted = client.post(url, {"reason": "Cause found in another lot"}, format="json")
        assert lifted.status_code == 200
        assert lifted.json()["is_active"] is False
        assert lifted.json()["lifted_by"] == officer.username
        before = snapshot()
        again = client.post(url, {"reason": "again"}, format="json")
        assert again.status_code == 409
        assert again.json()["code"] == "invalid_state"
        assert snapshot() == before
        issued = api_as(clerk).post("/api/v1/issues/", issue_body(world, charge_lot), format="json")
        assert issued.status_code == 201

    def test_a_constraint_limits_recipients(self, api_as, inspector, clerk, charge_lot, world):
        response = api_as(inspector).post(
            "/api/v1/bans/",
            {
                "kind": "constraint",
                "lot": charge_lot.pk,
                "reason": "Training only",
                "reference": "C-7",
                "permitted_recipient_kinds": ["range"],
            },
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["permitted_recipient_kinds"] == ["range"]
        before = snapshot()
        refused = api_as(clerk).post(
            "/api/v1/issues/", issue_body(world, charge_lot), format="json"
        )
        assert refused.status_code == 409
        assert refused.json()["code"] == "recipient_not_permitted"
        assert snapshot() == before
        allowed = api_as(clerk).post(
            "/api/v1/issues/", issue_body(world, charge_lot, world.restricted_ok), format="json"
        )
        assert allowed.status_code == 201

    def test_a_type_ban_is_for_national_inspectors(
        self, api_as, inspector, national_inspector, clerk_b, charges, charge_lot
    ):
        body = {"kind": "ban", "ammunition_type": charges.pk, "reason": "Recall", "reference": "R"}
        before = snapshot()
        assert api_as(inspector).post("/api/v1/bans/", body, format="json").status_code == 403
        assert snapshot() == before
        response = api_as(national_inspector).post("/api/v1/bans/", body, format="json")
        assert response.status_code == 201
        assert response.json()["ammunition_type_code"] == "CHG-122"
        rows = api_as(clerk_b).get("/api/v1/bans/?active=true").json()
        assert rows["count"] == 1
        assert api_as(clerk_b).get("/api/v1/bans/?active=false").json()["count"] == 0
        assert (
            api_as(clerk_b).get(f"/api/v1/bans/?ammunition_type={charges.pk}").json()["count"] == 1
        )

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"kind": "embargo"}, "kind"),
            ({"reason": ""}, "reason"),
            ({"lot": None}, "lot"),  # neither a lot nor a type
            ({"permitted_recipient_kinds": ["range"]}, "permitted_recipient_kinds"),  # a ban
            ({"permitted_recipient_kinds": ["martians"]}, "permitted_recipient_kinds"),
        ],
    )
    def test_malformed_is_400(self, api_as, inspector, charge_lot, change, field):
        body = {"kind": "ban", "lot": charge_lot.pk, "reason": "r", "reference": "x", **change}
        response = api_as(inspector).post("/api/v1/bans/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Ban.objects.exists()

    def test_idempotent_replay_imposes_once(self, api_as, inspector, charge_lot):
        client = api_as(inspector)
        body = {"kind": "ban", "lot": charge_lot.pk, "reason": "Misfires", "reference": "TB"}
        first = client.post("/api/v1/bans/", body, format="json", HTTP_IDEMPOTENCY_KEY="ban-1")
        second = client.post("/api/v1/bans/", body, format="json", HTTP_IDEMPOTENCY_KEY="ban-1")
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert Ban.objects.count() == 1

    def test_a_lot_ban_is_invisible_outside_the_depots_holding_the_lot(
        self, api_as, inspector, world, clerk, clerk_b
    ):
        lot = world.lot(world.tnt, "TNT-A")
        world.stock(clerk, lot, world.sh1, 10)
        ban = (
            api_as(inspector)
            .post(
                "/api/v1/bans/",
                {"kind": "ban", "lot": lot.pk, "reason": "r", "reference": "x"},
                format="json",
            )
            .json()
        )
        assert api_as(clerk_b).get(f"/api/v1/bans/{ban['id']}/").status_code == 404
        lift = api_as(clerk_b).post(f"/api/v1/bans/{ban['id']}/lift/", {"reason": "x"})
        assert lift.status_code == 404
        assert api_as(clerk_b).get("/api/v1/bans/").json()["count"] == 0


# --- Shelf-life extensions ------------------------------------------------------------------------


class TestShelfLifeExtensions:
    def test_extension_on_a_stable_test(self, api_as, inspector, inspector_b, charge_lot, world):
        charge_lot.expires_on = timezone.localdate() + timedelta(days=10)
        charge_lot.save()
        test = (
            api_as(inspector)
            .post(
                "/api/v1/stability-tests/",
                stability_body(charge_lot, measured_content_pct="0.900"),
                format="json",
            )
            .json()
        )
        body = {
            "lot": charge_lot.pk,
            "new_expires_on": today(-400),
            "reason": "Stable at 90 %",
            "stability_test": test["id"],
        }
        # The lot is held in depots A and B: depot A's inspector alone may not extend it there.
        response = api_as(inspector).post("/api/v1/shelf-life-extensions/", body, format="json")
        assert response.status_code == 403
        DepotMembership.objects.create(user=inspector, depot=world.depot_b)
        inspector = User.objects.get(pk=inspector.pk)  # an inspector of both depots decides
        response = api_as(inspector).post("/api/v1/shelf-life-extensions/", body, format="json")
        assert response.status_code == 201, response.json()
        extension = ShelfLifeExtension.objects.get()
        assert response.json() == {
            "id": extension.pk,
            "lot": charge_lot.pk,
            "lot_number": "CHG-20-01",
            "previous_expires_on": today(-10),
            "new_expires_on": today(-400),
            "inspection": None,
            "stability_test": test["id"],
            "reason": "Stable at 90 %",
            "decided_by": "inspector_a",
            "decided_at": response.json()["decided_at"],
        }
        charge_lot.refresh_from_db()
        assert charge_lot.expires_on.isoformat() == today(-400)
        rows = api_as(inspector).get("/api/v1/shelf-life-extensions/").json()["results"]
        assert [row["id"] for row in rows] == [extension.pk]

        # Depot B's inspector cannot name depot A's test: the same 400 as a missing one.
        before = snapshot()
        for evidence in (test["id"], 999999):
            refused = api_as(inspector_b).post(
                "/api/v1/shelf-life-extensions/",
                {**body, "new_expires_on": today(-800), "stability_test": evidence},
                format="json",
            )
            assert refused.status_code == 400
            assert "does not exist" in refused.json()["stability_test"][0]
        assert snapshot() == before

    def test_without_evidence_or_an_earlier_date_is_400(self, api_as, inspector, clerk, charge_lot):
        before = snapshot()
        client = api_as(inspector)
        body = {"lot": charge_lot.pk, "new_expires_on": today(-400), "reason": "looks fine"}
        response = client.post("/api/v1/shelf-life-extensions/", body, format="json")
        assert response.status_code == 400
        assert "inspection" in response.json()
        assert (
            api_as(clerk).post("/api/v1/shelf-life-extensions/", body, format="json").status_code
            == 403
        )
        assert snapshot() == before


# --- Work list and a lot's surveillance -----------------------------------------------------------


class TestWorkListAndLot:
    def test_work_list_shows_what_falls_due_in_my_depots(
        self, api_as, inspector, clerk_b, charge_lot
    ):
        response = api_as(inspector).get("/api/v1/surveillance/work-list/")
        assert response.status_code == 200
        body = response.json()
        assert body["today"] == today()
        assert body["until"] == today(-30)
        stability = [row for row in body["results"] if row["what"] == "stability_test"]
        assert stability == [
            {
                "lot": charge_lot.pk,
                "lot_number": "CHG-20-01",
                "ammunition_type": charge_lot.ammunition_type_id,
                "ammunition_type_code": "CHG-122",
                "condition": "A",
                "depot_code": "DA",
                "quantity": 50,
                "what": "stability_test",
                "due_on": "2025-01-01",  # made 2020-01-01 + 5 years: overdue
                "overdue": True,
            }
        ]
        rows = api_as(clerk_b).get("/api/v1/surveillance/work-list/?days=400").json()["results"]
        assert {(row["depot_code"], row["quantity"]) for row in rows} == {("DB", 20)}
        assert {row["what"] for row in rows} == {"stability_test", "inspection"}

    @pytest.mark.parametrize("days", ["-1", "abc", "1.5", "3651"])
    def test_work_list_horizon_must_be_whole_days(self, api_as, inspector, days):
        response = api_as(inspector).get(f"/api/v1/surveillance/work-list/?days={days}")
        assert response.status_code == 400
        assert "days" in response.json()

    def test_lot_surveillance_gives_due_dates_bans_and_history(
        self, api_as, inspector, clerk_b, charge_lot
    ):
        client = api_as(inspector)
        test = client.post(
            "/api/v1/stability-tests/", stability_body(charge_lot), format="json"
        ).json()
        client.post(
            "/api/v1/inspections/", inspection_body(charge_lot, condition="C"), format="json"
        )
        ban = client.post(
            "/api/v1/bans/",
            {"kind": "ban", "lot": charge_lot.pk, "reason": "Misfires", "reference": "TB"},
            format="json",
        ).json()
        response = client.get(f"/api/v1/lots/{charge_lot.pk}/surveillance/")
        assert response.status_code == 200
        body = response.json()
        assert body["condition"] == "C"
        assert body["contains_propellant"] is True
        assert body["stability_test_due"] == test["next_test_due"]
        assert body["never_stability_tested"] is False
        assert body["last_stability_test_on"] == test["sampled_on"]
        assert body["last_stability_category"] == "monitor"
        assert body["last_inspected_on"] == today(1)
        assert [row["id"] for row in body["bans"]] == [ban["id"]]
        assert {event["what"] for event in body["timeline"]} == {
            "condition_change",
            "inspection",
            "stability_test",
            "ban",
        }
        change = next(e for e in body["timeline"] if e["what"] == "condition_change")
        assert change["document_number"].startswith("DA-")
        # Depot B's clerk sees the lot's dates, and only depot B's records in its history.
        theirs = api_as(clerk_b).get(f"/api/v1/lots/{charge_lot.pk}/surveillance/").json()
        assert {e["what"] for e in theirs["timeline"]} == {"condition_change", "ban"}
        assert api_as(clerk_b).get("/api/v1/lots/999999/surveillance/").status_code == 404

    def test_a_lot_never_held_in_ones_depots_is_404_with_its_bans(
        self, api_as, inspector, world, clerk, clerk_b, national_inspector
    ):
        """Issue 15: the surveillance of a lot outside one's depots answered with its bans."""
        lot = world.lot(world.tnt, "TNT-A-ONLY")
        world.stock(clerk, lot, world.sh1, 10)
        api_as(inspector).post(
            "/api/v1/bans/",
            {"kind": "ban", "lot": lot.pk, "reason": "Misfires", "reference": "TB-9"},
            format="json",
        )
        url = f"/api/v1/lots/{lot.pk}/surveillance/"
        answer = api_as(clerk_b).get(url)
        assert answer.status_code == 404
        assert "TB-9" not in answer.content.decode()
        assert api_as(clerk).get(url).status_code == 200
        assert api_as(national_inspector).get(url).json()["bans"][0]["reference"] == "TB-9"


class TestQueryCounts:
    """List endpoints cost a fixed number of queries, whatever the number of rows."""

    URLS = [
        "/api/v1/inspections/",
        "/api/v1/stability-tests/",
        "/api/v1/condition-changes/",
        "/api/v1/bans/",
        "/api/v1/shelf-life-extensions/",
    ]

    def _record(self, world, clerk, inspector, number):
        from surveillance import services

        lot = world.lot(AmmunitionType.objects.get(code="CHG-122"), f"CHG-Q-{number}")
        lot.expires_on = timezone.localdate() + timedelta(days=30)
        lot.save()
        world.stock(clerk, lot, world.sh1, 10)
        services.inspection_record(
            lot=lot, depot=world.depot_a, kind="periodic", inspected_on=timezone.localdate(),
            sample_size=2, findings="ok", condition="C", inspector=inspector,
            attachments=[SimpleUploadedFile(f"p{number}.png", PNG, content_type="image/png")],
        )  # fmt: skip
        test = services.stability_test_record(
            lot=lot, depot=world.depot_a, sampled_on=timezone.localdate(), laboratory="Lab",
            method="hplc", initial_content_pct=Decimal("1"), measured_content_pct=Decimal("0.9"),
            tested_by=inspector,
        )  # fmt: skip
        services.ban_impose(kind="ban", lot=lot, reason="r", reference="x", imposed_by=inspector)
        services.shelf_life_extend(
            lot=lot, new_expires_on=timezone.localdate() + timedelta(days=400), reason="ok",
            decided_by=inspector, stability_test=test,
        )  # fmt: skip

    @pytest.mark.parametrize("url", URLS)
    def test_fixed_query_count(self, api_as, clerk, inspector, world, charges, media, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = api_as(clerk)
        self._record(world, clerk, inspector, 0)

        def count():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                assert response.status_code == 200
            return len(queries), len(response.json()["results"])

        small, rows = count()
        assert rows == 1
        for number in range(1, 6):
            self._record(world, clerk, inspector, number)
        large, rows = count()
        assert rows == 6
        assert large == small
