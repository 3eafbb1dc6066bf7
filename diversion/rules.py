"""Pure rules of diversion control: no database, easy to test."""

from __future__ import annotations

from collections.abc import Iterable

from diversion.models import RISK_ORDER, RiskLevel
from inventory.models.reference import RecipientKind

# Own forces that train; not a foreign state or private end user (a transfer's consignee).
ALLOCATION_RECIPIENT_KINDS = (
    RecipientKind.UNIT,
    RecipientKind.RANGE,
    RecipientKind.POLICE,
    RecipientKind.AGENCY,
)


def overall_risk(levels: Iterable[str]) -> str | None:
    """The overall risk of an assessment: the highest of its item risks (one high item makes the
    whole transfer high risk). None while no item is answered."""
    highest = None
    for level in levels:
        level = RiskLevel(level)
        if highest is None or RISK_ORDER[level] > RISK_ORDER[highest]:
            highest = level
    return highest
