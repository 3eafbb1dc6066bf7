"""Migration inventory 0008 (issue 14): stock that note n1 made strict now forbids (CG B beside
CG D with no `assembles_to`) does not stop the migration; the daily sweep reports it. Seed
condition codes get their `isolate` flag, and existing split lots their ancestry."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alerts.models import Alert, AlertKind
from alerts.sweep import run_detectors

BEFORE = [("inventory", "0007_lot_number_trigram"), ("surveillance", "0003_lot_due_view")]


@pytest.mark.django_db(transaction=True)
def test_existing_b_and_d_mix_migrates_and_is_reported_by_the_sweep(reference_policy):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Depot = old.get_model("inventory", "Depot")
    Storehouse = old.get_model("inventory", "Storehouse")
    AmmunitionType = old.get_model("inventory", "AmmunitionType")
    Lot = old.get_model("inventory", "Lot")
    Balance = old.get_model("inventory", "Balance")
    depot = Depot.objects.create(code="DM", name="Depot M", region="North")
    store = Storehouse.objects.create(depot=depot, code="ECM", name="ECM", kind="container")

    def kind(code, group):
        return AmmunitionType.objects.create(
            code=code,
            name=code,
            category="other",
            hazard_division="1.1",
            compatibility_group=group,
            neq_per_unit_kg=Decimal("0.1"),
        )

    lots = {}
    for number, ammunition_type, parent in (
        ("DET-1", kind("DET-8", "B"), None),
        ("TNT-1", kind("TNT-200", "D"), None),
    ):
        lots[number] = Lot.objects.create(
            ammunition_type=ammunition_type,
            manufacturer="M",
            lot_number=number,
            manufactured_on="2020-01-01",
            condition_id="A",
            parent=parent,
        )
        Balance.objects.create(lot=lots[number], storehouse=store, depot=depot, quantity=10)
    child = Lot.objects.create(
        ammunition_type_id=lots["TNT-1"].ammunition_type_id,
        manufacturer="M",
        lot_number="TNT-1/1",
        manufactured_on="2020-01-01",
        condition_id="A",
        parent=lots["TNT-1"],
    )
    grandchild = Lot.objects.create(
        ammunition_type_id=lots["TNT-1"].ammunition_type_id,
        manufacturer="M",
        lot_number="TNT-1/1/A",
        manufactured_on="2020-01-01",
        condition_id="A",
        parent=child,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from inventory.models import ConditionCode
    from inventory.models import Lot as CurrentLot

    assert sorted(ConditionCode.objects.filter(isolate=True).values_list("code", flat=True)) == [
        "E",
        "H",
        "K",
        "P",
        "Q",
        "R",
        "S",
    ]
    assert CurrentLot.objects.get(pk=grandchild.pk).ancestry == [child.pk, lots["TNT-1"].pk]
    run_detectors([AlertKind.STORAGE_INCOMPATIBLE])
    [alert] = Alert.objects.filter(kind=AlertKind.STORAGE_INCOMPATIBLE, resolved_at__isnull=True)
    assert alert.storehouse_id == store.pk
    assert alert.details["breaches"][0]["note"] == "n1"
