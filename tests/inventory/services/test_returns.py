"""Returns awaiting classification (DESIGN.md §6, issue 14): a return posts into a child lot of the
returned lot in condition K, stored apart (rule 2); an inspector classifies it and merges it back
into its parent through a posted document. The policy switch off keeps the old behaviour."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.services import ledger_verify
from inventory.errors import InvalidState, LotBanned, SuspectIsolation
from inventory.models import Balance, Document, LedgerLine, Lot, PolicySetting, Waiver
from inventory.models.ledger import DocumentKind
from inventory.models.reference import WaiverRule
from inventory.selectors.bans import bans_binding
from inventory.selectors.ledger import balance_drift
from inventory.services.posting import (
    Movement,
    issue_post,
    lot_merge,
    return_post,
)
from inventory.services.reversals import document_reverse
from surveillance.services import ban_impose, condition_change_post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def qty(lot, storehouse):
    row = Balance.objects.filter(lot=lot, storehouse=storehouse).first()
    return row.quantity if row else 0


def written():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


def quarantine(world, user, storehouse=None):
    return Waiver.objects.create(
        storehouse=storehouse or world.sh1,
        rule=WaiverRule.ISOLATION,
        reason="Quarantine store",
        authority_reference="NTA-Q1",
        expires_on=TODAY() + timedelta(days=90),
        recorded_by=user,
    )


@pytest.fixture
def issued(world, clerk):
    """BALL-1: 100 received into SH1, 60 issued to 1st Brigade (40 left in SH1)."""
    lot = world.lot(world.ball, "BALL-1")
    world.stock(clerk, lot, world.sh1, 100)
    issue = issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 60)],
        recipient=world.unit,
        occurred_on=TODAY(),
        posted_by=clerk,
        purpose="exercise",
    )
    return lot, issue


def give_back(world, clerk, lot, quantity, storehouse=None, issue=None):
    return return_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, (storehouse or world.sh1).pk, quantity)],
        recipient=world.unit,
        source_issue=issue,
        occurred_on=TODAY(),
        posted_by=clerk,
    )


class TestReturnIntoAChildLot:
    def test_a_return_is_a_child_in_k_with_the_ancestry_of_a_split(self, world, clerk, issued):
        lot, issue = issued
        quarantine(world, clerk)
        document = give_back(world, clerk, lot, 12, issue=issue)
        child = Lot.objects.get(parent=lot)
        assert (child.lot_number, child.condition_id) == ("BALL-1-R1", "K")
        assert child.ancestry == [lot.pk]
        assert (child.ammunition_type_id, child.manufacturer, child.expires_on) == (
            lot.ammunition_type_id,
            lot.manufacturer,
            lot.expires_on,
        )
        # The document names the child; the lot itself is untouched.
        assert (document.kind, document.source_issue_id) == (DocumentKind.RETURN, issue.pk)
        assert list(document.lines.values_list("lot_id", "quantity")) == [(child.pk, 12)]
        assert (qty(lot, world.sh1), qty(child, world.sh1)) == (40, 12)
        # A second return is a second child.
        give_back(world, clerk, lot, 3)
        second = Lot.objects.get(parent=lot, lot_number__iendswith="-R2")
        assert (second.condition_id, qty(second, world.sh1)) == ("K", 3)
        assert balance_drift() == []

    def test_the_child_inherits_the_parents_bans(self, world, clerk, inspector, issued):
        lot, _issue = issued
        ban = ban_impose(
            kind="ban", lot=lot, reason="Misfires", reference="TB-1", imposed_by=inspector
        )
        quarantine(world, clerk)
        give_back(world, clerk, lot, 5)
        child = Lot.objects.get(parent=lot)
        assert [b.pk for b in bans_binding([child.pk])[child.pk]] == [ban.pk]

    def test_refused_beside_other_stock_and_nothing_is_written(self, world, clerk, issued):
        lot, _issue = issued  # 40 of the lot still in SH1, which is no quarantine store
        before = written()
        with pytest.raises(SuspectIsolation) as refused:
            give_back(world, clerk, lot, 12)
        assert refused.value.extra["lots"] == ["BALL-1", "BALL-1-R1"]
        assert written() == before
        assert not Lot.objects.filter(parent=lot).exists()

    def test_an_empty_storehouse_takes_it_without_a_waiver(self, world, clerk, issued):
        lot, _issue = issued
        give_back(world, clerk, lot, 7, storehouse=world.sh2)
        child = Lot.objects.get(parent=lot)
        assert qty(child, world.sh2) == 7

    def test_switch_off_returns_into_the_lot_itself(self, world, clerk, issued):
        lot, issue = issued
        PolicySetting.objects.update_or_create(
            key="returns_await_classification", defaults={"value": False}
        )
        document = give_back(world, clerk, lot, 12, issue=issue)
        assert list(document.lines.values_list("lot_id", "quantity")) == [(lot.pk, 12)]
        assert qty(lot, world.sh1) == 52
        assert not Lot.objects.filter(parent=lot).exists()


@pytest.fixture
def returned(world, clerk, issued):
    """12 of BALL-1 returned into SH1, a quarantine store: child BALL-1-R1 in K."""
    lot, issue = issued
    quarantine(world, clerk)
    give_back(world, clerk, lot, 12, issue=issue)
    return lot, Lot.objects.get(parent=lot)


def classify(child, inspector, depot, condition="A"):
    condition_change_post(
        lot=child,
        condition=condition,
        reason="Inspected: seals intact.",
        depot=depot,
        posted_by=inspector,
    )
    child.refresh_from_db()
    return child


class TestMerge:
    def test_after_classification_the_stock_goes_back_into_the_parent(
        self, world, inspector, returned
    ):
        lot, child = returned
        classify(child, inspector, world.depot_a)
        document = lot_merge(lot=child, posted_by=inspector)
        assert (document.kind, document.reason, document.reference) == (
            DocumentKind.LOT_SPLIT,
            "merge",
            "BALL-1-R1",
        )
        assert sorted(document.lines.values_list("lot_id", "storehouse_id", "quantity")) == sorted(
            [(child.pk, world.sh1.pk, -12), (lot.pk, world.sh1.pk, 12)]
        )
        assert (qty(lot, world.sh1), qty(child, world.sh1)) == (52, 0)
        assert Lot.objects.filter(pk=child.pk).exists()  # nothing deleted
        assert balance_drift() == []
        verified = ledger_verify()
        assert verified.ok, verified.first_broken
        assert verified.lines_checked == LedgerLine.objects.count()
        # A second merge has nothing to move.
        with pytest.raises(InvalidState):
            lot_merge(lot=child, posted_by=inspector)

    def test_a_merge_is_reversed_as_a_split_is(self, world, inspector, returned):
        lot, child = returned
        classify(child, inspector, world.depot_a)
        document = lot_merge(lot=child, posted_by=inspector)
        document_reverse(document=document, reason="Merged too early", posted_by=inspector)
        assert (qty(lot, world.sh1), qty(child, world.sh1)) == (40, 12)
        assert balance_drift() == []

    def test_refused_for_a_clerk(self, world, clerk, inspector, returned):
        _lot, child = returned
        classify(child, inspector, world.depot_a)
        before = written()
        with pytest.raises(PermissionDenied):
            lot_merge(lot=child, posted_by=clerk)
        assert written() == before

    def test_refused_while_the_conditions_differ(self, world, inspector, returned):
        lot, child = returned
        before = written()
        with pytest.raises(InvalidState) as refused:
            lot_merge(lot=child, posted_by=inspector)  # still K
        assert refused.value.extra == {"lot": "BALL-1-R1", "parent": "BALL-1"}
        classify(child, inspector, world.depot_a, condition="B")
        with pytest.raises(InvalidState):
            lot_merge(lot=child, posted_by=inspector)
        assert written()[1:] == before[1:]  # only the condition change document was added
        assert (qty(lot, world.sh1), qty(child, world.sh1)) == (40, 12)

    def test_refused_for_a_lot_without_a_parent(self, world, inspector, returned):
        lot, _child = returned
        with pytest.raises(InvalidState):
            lot_merge(lot=lot, posted_by=inspector)

    def test_refused_while_a_ban_of_its_own_binds_the_child(self, world, inspector, returned):
        _lot, child = returned
        classify(child, inspector, world.depot_a)
        ban_impose(
            kind="ban", lot=child, reason="Returned wet", reference="TB-2", imposed_by=inspector
        )
        before = written()
        with pytest.raises(LotBanned):
            lot_merge(lot=child, posted_by=inspector)
        assert written() == before
