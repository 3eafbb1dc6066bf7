"""Surveillance detectors of the daily sweep (DESIGN.md §8), and its step that suspends lots
overdue for a stability test. Found by alerts.sweep (autodiscovered `detectors` modules).

Each detector returns one subject per lot and depot holding it (stock > 0), in one query whatever
the number of lots; when dates are due they come from the LotDue view (surveillance migration
0003), the one definition the work list and the API read too. The J step and the three due-date
detectors share one read of it per sweep (`_due`: one pass over the view, not four).
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils.translation import gettext as _

from alerts.models import AlertKind, Severity
from alerts.services import Subject
from alerts.sweep import SweepContext, detector, sweep_step
from surveillance.models import StabilityCategory
from surveillance.sweep import Due, due_lots, overdue_lots_suspend


def _due(ctx: SweepContext) -> list[Due]:
    """The lots overdue on the sweep's day, per depot holding them: read once per sweep, by the
    J step or the first due-date detector, and shared (one pass over the due-date view)."""
    return ctx.once("surveillance.due_lots", lambda: due_lots(today=ctx.today))


@sweep_step("suspend_overdue_stability")
def suspend_overdue_stability(ctx: SweepContext) -> dict[str, int]:
    """Lots overdue for a stability test (first or next), issuable or restricted, become J."""
    return overdue_lots_suspend(today=ctx.today, due=_due(ctx))


def _subject(row: Due, due: date, text: str) -> Subject:
    return Subject(
        depot_id=row.depot_id,
        lot_id=row.lot_id,
        severity=None,  # the kind's default (alerts.models.DEFAULT_SEVERITY)
        message=text
        % {
            "lot": row.lot_number,
            "type": row.type_code,
            "due": f"{due:%Y-%m-%d}",
            "held": row.held,
        },
        details={
            "lot_number": row.lot_number,
            "ammunition_type": row.type_code,
            "due_on": due.isoformat(),
            "quantity": row.held,
        },
    )


def _held(ctx: SweepContext) -> list[Due]:
    """The overdue lots per depot holding them (stock > 0)."""
    return [row for row in _due(ctx) if row.depot_id is not None]


@detector(AlertKind.STABILITY_TEST_OVERDUE)
def stability_test_overdue(ctx: SweepContext) -> list[Subject]:
    """Propellant lots held whose last stability test's next-due date has passed. The sweep's
    shared read of the due dates (one query when run alone)."""
    text = _("Lot %(lot)s (%(type)s): the stability test due on %(due)s is overdue; %(held)s held.")
    return [
        _subject(row, row.stability_due, text)
        for row in _held(ctx)
        if row.stability_due and row.stability_due < ctx.today and not row.never_stability_tested
    ]


@detector(AlertKind.STABILITY_TEST_MISSING)
def stability_test_missing(ctx: SweepContext) -> list[Subject]:
    """Propellant lots held, never tested, whose first test fell due (manufacture date plus
    `first_stability_test_years`). The sweep's shared read of the due dates (one query when run
    alone)."""
    text = _(
        "Lot %(lot)s (%(type)s): no stability test on record; the first was due on %(due)s; "
        "%(held)s held."
    )
    return [
        _subject(row, row.stability_due, text)
        for row in _held(ctx)
        if row.stability_due and row.stability_due < ctx.today and row.never_stability_tested
    ]


@detector(AlertKind.INSPECTION_OVERDUE)
def inspection_overdue(ctx: SweepContext) -> list[Subject]:
    """Lots held whose next inspection date has passed. The sweep's shared read of the due dates
    (one query when run alone)."""
    text = _("Lot %(lot)s (%(type)s): the inspection due on %(due)s is overdue; %(held)s held.")
    return [
        _subject(row, row.inspection_due, text)
        for row in _held(ctx)
        if row.inspection_due < ctx.today
    ]


# Lots held whose latest test (the one LotSurveillance took its category from) is unstable.
_UNSTABLE = """
    SELECT h.depot_id, h.lot_id, l.lot_number, t.id, t.sampled_on, t.dispose_by
    FROM (SELECT b.depot_id, b.lot_id FROM inventory_balance b
          JOIN surveillance_lotsurveillance s ON s.lot_id = b.lot_id
          WHERE b.quantity > 0 AND s.last_stability_category = %(unstable)s
          GROUP BY b.depot_id, b.lot_id) AS h
    JOIN inventory_lot l ON l.id = h.lot_id
    CROSS JOIN LATERAL (
        SELECT t.id, t.sampled_on, t.dispose_by FROM surveillance_stabilitytest t
        WHERE t.lot_id = h.lot_id ORDER BY t.sampled_on DESC, t.id DESC LIMIT 1
    ) AS t
    ORDER BY h.depot_id, h.lot_id
"""


@detector(AlertKind.STABILITY_UNSTABLE)
def stability_unstable(ctx: SweepContext) -> list[Subject]:
    """Lots held whose latest stability test is unstable (LotSurveillance), one per depot holding
    them; resolved when the stock is gone (disposed of).

    surveillance.services raises this alert at once (alert_raise) in the depot that recorded the
    test; this detector gives the same subject, message and details, so the sweep refreshes that
    alert rather than replacing it, and adds one in every other depot holding the lot. It is an
    event kind (alerts.models.ACKNOWLEDGE_RESOLVES): acknowledging it closes it, and neither the
    sweep nor alert_raise opens it again for that lot in that depot. One query.
    """
    with connection.cursor() as cursor:
        cursor.execute(_UNSTABLE, {"unstable": StabilityCategory.UNSTABLE.value})
        rows = cursor.fetchall()
    # Worded as surveillance.services._raise_unstable_alert words it.
    text = _("Lot %(lot)s is unstable (stability test of %(day)s): dispose by %(by)s.")
    return [
        Subject(
            depot_id=depot_id,
            lot_id=lot_id,
            severity=Severity.CRITICAL,
            message=text % {"lot": lot_number, "day": sampled_on, "by": dispose_by},
            details={"stability_test": test_id, "dispose_by": str(dispose_by)},
        )
        for depot_id, lot_id, lot_number, test_id, sampled_on, dispose_by in rows
    ]
