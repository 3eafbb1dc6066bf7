"""Seed the surplus policy switches; national requirements and execution records only grow.

A requirement is changed by setting a new version, never by editing one; an execution and its
lines are what was destroyed and witnessed. The database refuses UPDATE and DELETE on them.
"""

from django.db import migrations

GUARDS = """
CREATE TRIGGER requirement_append_only BEFORE UPDATE OR DELETE ON surplus_requirement
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER execution_append_only BEFORE UPDATE OR DELETE ON surplus_disposalexecution
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER execution_line_append_only BEFORE UPDATE OR DELETE
    ON surplus_disposalexecutionline
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
"""

UNGUARD = """
DROP TRIGGER requirement_append_only ON surplus_requirement;
DROP TRIGGER execution_append_only ON surplus_disposalexecution;
DROP TRIGGER execution_line_append_only ON surplus_disposalexecutionline;
"""


def seed(apps, schema_editor):
    from surplus import reference_data

    reference_data.load(PolicySetting=apps.get_model("inventory", "PolicySetting"))


class Migration(migrations.Migration):
    dependencies = [
        ("surplus", "0001_initial"),
        ("inventory", "0003_ledger_triggers"),
    ]

    operations = [
        migrations.RunSQL(GUARDS, UNGUARD),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
