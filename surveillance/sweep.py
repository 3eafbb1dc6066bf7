"""The daily sweep's data-changing step: lots overdue for a stability test are suspended (DESIGN.md
§8: "a lot overdue for a test (first or next) becomes suspended (J) when the daily job runs, which
applies only to lots currently issuable or restricted").

Set-based: the same five statements whatever the number of lots, each lot changed exactly as
`surveillance.services.condition_change_post` changes one (a `condition_change` document with no
lines in every depot holding the lot, a ConditionChange row, the lot's new condition), posted by
the system user for no one (on_behalf_of empty; the note says it was the daily sweep).

Locks, in the order every other writer takes them: the lots (as condition_change_post does
first, but FOR NO KEY UPDATE, which a posting's foreign-key check on a lot does not wait for),
then the number counters of the depots concerned in depot order, then their chain heads in depot
order. Numbers continue each depot's counter without a gap (row_number() over the
depot's new documents) in the format of inventory.services.posting._new_document. Two sweeps at
once (the job's advisory lock prevents it; the row locks make it safe without): the second waits
on the first's lot locks, then finds those lots no longer issuable and leaves them alone.

Idempotent: a suspended lot is not issuable or restricted, so a second run finds nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.models.reference import Availability

SUSPENDED_FOR_TEST = "J"
SWEEP_NOTE = "daily surveillance sweep"

# Lots overdue for a stability test (first or next: LotDue.stability_due, a view over the lot,
# its surveillance row and the policy), issuable or restricted, held somewhere, and not held in
# a depot whose accounts are closed for today (a posting there would be refused: the lot keeps
# its condition and its stability alert until the period is reopened). The view is computed once
# for all lots (the cost of the query: one pass over lots and surveillance rows), then the few
# overdue lots are read by id: the plan does not hang on estimates for the condition codes,
# a table too small for autovacuum ever to analyze.
_LOCK_LOTS = """
    WITH overdue AS MATERIALIZED (
        SELECT due.lot_id FROM surveillance_lotdue due WHERE due.stability_due < %(today)s
    )
    SELECT l.id
    FROM inventory_lot l
    WHERE l.id IN (SELECT lot_id FROM overdue)
      AND l.condition IN (
          SELECT c.code FROM inventory_conditioncode c
          WHERE c.availability = ANY(%(available)s::text[])
      )
      AND EXISTS (SELECT 1 FROM inventory_balance b WHERE b.lot_id = l.id AND b.quantity > 0)
      AND NOT EXISTS (
          SELECT 1 FROM inventory_balance b
          JOIN inventory_closedperiod p
            ON p.depot_id = b.depot_id AND p.starts_on <= %(today)s AND p.ends_on >= %(today)s
          WHERE b.lot_id = l.id AND b.quantity > 0
      )
    ORDER BY l.id
    FOR NO KEY UPDATE OF l
"""

_HOLDING_DEPOTS = """
    SELECT DISTINCT b.depot_id FROM inventory_balance b
    WHERE b.lot_id = ANY(%(lots)s::bigint[]) AND b.quantity > 0
"""

# A depot's first document of the year has no counter row yet: create the missing ones (as
# inventory.locks.counter_next does), then lock them all in depot order.
_COUNTERS_CREATE = f"""
    INSERT INTO inventory_documentcounter (depot_id, year, last_number)
    SELECT h.depot_id, %(year)s, 0 FROM ({_HOLDING_DEPOTS}) AS h ORDER BY h.depot_id
    ON CONFLICT (depot_id, year) DO NOTHING
"""  # noqa: S608 (module constants only)

_COUNTERS_LOCK = f"""
    SELECT c.depot_id FROM inventory_documentcounter c
    WHERE c.year = %(year)s AND c.depot_id IN ({_HOLDING_DEPOTS})
    ORDER BY c.depot_id
    FOR UPDATE
"""  # noqa: S608 (module constants only)

# A depot holding stock has ledger lines, hence a chain head: lock what exists, in depot order.
_CHAIN_HEADS_LOCK = f"""
    SELECT h.depot_id FROM inventory_chainhead h
    WHERE h.depot_id IN ({_HOLDING_DEPOTS})
    ORDER BY h.depot_id
    FOR UPDATE
