"""PostgreSQL guards of report runs: a report is a record. No row is ever deleted; what was asked
(number, kind, parameters, depot, requester, cut-off) never changes; a done report never changes
at all (its file, its digests). TRUNCATE is left to the table owner (the test runner)."""

from django.db import migrations

GUARDS = """
CREATE FUNCTION reports_reportrun_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    request_columns text[] := ARRAY['number', 'kind', 'parameters', 'depot_id', 'requested_by_id',
                                    'requested_at', 'cutoff'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'report %: reports are records and are never deleted', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'done' AND to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD) THEN
        RAISE EXCEPTION 'report %: a done report never changes', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (SELECT bool_or(to_jsonb(NEW) -> c IS DISTINCT FROM to_jsonb(OLD) -> c)
        FROM unnest(request_columns) AS c) THEN
        RAISE EXCEPTION 'report %: what was requested never changes', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER reportrun_guard BEFORE UPDATE OR DELETE ON reports_reportrun
    FOR EACH ROW EXECUTE FUNCTION reports_reportrun_guard();
"""

UNDO = """
DROP TRIGGER reportrun_guard ON reports_reportrun;
DROP FUNCTION reports_reportrun_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunSQL(GUARDS, UNDO)]
