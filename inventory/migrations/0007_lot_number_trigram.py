"""A trigram index for partial lot-number search (UPPER(lot_number) LIKE '%...%'): the trace,
tracing requests and the lot searches. pg_trgm ships with PostgreSQL (contrib)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_line_balance_after"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name="lot",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("lot_number"), name="gin_trgm_ops"
                ),
                name="lot_number_trgm",
            ),
        ),
    ]
