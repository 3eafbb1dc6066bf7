"""PostgreSQL guards of the ledger (DESIGN.md §7): whatever the application does, posted lines are
never updated or deleted, and a document header only moves its status along the life cycle.

TRUNCATE is left to the table owner (the test runner empties tables with it); the hash chain is
what makes any rewrite of history by a database administrator detectable."""

from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION inventory_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Correct a mistake by posting a reversal document.';
END;
$$;

CREATE TRIGGER ledgerline_append_only BEFORE UPDATE OR DELETE ON inventory_ledgerline
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER pendingline_append_only BEFORE UPDATE OR DELETE ON inventory_pendingline
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();
CREATE TRIGGER document_no_delete BEFORE DELETE ON inventory_document
    FOR EACH ROW EXECUTE FUNCTION inventory_refuse_change();

CREATE FUNCTION inventory_document_life_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    decision_columns text[] := ARRAY['status', 'approved_by_id', 'decided_at'];
BEGIN
    IF (to_jsonb(NEW) - decision_columns) IS DISTINCT FROM (to_jsonb(OLD) - decision_columns) THEN
        RAISE EXCEPTION 'document %: only its status may change', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.status = OLD.status THEN
        IF NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id
           OR NEW.decided_at IS DISTINCT FROM OLD.decided_at THEN
            RAISE EXCEPTION 'document %: a decision comes with a status change', OLD.number
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) NOT IN (
        ('pending_approval', 'posted'),
        ('pending_approval', 'rejected'),
        ('in_transit', 'received'),
        ('in_transit', 'received_with_discrepancy')
    ) THEN
        RAISE EXCEPTION 'document %: status % -> % is not allowed', OLD.number, OLD.status, NEW.status
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id AND OLD.status <> 'pending_approval' THEN
        RAISE EXCEPTION 'document %: only a pending document is approved', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER document_life_cycle BEFORE UPDATE ON inventory_document
    FOR EACH ROW EXECUTE FUNCTION inventory_document_life_cycle();
"""

DROP = """
DROP TRIGGER document_life_cycle ON inventory_document;
DROP FUNCTION inventory_document_life_cycle();
DROP TRIGGER document_no_delete ON inventory_document;
DROP TRIGGER pendingline_append_only ON inventory_pendingline;
DROP TRIGGER ledgerline_append_only ON inventory_ledgerline;
DROP FUNCTION inventory_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_reference_and_ledger")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
