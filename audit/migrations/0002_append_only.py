"""The audit log, checkpoints and verification results are records: never updated or deleted."""

from django.db import migrations

GUARDS = """
CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_ledgercheckpoint
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER verification_append_only BEFORE UPDATE OR DELETE ON audit_ledgerverification
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
"""

UNGUARD = """
DROP TRIGGER auditevent_append_only ON audit_auditevent;
DROP TRIGGER checkpoint_append_only ON audit_ledgercheckpoint;
DROP TRIGGER verification_append_only ON audit_ledgerverification;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("inventory", "0003_ledger_triggers")]

    operations = [migrations.RunSQL(GUARDS, UNGUARD)]
