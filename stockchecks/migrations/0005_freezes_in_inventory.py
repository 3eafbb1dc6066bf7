"""The depot freeze is inventory's record now (inventory.DepotFreeze): record there the freeze of
each check that holds one, so postings stay refused in those depots after the upgrade."""

from django.db import migrations


def record_freezes(apps, schema_editor):
    StockCheck = apps.get_model("stockchecks", "StockCheck")
    DepotFreeze = apps.get_model("inventory", "DepotFreeze")
    DepotFreeze.objects.bulk_create(
        [
            DepotFreeze(
                depot_id=check.depot_id,
                reference=f"SC-{check.pk:05d}",
                frozen_at=check.started_at or check.planned_at,
            )
            for check in StockCheck.objects.filter(frozen=True)
        ],
        ignore_conflicts=True,
    )


def forget_freezes(apps, schema_editor):
    apps.get_model("inventory", "DepotFreeze").objects.filter(reference__startswith="SC-").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0013_incidents_bans_freezes"),
        ("stockchecks", "0004_incident_moves_to_inventory"),
    ]

    operations = [migrations.RunPython(record_freezes, forget_freezes)]
