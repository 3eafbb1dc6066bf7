"""Issue 14: the `isolate` flag per condition code (rule 2), `assembles_to` on ammunition types
(note n1, strict) and each lot's `ancestry` (a split child inherits its ancestors' surveillance).

Data: the seed codes get their `isolate` flag from inventory/reference/condition_codes.csv (codes a
national authority added keep False until it says otherwise); every existing lot gets the chain
of lots it was split from. No `assembles_to` is invented: stock already holding CG B beside
D/E/F is not refused here (nothing is validated), it is reported by the daily sweep's
`storage_incompatible` alert until an administrator records the hosts or the stock is moved.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import simple_history.models
from django.db import migrations, models

_ANCESTRY = """
WITH RECURSIVE chain(lot_id, ancestor_id, depth) AS (
    SELECT id, parent_id, 1 FROM inventory_lot WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT chain.lot_id, lot.parent_id, chain.depth + 1
    FROM chain JOIN inventory_lot lot ON lot.id = chain.ancestor_id
    WHERE lot.parent_id IS NOT NULL
)
UPDATE inventory_lot SET ancestry = found.ancestry
FROM (SELECT lot_id, array_agg(ancestor_id ORDER BY depth) AS ancestry
      FROM chain GROUP BY lot_id) AS found
WHERE inventory_lot.id = found.lot_id
"""


def isolate_seed_codes(apps, schema_editor):
    from inventory.reference_data import read_rows

    ConditionCode = apps.get_model("inventory", "ConditionCode")
    isolating = [row["code"] for row in read_rows("condition_codes.csv") if row["isolate"] == "yes"]
    ConditionCode.objects.filter(code__in=isolating).update(isolate=True)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_lot_number_trigram"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalAmmunitionType_assembles_to",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "HistoricalAmmunitionType_assembles_to",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="ammunitiontype",
            name="assembles_to",
            field=models.ManyToManyField(
                blank=True,
                help_text="CG B items only: the ammunition types they are fitted to. They may share a storehouse with CG D, E or F stock only when every such lot is of one of these types.",
                related_name="assembled_from",
                to="inventory.ammunitiontype",
                verbose_name="assembles to",
            ),
        ),
        migrations.AddField(
            model_name="conditioncode",
            name="isolate",
            field=models.BooleanField(
                default=False,
                help_text="Lots in this condition may not share a storehouse with any other lot (DESIGN.md §4 rule 2) unless an isolation waiver designates the storehouse as a quarantine store.",
                verbose_name="stored apart",
            ),
        ),
        migrations.AddField(
            model_name="historicalconditioncode",
            name="isolate",
            field=models.BooleanField(
                default=False,
                help_text="Lots in this condition may not share a storehouse with any other lot (DESIGN.md §4 rule 2) unless an isolation waiver designates the storehouse as a quarantine store.",
                verbose_name="stored apart",
            ),
        ),
        migrations.AddField(
            model_name="lot",
            name="ancestry",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(),
                blank=True,
                default=list,
                editable=False,
                size=None,
            ),
        ),
        migrations.AlterField(
            model_name="historicalwaiver",
            name="rule",
            field=models.CharField(
                choices=[
                    ("n2", "compatibility note n2: effective segregation"),
                    ("n4", "compatibility note n4: national authority decision on CG G"),
                    (
                        "isolation",
                        "stock to be stored apart shares the storehouse (quarantine store)",
                    ),
                ],
                max_length=12,
                verbose_name="rule",
            ),
        ),
        migrations.AlterField(
            model_name="waiver",
            name="rule",
            field=models.CharField(
                choices=[
                    ("n2", "compatibility note n2: effective segregation"),
                    ("n4", "compatibility note n4: national authority decision on CG G"),
                    (
                        "isolation",
                        "stock to be stored apart shares the storehouse (quarantine store)",
                    ),
                ],
                max_length=12,
                verbose_name="rule",
            ),
        ),
        migrations.AddIndex(
            model_name="lot",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["ancestry"], name="lot_ancestry"
            ),
        ),
        migrations.AddField(
            model_name="historicalammunitiontype_assembles_to",
            name="from_ammunitiontype",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="inventory.ammunitiontype",
            ),
        ),
        migrations.AddField(
            model_name="historicalammunitiontype_assembles_to",
            name="history",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                to="inventory.historicalammunitiontype",
            ),
        ),
        migrations.AddField(
            model_name="historicalammunitiontype_assembles_to",
            name="to_ammunitiontype",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="inventory.ammunitiontype",
            ),
        ),
        migrations.RunPython(isolate_seed_codes, migrations.RunPython.noop),
        migrations.RunSQL(_ANCESTRY, migrations.RunSQL.noop),
    ]
