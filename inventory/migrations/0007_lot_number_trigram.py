"""A trigram index for partial lot-number search (UPPER(lot_number) LIKE '%...%'): the trace,
tracing requests and the lot searches. pg_trgm ships with PostgreSQL (contrib); a server without
it stops this migration with a message naming the extension and its package (core.extensions)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations

from core.extensions import RequireExtension


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_line_balance_after"),
    ]

    operations = [
        RequireExtension("pg_trgm"),
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
