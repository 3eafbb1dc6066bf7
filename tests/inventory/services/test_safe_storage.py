"""Issue 14, part A, through the services: note n1 strict (`assembles_to`), isolation per
condition code, who may split a lot into which condition and reverse the split. Each refusal
writes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alerts.models import Alert, AlertKind
from alerts.sweep import surveillance_sweep
from inventory.errors import LotBanned, StorageIncompatible, SuspectIsolation
from inventory.models import Balance, Document, LedgerLine, Lot, Storehouse, Waiver
from inventory.services.posting import (
    MoveLine,
    Movement,
    issue_post,
    lot_split,
    move_post,
)
from inventory.services.reference import (
    ammunition_type_assembles_to_set,
    ammunition_type_create,
)
from inventory.services.reversals import document_reverse
from surveillance.services import ban_impose, condition_change_post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def snapshot():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


def qty(lot, storehouse):
    row = Balance.objects.filter(lot=lot, storehouse=storehouse).first()
    return row.quantity if row else 0


def open_alerts(kind):
    return list(Alert.objects.filter(kind=kind, resolved_at__isnull=True).order_by("id"))


# 1. Note n1 is strict


class TestAssemblesTo:
    def test_detonators_beside_bulk_explosive_are_refused_when_no_host_is_recorded(
        self, world, clerk
    ):
        """The incident: 1.1B electric detonators received into a store holding 1.1D TNT."""
        world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 100)
        before = snapshot()
        with pytest.raises(StorageIncompatible) as refused:
            world.stock(clerk, world.lot(world.detonator, "DET-1"), world.sh1, 50)
        assert refused.value.extra == {
            "rule": "compatibility",
            "storehouse": "SH1",
            "lots": ["DET-1", "TNT-1"],
        }
        assert "note n1" in refused.value.message
        assert snapshot()[:2] == before[:2]
        assert snapshot()[3] == before[3]

    def test_fuzes_share_with_their_recorded_host_types_only(self, world, clerk, admin_user):
        ammunition_type_assembles_to_set(
            ammunition_type=world.detonator, hosts=[world.tnt], changed_by=admin_user
        )
        world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 100)
        detonators = world.lot(world.detonator, "DET-1")
        world.stock(clerk, detonators, world.sh1, 50)
        assert qty(detonators, world.sh1) == 50
        # Another D type that the detonators are not fitted to may not join them.
        other = ammunition_type_create(
            code="PETN-SHEET",
            name="PETN sheet",
            category="demolition",
            hazard_division="1.1",
            compatibility_group="D",
            neq_per_unit_kg="1",
            created_by=admin_user,
        )
        with pytest.raises(StorageIncompatible):
            world.stock(clerk, world.lot(other, "PETN-1"), world.sh1, 1)
        assert qty(detonators, world.sh1) == 50

    def test_a_move_beside_a_non_host_is_refused_too(self, world, clerk):
        from tests.inventory.ledger_world import licence

        world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 10)
        store = Storehouse.objects.create(
            depot=world.depot_a, code="SH5", name="Detonator store", kind="container"
        )
        licence(store, {"1.1": "100"})
        detonators = world.lot(world.detonator, "DET-1")
        world.stock(clerk, detonators, store, 5)
        before = snapshot()
        with pytest.raises(StorageIncompatible):
            move_post(
                depot=world.depot_a,
                lines=[MoveLine(detonators.pk, store.pk, world.sh1.pk, 5)],
                occurred_on=TODAY(),
                posted_by=clerk,
            )
        assert snapshot() == before

    def test_only_b_types_assemble_and_only_admins_record_it(
        self, world, clerk, inspector, admin_user
    ):
        with pytest.raises(ValidationError) as bad:
            ammunition_type_assembles_to_set(
                ammunition_type=world.tnt, hosts=[world.detonator], changed_by=admin_user
            )
        assert "assembles_to" in bad.value.message_dict
        with pytest.raises(PermissionDenied):
            ammunition_type_assembles_to_set(
                ammunition_type=world.detonator, hosts=[world.tnt], changed_by=inspector
            )
        assert list(world.detonator.assembles_to.all()) == []

    def test_the_relation_keeps_history(self, world, admin_user):
        ammunition_type_assembles_to_set(
            ammunition_type=world.detonator, hosts=[world.tnt], changed_by=admin_user
        )
        ammunition_type_assembles_to_set(
            ammunition_type=world.detonator, hosts=[], changed_by=admin_user
        )
        from django.apps import apps

        rows = apps.get_model("inventory", "HistoricalAmmunitionType_assembles_to").objects
        recorded = [
            list(rows.filter(history=h).values_list("to_ammunitiontype_id", flat=True))
            for h in world.detonator.history.order_by("history_id")
        ]
        assert [world.tnt.pk] in recorded
        assert recorded[-1] == []
        assert world.detonator.history.order_by("-history_id").first().history_user == admin_user


# 4. Isolation per condition code


class TestIsolationPerCode:
    @pytest.mark.parametrize("condition", ["J", "L", "N", "D", "F", "G"])
    def test_administrative_and_safe_codes_share_a_storehouse(self, world, clerk, condition):
        world.stock(clerk, world.lot(world.ball, "GOOD"), world.sh2, 10)
        other = world.lot(world.ball, "OTHER", condition=condition)
        world.stock(clerk, other, world.sh2, 10)
        assert qty(other, world.sh2) == 10

    @pytest.mark.parametrize("condition", ["E", "H", "K", "P", "Q", "R", "S"])
    def test_isolating_codes_are_stored_apart_from_any_lot(self, world, clerk, condition):
        suspect = world.lot(world.ball, "BAD", condition=condition)
        world.stock(clerk, suspect, world.sh2, 10)  # alone: allowed
        before = snapshot()
        with pytest.raises(SuspectIsolation) as refused:
            world.stock(clerk, world.lot(world.ball, "GOOD"), world.sh2, 10)
        assert refused.value.extra["rule"] == "isolation"
        assert refused.value.extra["lots"] == ["BAD", "GOOD"]
        assert f"condition {condition}" in refused.value.message
        assert snapshot()[:2] == before[:2]
        assert snapshot()[3] == before[3]

    def test_condemned_lots_of_different_types_do_not_share_unless_quarantine(
        self, world, clerk, inspector
    ):
        world.stock(clerk, world.lot(world.ball, "H-1", condition="H"), world.sh1, 10)
        condemned_tnt = world.lot(world.tnt, "H-2", condition="H")
        with pytest.raises(SuspectIsolation):
            world.stock(clerk, condemned_tnt, world.sh1, 10)
        Waiver.objects.create(
            storehouse=world.sh1,
            rule="isolation",
            reason="Designated quarantine store",
            authority_reference="QS-1",
            expires_on=TODAY() + timedelta(days=30),
            recorded_by=inspector,
        )
        world.stock(clerk, condemned_tnt, world.sh1, 10)
        assert qty(condemned_tnt, world.sh1) == 10

    def test_a_condition_change_that_mixes_raises_the_alert_at_once(self, world, clerk, inspector):
        good = world.lot(world.ball, "GOOD")
        bad = world.lot(world.ball, "BAD")
        world.stock(clerk, good, world.sh2, 10)
        world.stock(clerk, bad, world.sh2, 10)
        condition_change_post(
            lot=bad, condition="H", reason="Corroded", depot=world.depot_a, posted_by=inspector
        )
        bad.refresh_from_db()
        assert bad.condition_id == "H"  # recorded, never refused
        [alert] = open_alerts(AlertKind.SUSPECT_MIXED)
        assert (alert.storehouse_id, alert.severity) == (world.sh2.pk, "critical")
        assert "Move lot BAD" in alert.message
        # While it is open, receipts into the storehouse are refused.
        with pytest.raises(SuspectIsolation):
            world.stock(clerk, good, world.sh2, 1)
        # Moved apart: the daily sweep resolves it.
        move_post(
            depot=world.depot_a,
            lines=[MoveLine(bad.pk, world.sh2.pk, world.sh1.pk, 10)],
            occurred_on=TODAY(),
            posted_by=clerk,
        )
        surveillance_sweep()
        assert open_alerts(AlertKind.SUSPECT_MIXED) == []

    def test_a_change_to_an_administrative_code_raises_nothing(self, world, clerk, inspector):
        good = world.lot(world.ball, "GOOD")
        other = world.lot(world.ball, "OTHER")
        world.stock(clerk, good, world.sh2, 10)
        world.stock(clerk, other, world.sh2, 10)
        condition_change_post(
            lot=other, condition="L", reason="Litigation", depot=world.depot_a, posted_by=inspector
        )
        assert open_alerts(AlertKind.SUSPECT_MIXED) == []


# 2. Splits never improve a condition without the right to record surveillance


def split(lot, storehouse, quantity, condition, user, suffix="/1"):
    return lot_split(
        lot=lot,
        quantities={storehouse.pk: quantity},
        suffix=suffix,
        condition=condition,
        occurred_on=TODAY(),
        posted_by=user,
    )


class TestSplitRights:
    def test_a_clerk_cannot_split_a_condemned_lot_into_a_serviceable_child(self, world, clerk):
        """The incident: a condemned (H) lot split into an A child and issued."""
        condemned = world.lot(world.ball, "H-LOT", condition="H")
        world.stock(clerk, condemned, world.sh2, 100)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            split(condemned, world.sh2, 40, "A", clerk)
        assert snapshot() == before
        assert not Lot.objects.filter(lot_number="H-LOT/1").exists()

    @pytest.mark.parametrize(
        ("parent", "child", "allowed"),
        [("A", "A", True), ("A", "B", True), ("A", "J", True), ("A", "H", True),
         ("B", "J", True), ("J", "H", True),
         ("A", "C", False), ("J", "K", False), ("J", "B", False), ("H", "E", False)],
    )  # fmt: skip
    def test_a_clerk_splits_into_the_same_condition_or_a_worse_availability(
        self, world, clerk, parent, child, allowed
    ):
        lot = world.lot(world.ball, "L", condition=parent)
        world.stock(clerk, lot, world.sh2, 10)
        if allowed:
            child_lot = split(lot, world.sh2, 4, child, clerk)
            assert (child_lot.condition_id, qty(child_lot, world.sh2)) == (child, 4)
        else:
            with pytest.raises(PermissionDenied):
                split(lot, world.sh2, 4, child, clerk)

    def test_an_inspector_may_improve_by_split_unless_a_ban_binds_the_lot(
        self, world, clerk, inspector
    ):
        condemned = world.lot(world.ball, "H-LOT", condition="H")
        world.stock(clerk, condemned, world.sh2, 100)
        child = split(condemned, world.sh2, 10, "A", inspector)
        assert child.condition_id == "A"
        ban_impose(
            kind="ban", reason="Recall", reference="R-1", imposed_by=inspector, lot=condemned
        )
        before = snapshot()
        with pytest.raises(LotBanned):
            split(condemned, world.sh2, 10, "A", inspector, suffix="/2")
        assert snapshot() == before

    def test_a_child_records_its_ancestry(self, world, clerk):
        lot = world.lot(world.ball, "ROOT")
        world.stock(clerk, lot, world.sh2, 100)
        child = split(lot, world.sh2, 50, "A", clerk)
        grandchild = split(child, world.sh2, 10, "B", clerk)
        assert (child.ancestry, grandchild.ancestry) == ([lot.pk], [child.pk, lot.pk])

    def test_a_condemnation_split_beside_other_lots_raises_the_alert_at_once(
        self, world, clerk, inspector
    ):
        lot = world.lot(world.ball, "ROOT")
        world.stock(clerk, lot, world.sh2, 100)
        split(lot, world.sh2, 10, "H", inspector)
        [alert] = open_alerts(AlertKind.SUSPECT_MIXED)
        assert alert.details["suspect_lots"] == ["ROOT/1"]


class TestSplitReversal:
    def test_a_clerk_cannot_reverse_an_inspectors_condemnation_split(self, world, clerk, inspector):
        lot = world.lot(world.ball, "ROOT")
        world.stock(clerk, lot, world.sh2, 100)
        child = split(lot, world.sh2, 10, "H", inspector)
        document = Document.objects.get(kind="lot_split")
        before = snapshot()
        with pytest.raises(PermissionDenied):
            document_reverse(document=document, reason="Mistake", posted_by=clerk)
        assert snapshot() == before
        reversal = document_reverse(document=document, reason="Mistake", posted_by=inspector)
        assert reversal.kind == "reversal"
        assert (qty(lot, world.sh2), qty(child, world.sh2)) == (100, 0)

    def test_a_clerk_reverses_a_split_that_worsens_nothing_when_undone(
        self, world, clerk, inspector
    ):
        lot = world.lot(world.ball, "ROOT")
        world.stock(clerk, lot, world.sh2, 100)
        split(lot, world.sh2, 10, "A", clerk)
        document = Document.objects.get(kind="lot_split")
        document_reverse(document=document, reason="Wrong boxes", posted_by=clerk)
        assert qty(lot, world.sh2) == 100

    def test_the_improved_child_of_a_banned_lot_is_not_merged_back_by_reversal(
        self, world, clerk, inspector
    ):
        lot = world.lot(world.ball, "ROOT")
        world.stock(clerk, lot, world.sh2, 100)
        child = split(lot, world.sh2, 10, "H", inspector)
        ban_impose(kind="ban", reason="Recall", reference="R-1", imposed_by=inspector, lot=child)
        document = Document.objects.get(kind="lot_split")
        with pytest.raises(LotBanned):
            document_reverse(document=document, reason="Mistake", posted_by=inspector)


def test_an_issued_child_of_a_condemned_lot_is_impossible_end_to_end(world, clerk):
    condemned = world.lot(world.ball, "H-LOT", condition="H")
    world.stock(clerk, condemned, world.sh2, 100)
    with pytest.raises(PermissionDenied):
        split(condemned, world.sh2, 40, "A", clerk)
    from inventory.errors import LotNotIssuable

    with pytest.raises(LotNotIssuable):
        issue_post(
            depot=world.depot_a,
            lines=[Movement(condemned.pk, world.sh2.pk, 40)],
            recipient=world.unit,
            occurred_on=TODAY(),
            posted_by=clerk,
        )
