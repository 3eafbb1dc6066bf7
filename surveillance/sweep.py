"""The daily sweep's data-changing step: lots overdue for a stability test are suspended (DESIGN.md
§8: "a lot overdue for a test (first or next) becomes suspended (J) when the daily job runs, which
applies only to lots currently issuable or restricted").

Set-based: the same statements whatever the number of lots, each lot changed exactly as
`surveillance.services.condition_change_post` changes one (a `condition_change` document with no
lines in every depot holding the lot, a ConditionChange row, the lot's new condition), posted by
the system user for no one (on_behalf_of empty; the note says it was the daily sweep). The ledger
side (locks, numbers, documents, the lots' condition) is inventory's writer,
`inventory.services.conditions.lot_conditions_post_bulk`; this step picks the overdue lots and
records the ConditionChange rows. Two sweeps at once (the job's advisory lock prevents it; the
row locks make it safe without): the second waits on the first's lot locks, then finds those lots
no longer issuable and leaves them alone.

Idempotent: a suspended lot is not issuable or restricted, so a second run finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.services import system_user
from inventory.models.reference import Availability
from inventory.services.conditions import lot_conditions_post_bulk

SUSPENDED_FOR_TEST = "J"
SWEEP_NOTE = "daily surveillance sweep"

# Every lot overdue for a stability test (first or next) or an inspection on `today`
# (surveillance_lotdue, a view over the lot, its and its ancestors' surveillance rows and the
# policy: one pass over every lot), with each depot holding it (stock > 0) and what a message
# needs; a lot held nowhere comes once, with no depot. What the J step and the three due-date
# detectors read, once per sweep (SweepContext.once).
_DUE = """
    WITH due AS MATERIALIZED (
        SELECT due.lot_id, due.inspection_due, due.stability_due, due.never_stability_tested
        FROM surveillance_lotdue due
        WHERE due.stability_due < %(today)s OR due.inspection_due < %(today)s
    )
    SELECT due.lot_id, due.inspection_due, due.stability_due, due.never_stability_tested,
           h.depot_id, h.held, l.lot_number, t.code
    FROM due
    JOIN inventory_lot l ON l.id = due.lot_id
    JOIN inventory_ammunitiontype t ON t.id = l.ammunition_type_id
    LEFT JOIN (
        SELECT b.depot_id, b.lot_id, sum(b.quantity) AS held
        FROM inventory_balance b
        WHERE b.quantity > 0 AND b.lot_id IN (SELECT due.lot_id FROM due)
        GROUP BY b.depot_id, b.lot_id
    ) h ON h.lot_id = due.lot_id
"""


@dataclass(frozen=True)
class Due:
    """A lot overdue for a test or an inspection, and a depot holding it (None: held nowhere)."""

    lot_id: int
    lot_number: str
    type_code: str
    inspection_due: date
    stability_due: date | None
    never_stability_tested: bool
    depot_id: int | None
    held: int  # in that depot, 0 when held nowhere


def due_lots(*, today: date) -> list[Due]:
    """The lots overdue on `today` (stability test or inspection), per depot holding them. One
    query: one pass over the due-date view."""
    with connection.cursor() as cursor:
        cursor.execute(_DUE, {"today": today})
        rows = cursor.fetchall()
    return [
        Due(
            lot_id=lot_id,
            lot_number=lot_number,
            type_code=type_code,
            inspection_due=inspection_due,
            stability_due=stability_due,
            never_stability_tested=bool(never_tested),
            depot_id=depot_id,
            held=int(held or 0),
        )
        for (lot_id, inspection_due, stability_due, never_tested, depot_id, held, lot_number,
             type_code) in rows
    ]  # fmt: skip


_CHANGES = """
    INSERT INTO surveillance_conditionchange (
        document_id, lot_id, from_condition, to_condition, authority_reference
    )
    SELECT v.document_id, v.lot_id, v.from_condition, %s, ''
    FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v (document_id, lot_id, from_condition)
"""


def overdue_lots_suspend(
    *,
    today: date | None = None,
    now: datetime | None = None,
    poster_id: int | None = None,
    due: list[Due] | None = None,
) -> dict[str, int]:
    """Suspend (J) every lot overdue for a stability test that is issuable or restricted and held
    somewhere: one condition-change document per (lot, depot holding it). A fixed number of
    statements (one more to find the system user when `poster_id` is not given, one more to read
    the due dates when `due`, `due_lots(today=today)`, is not given), whatever the number of
    lots.

    Returns {"lots": lots suspended, "documents": documents posted}.
    """

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    poster_id = poster_id or system_user().pk
    with transaction.atomic():
        if due is None:
            due = due_lots(today=today)
        overdue = sorted(
            {row.lot_id for row in due if row.stability_due and row.stability_due < today}
        )
        posted = lot_conditions_post_bulk(
            lot_ids=overdue,
            condition=SUSPENDED_FOR_TEST,
            from_availabilities=[Availability.ISSUABLE.value, Availability.RESTRICTED.value],
            poster_id=poster_id,
            note=SWEEP_NOTE,
            now=now,
            occurred_on=today,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                _CHANGES,
                [
                    SUSPENDED_FOR_TEST,
                    [each.document_id for each in posted],
                    [each.lot_id for each in posted],
                    [each.from_condition for each in posted],
                ],
            )
            if cursor.rowcount != len(posted):  # pragma: no cover (roll everything back)
                raise RuntimeError(f"{len(posted)} documents, {cursor.rowcount} condition changes")
    return {"lots": len({each.lot_id for each in posted}), "documents": len(posted)}
