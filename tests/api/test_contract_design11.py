"""The API as a client written from DESIGN.md §11 alone sees it.

Every request sends exactly the fields §11 lists for its resource (no more), as the role §1 and
§11 give, and asserts the documented status code and the response fields §11 names. A field added
after §11 must have a default: a client that never heard of it keeps working. Refusals of the
defaults (an ambiguous depot, a bad date) are clear 4xx answers that write nothing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.sweep import surveillance_sweep
from core.roles import Role
from inventory.models import Balance, Document, LedgerLine, Lot, Storehouse
from inventory.models.reference import StorehouseKind
from reports.models import ReportRun
from surveillance.models import StabilityTest
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def today():
    return timezone.localdate()


def call(client, method, url, body=None, expect=200):
    """One request; asserts the status code and returns the JSON answer (or the response)."""
    response = getattr(client, method)(API + url, body, format="json")
    assert response.status_code == expect, (method, url, response.status_code, response.content)
    if response.get("Content-Type", "").startswith("application/json"):
        return response.json()
    return response


def has(answer: dict, fields: str) -> None:
    """The answer carries every field named (comma-separated, as §11 writes them)."""
    missing = {field.strip() for field in fields.split(",")} - set(answer)
    assert not missing, (missing, sorted(answer))


def ledger_state():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


@pytest.fixture
def site(reference_policy, surveillance_policy, depot_a, depot_b, api_as, admin_user, officer):
    """Reference data made through the API by an administrator (and an officer for the
    recipients), each POST with exactly the fields of §11."""
    admin = api_as(admin_user)
    ball = call(
        admin,
        "post",
        "ammunition-types/",
        {
            "code": "CTG-762-BALL",
            "name": "Cartridge 7.62 x 39 mm ball",
            "category": "small_arms",
            "calibre": "7.62 x 39 mm",
            "hazard_division": "1.4",
            "compatibility_group": "S",
            "neq_per_unit_kg": "0.001600",
            "unit": "round",
            "shelf_life_months": 240,
            "contains_propellant": True,
        },
        expect=201,
    )
    has(
        ball,
        "id, code, name, category, calibre, hazard_division, compatibility_group, "
        "neq_per_unit_kg, unit, shelf_life_months, contains_propellant",
    )
    assert ball["neq_per_unit_kg"] == "0.001600"
    storehouses = {}
    for depot, code in ((depot_a, "ESH-A"), (depot_b, "ESH-B")):
        storehouse = call(
            admin,
            "post",
            "storehouses/",
            {"depot": depot.pk, "code": code, "name": f"Storehouse {code}"},
            expect=201,
        )
        has(storehouse, "id, depot, code, name")
        storehouses[depot.code] = storehouse["id"]
        licence = call(
            admin,
            "post",
            "licences/",
            {
                "storehouse": storehouse["id"],
                "number": f"EL-{code}",
                "valid_from": (today() - timedelta(days=30)).isoformat(),
                "valid_until": (today() + timedelta(days=365)).isoformat(),
                "limits": {"1.1": "5000", "1.4": None},
            },
            expect=201,
        )
        has(licence, "id, storehouse, number, valid_from, valid_until, limits")
        assert licence["limits"]["1.4"] is None
    unit = call(
        api_as(officer),
        "post",
        "recipients/",
        {"code": "2BDE", "name": "2nd Brigade", "kind": "unit"},
        expect=201,
    )
    has(unit, "id, code, name, kind, depot")
    return {"ball": ball["id"], "sh_a": storehouses["DA"], "sh_b": storehouses["DB"], **unit}


def receive(client, site, lot, quantity, storehouse=None):
    return call(
        client,
        "post",
        "receipts/",
        {
            "reference": "WB-1",
            "occurred_on": today().isoformat(),
            "counterparty": "National Arsenal",
            "lines": [{"lot": lot, "storehouse": storehouse or site["sh_a"], "quantity": quantity}],
        },
        expect=201,
    )


@pytest.fixture
def lot(site, api_as, clerk):
    """A lot recorded by a clerk with the fields of §11, 1,000 received into depot A."""
    client = api_as(clerk)
    made = call(
        client,
        "post",
        "lots/",
        {
            "ammunition_type": site["ball"],
            "lot_number": "AK-21-0457",
            "manufacturer": "Arsenal 10",
            "manufactured_on": "2021-05-01",
        },
        expect=201,
    )
    has(
        made,
        "id, ammunition_type, lot_number, manufacturer, manufactured_on, expires_on, condition",
    )
    receive(client, site, made["id"], 1000)
    return made["id"]


class TestReferenceData:
    def test_depots(self, reference_policy, api_as, admin_user):
        created = call(
            api_as(admin_user),
            "post",
            "depots/",
            {"code": "D04", "name": "Eastern Depot", "region": "East"},
            expect=201,
        )
        has(created, "id, code, name, region")
        listed = call(api_as(admin_user), "get", "depots/?region=East")
        has(listed, "results, next, previous, count")
        assert [d["code"] for d in listed["results"]] == ["D04"]

    def test_a_storehouse_without_kind_takes_the_default_kind(self, site, api_as, admin_user):
        storehouse = Storehouse.objects.get(pk=site["sh_a"])
        assert storehouse.kind == StorehouseKind.ABOVE_GROUND
        answer = call(api_as(admin_user), "get", f"storehouses/{site['sh_a']}/")
        assert answer["kind"] == "above_ground_storehouse"

    def test_a_wrong_storehouse_kind_is_400_and_writes_nothing(
        self, site, depot_a, api_as, admin_user
    ):
        before = Storehouse.objects.count()
        answer = call(
            api_as(admin_user),
            "post",
            "storehouses/",
            {"depot": depot_a.pk, "code": "X", "name": "X", "kind": "tent"},
            expect=400,
        )
        assert "kind" in answer
        assert Storehouse.objects.count() == before

    def test_the_schema_gives_the_default_kind(self, api_as, admin_user):
        schema = api_as(admin_user).get("/api/schema/?format=json").json()
        storehouse = schema["components"]["schemas"]["StorehouseRequest"]
        assert "kind" not in storehouse.get("required", [])
        assert storehouse["properties"]["kind"]["default"] == "above_ground_storehouse"


DOCUMENT = "id, number, kind, status, occurred_on, lines"


class TestListsAndRefusals:
    def test_reference_lists_count_and_ledger_lists_do_not(self, site, lot, api_as, admin_user):
        client = api_as(admin_user)
        for resource in (
            "ammunition-types/",
            "depots/",
            "storehouses/",
            "licences/",
            "recipients/",
            "waivers/",
        ):
            has(call(client, "get", resource), "results, next, previous, count")
        for resource in ("stock/", "documents/", "receipts/", "alerts/", f"lots/{lot}/stock-card/"):
            listed = call(client, "get", resource)
            has(listed, "results, next, previous")
            assert "count" not in listed, resource

    def test_role_and_scope(self, site, lot, api_as, clerk, clerk_b, depot_b):
        type_body = {
            "code": "X",
            "name": "X",
            "category": "other",
            "hazard_division": "1.4",
            "compatibility_group": "S",
            "neq_per_unit_kg": "0.001",
        }
        call(api_as(clerk), "post", "ammunition-types/", type_body, expect=403)
        receipt = Document.objects.get(kind="receipt")
        call(api_as(clerk_b), "get", f"documents/{receipt.pk}/", expect=404)
        before = ledger_state()
        answer = call(
            api_as(clerk_b),
            "post",
            "issues/",
            {
                "reference": "IV-9",
                "occurred_on": today().isoformat(),
                "recipient": site["id"],
                "purpose": "exercise",
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 1}],
            },
            expect=400,  # depot A's storehouse is not depot B's clerk's: as if it did not exist
        )
        assert "lines" in answer
        assert ledger_state() == before


class TestLedger:
    def test_stock_lots_and_receipts(self, site, lot, api_as, clerk):
        client = api_as(clerk)
        new_lot = {
            "ammunition_type": site["ball"],
            "manufacturer": "Arsenal 10",
            "lot_number": "ak-21-0458",
            "manufactured_on": "2021-06-01",
        }
        receipt = receive(client, site, new_lot, 500)
        has(receipt, DOCUMENT)
        assert (receipt["kind"], receipt["status"]) == ("receipt", "posted")
        stock = call(client, "get", f"stock/?lot={lot}")
        has(stock, "results, next, previous")
        assert "count" not in stock
        (row,) = stock["results"]
        has(row, "lot, storehouse, depot, quantity, neq_kg, condition")
        assert (row["quantity"], row["neq_kg"], row["condition"]) == (1000, "1.600", "A")
        lots = call(client, "get", "lots/?lot_number=0458")
        assert [found["lot_number"] for found in lots["results"]] == ["ak-21-0458"]
        for query in (
            f"depot={row['depot']}",
            f"storehouse={site['sh_a']}",
            f"ammunition_type={site['ball']}",
            "condition=A",
        ):
            found = call(client, "get", f"stock/?{query}")["results"]
            assert {r["lot"] for r in found} == {lot, lots["results"][0]["id"]}, query

    def test_an_inspector_records_a_lot_with_every_field_of_design(self, site, api_as, inspector):
        made = call(
            api_as(inspector),
            "post",
            "lots/",
            {
                "ammunition_type": site["ball"],
                "lot_number": "AK-19-0001",
                "manufacturer": "Arsenal 10",
                "manufactured_on": "2019-03-01",
                "expires_on": "2030-03-01",
                "condition": "B",
            },
            expect=201,
        )
        assert (made["expires_on"], made["condition"]) == ("2030-03-01", "B")

    def test_issue_return_and_move(self, site, lot, api_as, clerk, admin_user, depot_a):
        client = api_as(clerk)
        issue = call(
            client,
            "post",
            "issues/",
            {
                "reference": "IV-1",
                "occurred_on": today().isoformat(),
                "recipient": site["id"],
                "purpose": "exercise",
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 100}],
            },
            expect=201,
        )
        has(issue, DOCUMENT)
        assert issue["lines"][0]["quantity"] == -100
        # Returns await classification in condition K, stored apart (DESIGN.md §4 rule 2, §6):
        # ESH-A becomes a quarantine store for them.
        call(
            api_as(admin_user),
            "post",
            "waivers/",
            {
                "storehouse": site["sh_a"],
                "rule": "isolation",
                "reason": "Returns bay",
                "authority_reference": "NTA-1",
                "expires_on": (today() + timedelta(days=30)).isoformat(),
            },
            expect=201,
        )
        returned = call(
            client,
            "post",
            "returns/",
            {
                "recipient": site["id"],
                "issue": issue["id"],
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 30}],
            },
            expect=201,
        )
        assert (returned["kind"], returned["occurred_on"]) == ("return", today().isoformat())
        [line] = returned["lines"]
        assert (line["lot_number"], line["quantity"]) == ("AK-21-0457-R1", 30)
        assert line["lot"] != lot
        second = call(
            api_as(admin_user),
            "post",
            "storehouses/",
            {"depot": depot_a.pk, "code": "ESH-A2", "name": "Second"},
            expect=201,
        )
        call(
            api_as(admin_user),
            "post",
            "licences/",
            {
                "storehouse": second["id"],
                "number": "EL-A2",
                "valid_from": today().isoformat(),
                "valid_until": (today() + timedelta(days=30)).isoformat(),
                "limits": {"1.4": None},
            },
            expect=201,
        )
        move = call(
            client,
            "post",
            "moves/",
            {
                "lines": [
                    {
                        "lot": lot,
                        "from_storehouse": site["sh_a"],
                        "to_storehouse": second["id"],
                        "quantity": 30,
                    }
                ]
            },
            expect=201,
        )
        assert (move["kind"], move["occurred_on"]) == ("internal_move", today().isoformat())
        assert Balance.objects.get(lot_id=lot, storehouse_id=second["id"]).quantity == 30

    def test_transfer_and_receive(self, site, lot, api_as, clerk, clerk_b, depot_b):
        sent = call(
            api_as(clerk),
            "post",
            "transfers/",
            {
                "reference": "TR-1",
                "occurred_on": today().isoformat(),
                "destination_depot": depot_b.pk,
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 40}],
            },
            expect=201,
        )
        has(sent, DOCUMENT)
        assert sent["status"] == "in_transit"
        received = call(
            api_as(clerk_b),
            "post",
            f"transfers/{sent['id']}/receive/",
            {"lines": [{"lot": lot, "storehouse": site["sh_b"], "quantity": 40}]},
            expect=201,
        )
        has(received, DOCUMENT + ", transfer, transfer_status")
        assert received["status"] == received["transfer_status"] == "received"
        assert received["kind"] == "transfer_receipt"
        assert received["transfer"] == sent["id"]
        assert received["occurred_on"] == today().isoformat()
        assert received["lines"][0]["quantity"] == 40
        assert call(api_as(clerk), "get", f"transfers/{sent['id']}/")["status"] == "received"
        assert call(api_as(clerk_b), "get", f"documents/{received['id']}/")["status"] == "posted"

    def test_a_replayed_receive_answers_the_same(self, site, lot, api_as, clerk, clerk_b, depot_b):
        sent = call(
            api_as(clerk),
            "post",
            "transfers/",
            {
                "reference": "TR-4",
                "occurred_on": today().isoformat(),
                "destination_depot": depot_b.pk,
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 40}],
            },
            expect=201,
        )
        client = api_as(clerk_b)
        body = {"lines": [{"lot": lot, "storehouse": site["sh_b"], "quantity": 39}]}
        url = f"{API}transfers/{sent['id']}/receive/"
        first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="receive-tr-4")
        before = ledger_state()
        again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="receive-tr-4")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again.json()["transfer_status"] == "received_with_discrepancy"
        assert ledger_state() == before

    def test_a_short_receipt_answers_received_with_discrepancy(
        self, site, lot, api_as, clerk, clerk_b, depot_b
    ):
        sent = call(
            api_as(clerk),
            "post",
            "transfers/",
            {
                "reference": "TR-2",
                "occurred_on": today().isoformat(),
                "destination_depot": depot_b.pk,
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 40}],
            },
            expect=201,
        )
        received = call(
            api_as(clerk_b),
            "post",
            f"transfers/{sent['id']}/receive/",
            {"lines": [{"lot": lot, "storehouse": site["sh_b"], "quantity": 38}]},
            expect=201,
        )
        assert received["status"] == received["transfer_status"] == "received_with_discrepancy"
        surveillance_sweep()  # the daily job raises the alert
        alerts = call(
            api_as(clerk_b),
            "get",
            f"alerts/?kind=transit_discrepancy&severity=critical&depot={depot_b.pk}&resolved=false",
        )
        (alert,) = alerts["results"]
        has(alert, "id, kind, severity, depot, resolved_at")
        # Acknowledging a loss closes it: the depot's inspector does, not its clerk (issue 15).
        call(api_as(clerk_b), "post", f"alerts/{alert['id']}/acknowledge/", expect=403)
        inspector_b = UserFactory(roles=[Role.INSPECTOR], depots=[depot_b])
        acknowledged = call(api_as(inspector_b), "post", f"alerts/{alert['id']}/acknowledge/")
        assert acknowledged["acknowledged_by"] == inspector_b.username

    def test_a_receive_dated_in_the_future_is_400_and_writes_nothing(
        self, site, lot, api_as, clerk, clerk_b, depot_b
    ):
        sent = call(
            api_as(clerk),
            "post",
            "transfers/",
            {
                "reference": "TR-3",
                "occurred_on": today().isoformat(),
                "destination_depot": depot_b.pk,
                "lines": [{"lot": lot, "storehouse": site["sh_b"] and site["sh_a"], "quantity": 5}],
            },
            expect=201,
        )
        before = ledger_state()
        answer = call(
            api_as(clerk_b),
            "post",
            f"transfers/{sent['id']}/receive/",
            {
                "occurred_on": (today() + timedelta(days=1)).isoformat(),
                "lines": [{"lot": lot, "storehouse": site["sh_b"], "quantity": 5}],
            },
            expect=400,
        )
        assert "occurred_on" in answer
        assert ledger_state() == before
        assert Document.objects.get(pk=sent["id"]).status == "in_transit"

    def test_adjustment_approval_reversal_and_stock_card(self, site, lot, api_as, clerk, inspector):
        client = api_as(clerk)
        proposed = call(
            client,
            "post",
            "adjustments/",
            {
                "reason": "found",
                "note": "one box behind the stack",
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 20}],
            },
            expect=201,
        )
        assert proposed["status"] == "pending_approval"
        assert proposed["occurred_on"] == today().isoformat()
        approved = call(api_as(inspector), "post", f"adjustments/{proposed['id']}/approve/")
        assert approved["status"] == "posted"
        rejected = call(
            client,
            "post",
            "adjustments/",
            {
                "reason": "lost",
                "note": "count again",
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": -5}],
            },
            expect=201,
        )
        answer = call(api_as(inspector), "post", f"adjustments/{rejected['id']}/reject/")
        assert answer["status"] == "rejected"
        # Reversing a gain takes stock off the books: 202, a proposal for a second person.
        proposal = call(
            client, "post", f"documents/{approved['id']}/reverse/", {"reason": "miscount"}, 202
        )
        has(proposal, "id, document, status, reason, proposed_by, decided_by, reversal")
        assert (proposal["status"], proposal["reversal"]) == ("pending_approval", None)
        assert call(client, "get", f"documents/{approved['id']}/")["reversed_by"] is None
        call(client, "post", f"reversal-proposals/{proposal['id']}/approve/", expect=403)
        decided = call(api_as(inspector), "post", f"reversal-proposals/{proposal['id']}/approve/")
        assert decided["status"] == "approved"
        reversal = call(client, "get", f"documents/{decided['reversal']}/")
        assert (reversal["kind"], reversal["reverses"]) == ("reversal", approved["id"])
        assert (reversal["posted_by"], reversal["approved_by"]) == (
            clerk.username,
            inspector.username,
        )
        again = call(
            client, "post", f"documents/{approved['id']}/reverse/", {"reason": "again"}, 409
        )
        assert again["code"] == "already_reversed"
        has(again, "code, detail")
        document = call(client, "get", f"documents/{approved['id']}/")
        has(document, DOCUMENT)
        assert document["reversed_by"] == reversal["id"]
        documents = call(client, "get", "documents/")
        has(documents, "results, next, previous")
        card = call(client, "get", f"lots/{lot}/stock-card/")
        has(card, "results, next, previous")
        assert [line["running_balance"] for line in card["results"]] == [1000, 1020, 1000]

    def test_an_adjustment_dated_in_the_future_is_400_and_writes_nothing(
        self, site, lot, api_as, clerk
    ):
        before = ledger_state()
        answer = call(
            api_as(clerk),
            "post",
            "adjustments/",
            {
                "reason": "found",
                "note": "",
                "occurred_on": (today() + timedelta(days=1)).isoformat(),
                "lines": [{"lot": lot, "storehouse": site["sh_a"], "quantity": 1}],
            },
            expect=400,
        )
        assert "occurred_on" in answer
        assert ledger_state() == before

    def test_split(self, site, lot, api_as, inspector):
        child = call(
            api_as(inspector),
            "post",
            f"lots/{lot}/split/",
            {
                "quantity": [{"storehouse": site["sh_a"], "quantity": 10}],
                "suffix": "C",
                "condition": "C",
            },
            expect=201,
        )
        has(child, "id, lot_number, condition")
        assert child["condition"] == "C"
        assert Document.objects.get(kind="lot_split").occurred_on == today()

    def test_waiver(self, site, api_as, inspector):
        waiver = call(
            api_as(inspector),
            "post",
            "waivers/",
            {
                "storehouse": site["sh_a"],
                "rule": "n2",
                "reason": "traverse",
                "authority_reference": "NEI 2026/031",
                "expires_on": (today() + timedelta(days=90)).isoformat(),
            },
            expect=201,
        )
        has(waiver, "id, storehouse, rule, reason, authority_reference, expires_on")


def stability_body(lot, **more):
    """Exactly the fields of §11 for a content method."""
    return {
        "lot": lot,
        "sampled_on": (today() - timedelta(days=2)).isoformat(),
        "laboratory": "National Propellant Laboratory",
        "method": "hplc",
        "stabiliser": "diphenylamine",
        "initial_content_pct": "1.200",
        "measured_content_pct": "0.900",
        **more,
    }


@pytest.fixture
def inspector_ab(depot_a, depot_b):
    return UserFactory(username="inspector_ab", roles=[Role.INSPECTOR], depots=[depot_a, depot_b])


class TestSurveillance:
    def test_inspection(self, site, lot, api_as, inspector):
        inspection = call(
            api_as(inspector),
            "post",
            "inspections/",
            {
                "lot": lot,
                "kind": "periodic",
                "inspected_on": today().isoformat(),
                "sample_size": 12,
                "findings": "Light rust on 2 of 12 boxes",
                "condition": "A",
            },
            expect=201,
        )
        has(inspection, "id, lot, kind, inspected_on, sample_size, findings, condition, depot")
        listed = call(api_as(inspector), "get", f"inspections/?lot={lot}")
        assert [row["id"] for row in listed["results"]] == [inspection["id"]]

    def test_stability_tests_without_depot(self, site, lot, api_as, inspector):
        client = api_as(inspector)
        test = call(client, "post", "stability-tests/", stability_body(lot), expect=201)
        has(
            test,
            "id, lot, sampled_on, laboratory, method, stabiliser, initial_content_pct, "
            "measured_content_pct, category, action, next_test_due, depot",
        )
        assert (test["category"], test["remaining_pct"]) == ("stable", "75.00")
        passed = {
            "lot": lot,
            "sampled_on": today().isoformat(),
            "laboratory": "National Propellant Laboratory",
            "method": "heat_flow_calorimetry",
            "passed": True,
        }
        test = call(client, "post", "stability-tests/", passed, expect=201)
        assert test["category"] == "stable"

    def test_the_depot_is_the_one_of_your_depots_holding_the_lot(
        self, site, lot, api_as, inspector_ab, national_inspector, depot_a
    ):
        for user in (inspector_ab, national_inspector):
            test = call(api_as(user), "post", "stability-tests/", stability_body(lot), 201)
            assert test["depot"] == depot_a.pk

    def test_a_lot_held_in_several_of_your_depots_needs_the_depot(
        self, site, lot, api_as, clerk_b, inspector_ab, national_inspector, depot_b
    ):
        receive(api_as(clerk_b), site, lot, 10, storehouse=site["sh_b"])
        before = (StabilityTest.objects.count(), ledger_state())
        for user in (inspector_ab, national_inspector):
            answer = call(api_as(user), "post", "stability-tests/", stability_body(lot), 400)
            assert list(answer) == ["depot"]
            assert "AK-21-0457" in answer["depot"][0]
            assert "several" in answer["depot"][0]
            assert (StabilityTest.objects.count(), ledger_state()) == before
        named = call(
            api_as(inspector_ab),
            "post",
            "stability-tests/",
            stability_body(lot, depot=depot_b.pk),
            expect=201,
        )
        assert named["depot"] == depot_b.pk

    def test_an_unstable_result_without_depot_condemns_the_lot(self, site, lot, api_as, inspector):
        test = call(
            api_as(inspector),
            "post",
            "stability-tests/",
            stability_body(lot, measured_content_pct="0.100"),
            expect=201,
        )
        assert (test["category"], test["resulting_condition"]) == ("unstable", "H")
        assert Lot.objects.get(pk=lot).condition_id == "H"

    def test_condition_change_and_ban(self, site, lot, api_as, inspector):
        client = api_as(inspector)
        changed = call(
            client,
            "post",
            "condition-changes/",
            {
                "lot": lot,
                "condition": "C",
                "reason": "Corrosion found",
                "authority_reference": "ATO 2026/7",
            },
            expect=201,
        )
        has(changed, "lot, condition")
        assert changed["condition"] == "C"
        ban = call(
            client,
            "post",
            "bans/",
            {"lot": lot, "kind": "ban", "reason": "Misfires reported", "reference": "NB-1"},
            expect=201,
        )
        has(ban, "id, lot, kind, reason, reference")
        lifted = call(client, "post", f"bans/{ban['id']}/lift/", {"reason": "Cleared"})
        assert lifted["is_active"] is False

    def test_a_condition_change_of_a_lot_in_several_of_your_depots_needs_no_depot(
        self, site, lot, api_as, clerk_b, inspector_ab, national_inspector
    ):
        """A condition change is posted in every depot holding the lot, so leaving out the
        depot is never ambiguous."""
        receive(api_as(clerk_b), site, lot, 10, storehouse=site["sh_b"])
        for user, condition in ((national_inspector, "C"), (inspector_ab, "D")):
            changed = call(
                api_as(user),
                "post",
                "condition-changes/",
                {
                    "lot": lot,
                    "condition": condition,
                    "reason": "Found in survey",
                    "authority_reference": "ATO 2026/8",
                },
                expect=201,
            )
            assert [d["depot_code"] for d in changed["documents"]] == ["DA", "DB"]
        assert Lot.objects.get(pk=lot).condition_id == "D"

    def test_job_runs(self, reference_policy, api_as, auditor, clerk):
        has(call(api_as(auditor), "get", "job-runs/"), "results, next, previous")
        call(api_as(clerk), "get", "job-runs/", expect=403)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class TestReportsAuditSurplusDiversion:
    @pytest.mark.parametrize("role", ["clerk", "auditor"])
    def test_stock_card_report_by_lot(self, site, lot, media, api_as, clerk, auditor, role):
        client = api_as({"clerk": clerk, "auditor": auditor}[role])
        report = call(
            client, "post", "reports/", {"kind": "stock_card", "parameters": {"lot": lot}}, 202
        )
        has(report, "id, number, status")
        detail = call(client, "get", f"reports/{report['id']}/")
        has(detail, "status, progress, digest")
        assert (detail["status"], detail["progress"]) == ("done", 100)
        download = client.get(f"{API}reports/{report['id']}/download/")
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        verified = call(client, "post", "reports/verify/", {"number": report["number"]})
        has(verified, "number, matches, detail")
        assert verified["matches"] is True

    def test_a_stock_card_of_a_lot_in_several_of_your_depots_needs_the_depot(
        self, site, lot, media, api_as, clerk_b, inspector_ab, depot_b
    ):
        receive(api_as(clerk_b), site, lot, 10, storehouse=site["sh_b"])
        answer = call(
            api_as(inspector_ab),
            "post",
            "reports/",
            {"kind": "stock_card", "parameters": {"lot": lot}},
            expect=400,
        )
        assert list(answer) == ["parameters"]
        assert "several of your depots" in answer["parameters"]["depot"][0]
        assert not ReportRun.objects.exists()
        named = call(
            api_as(inspector_ab),
            "post",
            "reports/",
            {"kind": "stock_card", "parameters": {"lot": lot, "depot": depot_b.pk}},
            expect=202,
        )
        assert named["depot"] == depot_b.pk

    def test_accounting_statement(self, site, lot, media, api_as, auditor, depot_a):
        parameters = {
            "depot": depot_a.pk,
            "period_start": (today() - timedelta(days=7)).isoformat(),
            "period_end": today().isoformat(),
        }
        report = call(
            api_as(auditor),
            "post",
            "reports/",
            {"kind": "accounting_statement", "parameters": parameters},
            expect=202,
        )
        has(report, "id, number, status")

    def test_ledger_verification_and_audit_log(self, site, lot, api_as, auditor):
        client = api_as(auditor)
        verification = call(client, "post", "ledger-verification/")
        has(verification, "ok, lines_checked, first_broken")
        assert (verification["ok"], verification["first_broken"]) == (True, None)
        has(call(client, "get", "audit-log/"), "results, next, previous")

    def test_stock_checks_and_incidents(self, site, lot, api_as, clerk):
        client = api_as(clerk)
        has(call(client, "get", "stock-checks/"), "results, next, previous")
        has(call(client, "get", "incidents/"), "results, next, previous")

    def test_requirements_and_surplus(self, site, lot, api_as, officer):
        client = api_as(officer)
        requirement = call(
            client,
            "post",
            "requirements/",
            {
                "ammunition_type": site["ball"],
                "effective_from": today().isoformat(),
                "operational": 100,
                "training_per_year": 50,
                "training_years": 2,
                "testing": 10,
                "contingency": 20,
                "approval_reference": "MoD 2026/4",
            },
            expect=201,
        )
        assert requirement["total"] == 230
        rows = call(client, "get", f"surplus/?ammunition_type={site['ball']}")["results"]
        (row,) = rows
        has(
            row,
            "ammunition_type, requirement, serviceable, unserviceable, expiring_before_use, "
            "obsolete_or_banned, usable, surplus, surplus_neq_kg",
        )
        assert (row["requirement"], row["serviceable"], row["surplus"]) == (230, 1000, 770)
        by_region = call(client, "get", f"surplus/?region=North&ammunition_type={site['ball']}")
        assert [r["serviceable"] for r in by_region["results"]] == [1000]
        snapshot = call(client, "post", "surplus-snapshots/", {}, expect=202)
        has(snapshot, "id, status")
        has(call(client, "get", "disposal-plans/"), "results, next, previous")

    def test_trace(self, site, lot, api_as, officer):
        answer = call(api_as(officer), "get", "trace/?lot_number=ak-21")
        (traced,) = answer["lots"]
        has(traced, "id, lot_number, ammunition_type, balances, events")
        (event,) = traced["events"]
        has(event, "document, kind, occurred_on, depot, storehouse, quantity, party")
        for resource in ("parties/", "tracing-requests/", "transfer-cases/", "risk-assessments/"):
            has(call(api_as(officer), "get", resource), "results, next, previous")

    def test_token(self, reference_policy, api_client, clerk):
        answer = api_client.post(
            f"{API}auth/token/", {"username": clerk.username, "password": PASSWORD}, format="json"
        )
        assert answer.status_code in (200, 201)
        token = answer.json()["token"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api_client.get(f"{API}depots/").status_code == 200
