"""When each lot falls due for inspection and stability test, as a view that the daily sweep,
the inspector's work list and the API all read (one definition, set-based).

A lot never inspected falls due one interval after it entered the books; a propellant lot never
tested falls due `first_stability_test_years` after manufacture; afterwards the last record says.
Intervals come from the policy tables, so changing the policy moves every due date at once.
"""

from django.db import migrations, models

VIEW = """
CREATE VIEW surveillance_lotdue AS
SELECT l.id AS lot_id,
       COALESCE(
           s.next_inspection_due,
           ((l.created_at AT TIME ZONE 'UTC')::date
            + make_interval(months => COALESCE(ii.months, policy.inspection_months)))::date
       ) AS inspection_due,
       CASE
           WHEN NOT t.contains_propellant THEN NULL
           WHEN s.last_stability_test_on IS NOT NULL THEN s.next_stability_test_due
           ELSE (l.manufactured_on + make_interval(years => policy.first_test_years))::date
       END AS stability_due,
       (t.contains_propellant AND s.last_stability_test_on IS NULL) AS never_stability_tested
FROM inventory_lot l
JOIN inventory_ammunitiontype t ON t.id = l.ammunition_type_id
LEFT JOIN surveillance_lotsurveillance s ON s.lot_id = l.id
LEFT JOIN surveillance_inspectioninterval ii ON ii.ammunition_type_id = l.ammunition_type_id
CROSS JOIN (
    SELECT COALESCE((SELECT (value #>> '{}')::int FROM inventory_policysetting
                     WHERE key = 'inspection_interval_months'), 12) AS inspection_months,
           COALESCE((SELECT (value #>> '{}')::int FROM inventory_policysetting
                     WHERE key = 'first_stability_test_years'), 5) AS first_test_years
) policy;
"""


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0002_seed_and_guards")]

    operations = [
        migrations.RunSQL(VIEW, "DROP VIEW surveillance_lotdue;"),
        migrations.CreateModel(
            name="LotDue",
            fields=[
                (
                    "lot",
                    models.OneToOneField(
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="due",
                        serialize=False,
                        to="inventory.lot",
                    ),
                ),
                ("inspection_due", models.DateField()),
                ("stability_due", models.DateField(null=True)),
                ("never_stability_tested", models.BooleanField()),
            ],
            options={"managed": False, "db_table": "surveillance_lotdue"},
        ),
    ]
