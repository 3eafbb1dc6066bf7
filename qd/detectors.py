"""The quantity-distance detector of the daily sweep (DESIGN.md §13). Found by alerts.sweep
(autodiscovered `detectors` modules)."""

from __future__ import annotations

from alerts.models import AlertKind
from alerts.services import Subject
from alerts.sweep import SweepContext, detector
from qd.selectors import storehouses_beyond_qd
from qd.services import beyond_qd_subject


@detector(AlertKind.LICENCE_BEYOND_QD)
def licence_beyond_qd(ctx: SweepContext) -> list[Subject]:
    """Storehouses whose licence in force permits more NEQ of a division than their registered
    exposed sites allow. A storehouse with no site registered is not assessed. Three queries."""
    return [beyond_qd_subject(qd) for qd in storehouses_beyond_qd(on=ctx.today)]