"""  # noqa: S608 (module constants only)

# One statement: number and insert the documents, their ConditionChange rows, move the counters,
# change the lots. `pairs` is read several times, so PostgreSQL computes it once.
_POST = """
    WITH numbered AS (
        SELECT h.depot_id, h.lot_id, l.condition AS from_condition, l.lot_number,
               c.last_number + row_number() OVER (PARTITION BY h.depot_id ORDER BY h.lot_id) AS n
        FROM (SELECT DISTINCT b.depot_id, b.lot_id FROM inventory_balance b
              WHERE b.lot_id = ANY(%(lots)s::bigint[]) AND b.quantity > 0) AS h
        JOIN inventory_lot l ON l.id = h.lot_id
        JOIN inventory_documentcounter c ON c.depot_id = h.depot_id AND c.year = %(year)s
    ),
    pairs AS MATERIALIZED (
        SELECT x.depot_id, x.lot_id, x.from_condition, x.lot_number, x.n,
               d.code || '-' || %(year)s::text || '-'
                   || lpad(x.n::text, greatest(6, length(x.n::text)), '0') AS number
        FROM numbered x JOIN inventory_depot d ON d.id = x.depot_id
    ),
    documents AS (
        INSERT INTO inventory_document (
            depot_id, kind, number, status, occurred_on, posted_at, posted_by_id,
            on_behalf_of_id, reference, counterparty, purpose, reason, note
        )
        SELECT p.depot_id, %(kind)s, p.number, %(status)s, %(today)s, %(now)s, %(poster)s,
               NULL, p.lot_number, '', '', p.from_condition || '→' || %(to)s, %(note)s
        FROM pairs p
        ORDER BY p.depot_id, p.n
        RETURNING id, number
    ),
    changes AS (
        INSERT INTO surveillance_conditionchange (
            document_id, lot_id, from_condition, to_condition, authority_reference
        )
        SELECT d.id, p.lot_id, p.from_condition, %(to)s, ''
        FROM documents d JOIN pairs p ON p.number = d.number
        RETURNING 1
    ),
    counters AS (
        UPDATE inventory_documentcounter c SET last_number = m.last_number
        FROM (SELECT depot_id, max(n) AS last_number FROM pairs GROUP BY depot_id) AS m
        WHERE c.depot_id = m.depot_id AND c.year = %(year)s
        RETURNING 1
    ),
    lots AS (
        UPDATE inventory_lot l SET condition = %(to)s
        WHERE l.id IN (SELECT lot_id FROM pairs)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM changes),
           (SELECT count(*) FROM lots), (SELECT count(*) FROM counters)
"""


def overdue_lots_suspend(
    *, today: date | None = None, now: datetime | None = None, poster_id: int | None = None
) -> dict[str, int]:
    """Suspend (J) every lot overdue for a stability test that is issuable or restricted and held
    somewhere: one condition-change document per (lot, depot holding it). Five statements (one
    more to find the system user when `poster_id` is not given), whatever the number of lots.

    Returns {"lots": lots suspended, "documents": documents posted}.
    """
    from accounts.services import system_user

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    poster_id = poster_id or system_user().pk
    params = {
        "today": today,
        "now": now,
        "year": now.year,  # the number's year is posted_at's, as in _new_document
        "available": [Availability.ISSUABLE.value, Availability.RESTRICTED.value],
        "kind": DocumentKind.CONDITION_CHANGE.value,
        "status": DocumentStatus.POSTED.value,
        "poster": poster_id,
        "to": SUSPENDED_FOR_TEST,
        "note": SWEEP_NOTE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK_LOTS, params)
        params["lots"] = [row[0] for row in cursor.fetchall()]
        cursor.execute(_COUNTERS_CREATE, params)
        cursor.execute(_COUNTERS_LOCK, params)
        cursor.execute(_CHAIN_HEADS_LOCK, params)
        cursor.execute(_POST, params)
        documents, changes, lots, _counters = cursor.fetchone()
    if documents != changes:  # pragma: no cover (a number matched twice: roll everything back)
        raise RuntimeError(f"{documents} documents but {changes} condition changes")
    return {"lots": lots, "documents": documents}
