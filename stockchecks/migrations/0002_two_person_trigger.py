"""The approver of a stock check counted none of its lines (two-person rule, DESIGN.md §1): a
trigger, because a CHECK constraint cannot look at other rows. The service refuses first (409
self_approval); this is the guard for anything that bypasses it."""

from django.db import migrations

SQL = """
CREATE FUNCTION stockchecks_approver_not_counter() RETURNS trigger AS $$
BEGIN
    IF NEW.approved_by_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM stockchecks_count
        WHERE stock_check_id = NEW.id AND counted_by_id = NEW.approved_by_id
    ) THEN
        RAISE EXCEPTION 'stock check %: the approver counted lines of it (two-person rule)', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'stockcheck_approver_not_counter';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stockcheck_approver_not_counter
    BEFORE INSERT OR UPDATE OF approved_by_id ON stockchecks_stockcheck
    FOR EACH ROW EXECUTE FUNCTION stockchecks_approver_not_counter();

CREATE FUNCTION stockchecks_count_not_by_approver() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM stockchecks_stockcheck
        WHERE id = NEW.stock_check_id AND approved_by_id = NEW.counted_by_id
    ) THEN
        RAISE EXCEPTION 'stock check %: its approver may not count (two-person rule)',
            NEW.stock_check_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'stockcheck_approver_not_counter';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER count_not_by_approver
    BEFORE INSERT OR UPDATE ON stockchecks_count
    FOR EACH ROW EXECUTE FUNCTION stockchecks_count_not_by_approver();
"""

REVERSE = """
DROP TRIGGER IF EXISTS count_not_by_approver ON stockchecks_count;
DROP FUNCTION IF EXISTS stockchecks_count_not_by_approver();
DROP TRIGGER IF EXISTS stockcheck_approver_not_counter ON stockchecks_stockcheck;
DROP FUNCTION IF EXISTS stockchecks_approver_not_counter();
"""


class Migration(migrations.Migration):
    dependencies = [("stockchecks", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
