"""A lot split off another inherits its ancestors' surveillance (DESIGN.md §5): the LotDue view
reads the latest stability test and inspection recorded on the lot or on any lot it was split
from (inventory.Lot.ancestry, nearest first), and a never-inspected child falls due from when
its root entered the books, not from the split. One lookup per lot whatever the depth; a lot
with no ancestry skips it (the lateral subqueries' one-time filter).
"""

from importlib import import_module

from django.db import migrations, models

PREVIOUS_VIEW = import_module("surveillance.migrations.0003_lot_due_view").VIEW

VIEW = """
CREATE OR REPLACE VIEW surveillance_lotdue AS
SELECT l.id AS lot_id,
       COALESCE(
           CASE WHEN ai.last_inspected_on IS NOT NULL
                 AND (s.last_inspected_on IS NULL OR ai.last_inspected_on > s.last_inspected_on)
                THEN ai.next_inspection_due ELSE s.next_inspection_due END,
           ((COALESCE(root.created_at, l.created_at) AT TIME ZONE 'UTC')::date
            + make_interval(months => COALESCE(ii.months, policy.inspection_months)))::date
       ) AS inspection_due,
       CASE
           WHEN NOT t.contains_propellant THEN NULL
           WHEN ast.last_stability_test_on IS NOT NULL
            AND (s.last_stability_test_on IS NULL
                 OR ast.last_stability_test_on > s.last_stability_test_on)
               THEN ast.next_stability_test_due
           WHEN s.last_stability_test_on IS NOT NULL THEN s.next_stability_test_due
           ELSE (l.manufactured_on + make_interval(years => policy.first_test_years))::date
       END AS stability_due,
       (t.contains_propellant AND s.last_stability_test_on IS NULL
        AND ast.last_stability_test_on IS NULL) AS never_stability_tested,
       GREATEST(s.last_stability_test_on, ast.last_stability_test_on) AS last_stability_test_on,
       GREATEST(s.last_inspected_on, ai.last_inspected_on) AS last_inspected_on
FROM inventory_lot l
JOIN inventory_ammunitiontype t ON t.id = l.ammunition_type_id
LEFT JOIN surveillance_lotsurveillance s ON s.lot_id = l.id
LEFT JOIN inventory_lot root ON root.id = l.ancestry[cardinality(l.ancestry)]
LEFT JOIN LATERAL (
    SELECT a.last_stability_test_on, a.next_stability_test_due
    FROM surveillance_lotsurveillance a
    WHERE cardinality(l.ancestry) > 0 AND a.lot_id = ANY(l.ancestry)
      AND a.last_stability_test_on IS NOT NULL
    ORDER BY a.last_stability_test_on DESC, array_position(l.ancestry, a.lot_id)
    LIMIT 1
) ast ON true
LEFT JOIN LATERAL (
    SELECT a.last_inspected_on, a.next_inspection_due
    FROM surveillance_lotsurveillance a
    WHERE cardinality(l.ancestry) > 0 AND a.lot_id = ANY(l.ancestry)
      AND a.last_inspected_on IS NOT NULL
    ORDER BY a.last_inspected_on DESC, array_position(l.ancestry, a.lot_id)
    LIMIT 1
) ai ON true
LEFT JOIN surveillance_inspectioninterval ii ON ii.ammunition_type_id = l.ammunition_type_id
CROSS JOIN (
    SELECT COALESCE((SELECT (value #>> '{}')::int FROM inventory_policysetting
                     WHERE key = 'inspection_interval_months'), 12) AS inspection_months,
           COALESCE((SELECT (value #>> '{}')::int FROM inventory_policysetting
                     WHERE key = 'first_stability_test_years'), 5) AS first_test_years
) policy;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("surveillance", "0003_lot_due_view"),
        ("inventory", "0008_isolation_assembly_ancestry"),
    ]

    operations = [
        migrations.RunSQL(VIEW, "DROP VIEW surveillance_lotdue;\n" + PREVIOUS_VIEW),
        migrations.AddField(
            model_name="lotdue",
            name="last_stability_test_on",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="lotdue",
            name="last_inspected_on",
            field=models.DateField(null=True),
        ),
    ]
