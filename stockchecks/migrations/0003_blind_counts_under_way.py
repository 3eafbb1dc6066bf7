"""Checks already counting when blind counts came to inventory hide their storehouses' book too."""

from django.db import migrations
from django.utils import timezone


def hide_books_of_checks_counting(apps, schema_editor):
    StockCheck = apps.get_model("stockchecks", "StockCheck")
    Storehouse = apps.get_model("inventory", "Storehouse")
    BlindCount = apps.get_model("inventory", "BlindCount")
    rows = []
    for check in StockCheck.objects.filter(status="counting"):
        storehouses = (
            [check.storehouse_id]
            if check.storehouse_id
            else Storehouse.objects.filter(depot_id=check.depot_id).values_list("pk", flat=True)
        )
        rows += [
            BlindCount(
                storehouse_id=pk,
                depot_id=check.depot_id,
                reference=f"SC-{check.pk:05d}",
                started_at=check.started_at or timezone.now(),
            )
            for pk in storehouses
        ]
    BlindCount.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("stockchecks", "0002_two_person_trigger"),
        ("inventory", "0009_blind_count"),
    ]

    operations = [
        migrations.RunPython(hide_books_of_checks_counting, migrations.RunPython.noop),
    ]
