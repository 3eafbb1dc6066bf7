"""Surveillance detectors of the daily sweep (DESIGN.md §8), and its step that suspends lots
overdue for a stability test. Found by alerts.sweep (autodiscovered `detectors` modules).

Each detector returns one subject per lot and depot holding it (stock > 0), in one query whatever
the number of lots; when dates are due they come from the LotDue view (surveillance migration
0003), the one definition the work list and the API read too.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from alerts.models import AlertKind, Severity
from alerts.services import Subject
from alerts.sweep import SweepContext, detector, sweep_step
from inventory.models import Balance
from surveillance.models import StabilityCategory
from surveillance.sweep import overdue_lots_suspend


@sweep_step("suspend_overdue_stability")
def suspend_overdue_stability(ctx: SweepContext) -> dict[str, int]:
    """Lots overdue for a stability test (first or next), issuable or restricted, become J."""
    return overdue_lots_suspend(today=ctx.today)


def _held(due: str, **lot_filter):
    """Lots held (stock > 0) per depot, with the quantity held there, the due date `due` (a
    LotDue field) and what a message needs."""
    return (
        Balance.objects.filter(quantity__gt=0, **lot_filter)
        .values("depot_id", "lot_id", "lot__lot_number", "lot__ammunition_type__code")
        .annotate(held=Sum("quantity"), due=Max(f"lot__due__{due}"))
        .order_by()
    )


def _subject(row, text: str) -> Subject:
    due = row["due"]
    return Subject(
        depot_id=row["depot_id"],
        lot_id=row["lot_id"],
        severity=None,  # the kind's default (alerts.models.DEFAULT_SEVERITY)
        message=text
        % {
            "lot": row["lot__lot_number"],
            "type": row["lot__ammunition_type__code"],
            "due": f"{due:%Y-%m-%d}",
            "held": row["held"],
        },
        details={
            "lot_number": row["lot__lot_number"],
            "ammunition_type": row["lot__ammunition_type__code"],
            "due_on": due.isoformat(),
            "quantity": row["held"],
        },
    )


@detector(AlertKind.STABILITY_TEST_OVERDUE)
def stability_test_overdue(ctx: SweepContext) -> list[Subject]:
    """Propellant lots held whose last stability test's next-due date has passed. One query."""
    rows = _held(
        "stability_due",
        lot__due__stability_due__lt=ctx.today,
        lot__due__never_stability_tested=False,
    )
    text = _("Lot %(lot)s (%(type)s): the stability test due on %(due)s is overdue; %(held)s held.")
    return [_subject(row, text) for row in rows]


@detector(AlertKind.STABILITY_TEST_MISSING)
def stability_test_missing(ctx: SweepContext) -> list[Subject]:
    """Propellant lots held, never tested, whose first test fell due (manufacture date plus
    `first_stability_test_years`). One query."""
    rows = _held(
        "stability_due",
        lot__due__stability_due__lt=ctx.today,
        lot__due__never_stability_tested=True,
    )
    text = _(
        "Lot %(lot)s (%(type)s): no stability test on record; the first was due on %(due)s; "
        "%(held)s held."
    )
    return [_subject(row, text) for row in rows]


@detector(AlertKind.INSPECTION_OVERDUE)
def inspection_overdue(ctx: SweepContext) -> list[Subject]:
    """Lots held whose next inspection date has passed. One query."""
    rows = _held("inspection_due", lot__due__inspection_due__lt=ctx.today)
    text = _("Lot %(lot)s (%(type)s): the inspection due on %(due)s is overdue; %(held)s held.")
    return [_subject(row, text) for row in rows]


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
