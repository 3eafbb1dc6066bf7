"""What the surveillance endpoints share: tags, who may write, and the record list base."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.api import LedgerViewSet
from core.roles import Action
from core.scoping import require
from surveillance import services

TAGS = ["surveillance"]
WRITE_ROLES = "An inspector of the depot (or a national inspector, or an administrator)."


def require_recorder(user) -> None:
    """403 for roles that record no surveillance anywhere (clerks, officers, auditors)."""
    require(user, Action.RECORD_SURVEILLANCE)


def require_lifter(user) -> None:
    """Lifting a ban, extending a shelf life: inspectors, or officers and administrators for a
    lot held beyond an inspector's depots (the service decides which)."""
    if not services.may_lift(user):
        raise PermissionDenied(_("Your role does not allow this action here."))


class RecordViewSet(LedgerViewSet):
    """Surveillance records grow with the stockpile: cursor pages, newest recorded first."""
