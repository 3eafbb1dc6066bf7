"""Seed the stability policy and surveillance settings; guard the surveillance records.

Inspections, stability tests, attachments, condition changes and shelf-life extensions are records
of what was found and decided: never updated or deleted (a mistake is corrected by a new record).
A ban or constraint changes once, when it is lifted, and is never deleted.
"""

from django.db import migrations

GUARDS = """
CREATE TRIGGER inspection_append_only BEFORE UPDATE OR DELETE ON surveillance_inspection
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER attachment_append_only BEFORE UPDATE OR DELETE ON surveillance_inspectionattachment
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER stabilitytest_append_only BEFORE UPDATE OR DELETE ON surveillance_stabilitytest
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER conditionchange_append_only BEFORE UPDATE OR DELETE ON surveillance_conditionchange
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER extension_append_only BEFORE UPDATE OR DELETE ON surveillance_shelflifeextension
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER ban_no_delete BEFORE DELETE ON surveillance_ban
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();

CREATE FUNCTION surveillance_ban_lift_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lift_columns text[] := ARRAY['lifted_by_id', 'lifted_at', 'lift_reason'];
BEGIN
    IF OLD.lifted_at IS NOT NULL
       OR (to_jsonb(NEW) - lift_columns) IS DISTINCT FROM (to_jsonb(OLD) - lift_columns) THEN
        RAISE EXCEPTION 'ban %: only lifting it, once, is allowed', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ban_lift_only BEFORE UPDATE ON surveillance_ban
    FOR EACH ROW EXECUTE FUNCTION surveillance_ban_lift_only();
"""

UNGUARD = """
DROP TRIGGER inspection_append_only ON surveillance_inspection;
DROP TRIGGER attachment_append_only ON surveillance_inspectionattachment;
DROP TRIGGER stabilitytest_append_only ON surveillance_stabilitytest;
DROP TRIGGER conditionchange_append_only ON surveillance_conditionchange;
DROP TRIGGER extension_append_only ON surveillance_shelflifeextension;
DROP TRIGGER ban_no_delete ON surveillance_ban;
DROP TRIGGER ban_lift_only ON surveillance_ban;
DROP FUNCTION surveillance_ban_lift_only();
"""


def seed(apps, schema_editor):
    from surveillance import reference_data

    reference_data.load(
        StabilityPolicyBand=apps.get_model("surveillance", "StabilityPolicyBand"),
        PolicySetting=apps.get_model("inventory", "PolicySetting"),
    )


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0001_initial"), ("inventory", "0004_seed_reference_data")]

    operations = [
        migrations.RunSQL(GUARDS, UNGUARD),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
