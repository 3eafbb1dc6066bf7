"""A database default for a lot's ancestry ('{}': a lot split from nothing), so rows written in
SQL (benchmarks, bulk loads) need not know the column; the ORM always writes it itself."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0009_blind_count"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE inventory_lot ALTER COLUMN ancestry SET DEFAULT '{}'",
            "ALTER TABLE inventory_lot ALTER COLUMN ancestry DROP DEFAULT",
        ),
    ]
