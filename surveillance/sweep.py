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

from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from inventory.models.reference import Availability
from inventory.services.conditions import lot_conditions_post_bulk

SUSPENDED_FOR_TEST = "J"
SWEEP_NOTE = "daily surveillance sweep"

# Lots overdue for a stability test (first or next: LotDue.stability_due, a view over the lot,
# its surveillance row and the policy); the writer keeps those issuable or restricted, held
# somewhere and not in a depot whose accounts are closed for today (a posting there would be
# refused: the lot keeps its condition and its stability alert until the period is reopened).
_OVERDUE = "SELECT due.lot_id FROM surveillance_lotdue due WHERE due.stability_due < %s"

_CHANGES = """
    INSERT INTO surveillance_conditionchange (
        document_id, lot_id, from_condition, to_condition, authority_reference
    )
    SELECT v.document_id, v.lot_id, v.from_condition, %s, ''
    FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v (document_id, lot_id, from_condition)
"""


def overdue_lots_suspend(
    *, today: date | None = None, now: datetime | None = None, poster_id: int | None = None
) -> dict[str, int]:
    """Suspend (J) every lot overdue for a stability test that is issuable or restricted and held
    somewhere: one condition-change document per (lot, depot holding it). A fixed number of
    statements (one more to find the system user when `poster_id` is not given), whatever the
    number of lots.

    Returns {"lots": lots suspended, "documents": documents posted}.
    """
    from accounts.services import system_user

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    poster_id = poster_id or system_user().pk
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_OVERDUE, [today])
            overdue = [row[0] for row in cursor.fetchall()]
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
