"""What the surveillance endpoints share: tags, who may write, and the record list base."""

from __future__ import annotations

from core.api import LedgerViewSet
from core.roles import Action
from core.scoping import require

TAGS = ["surveillance"]
WRITE_ROLES = "An inspector of the depot (or a national inspector, or an administrator)."


def require_recorder(user) -> None:
    """403 for roles that record no surveillance anywhere (clerks, officers, auditors)."""
    require(user, Action.RECORD_SURVEILLANCE)


class RecordViewSet(LedgerViewSet):
    """Surveillance records grow with the stockpile: cursor pages, newest recorded first."""
