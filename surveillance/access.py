"""Who may record surveillance and who may lift bans, as the pages and the API offer and guard
those actions; each service still checks the depot, and the vetting, of the case itself."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.roles import Action
from core.scoping import can
from surveillance.services import may_decide_nationally


def may_record(user) -> bool:
    """May the user record surveillance (inspections, tests, bans) in some depot?"""
    return can(user, Action.RECORD_SURVEILLANCE)


def may_lift(user) -> bool:
    """May the user lift bans and extend shelf lives somewhere: inspectors (within their depots)
    and officers or administrators (anywhere)? The service decides each case."""
    return may_record(user) or may_decide_nationally(user)


def require_lifter(user) -> None:
    """403 for a user who may lift bans and extend shelf lives nowhere."""
    if not may_lift(user):
        raise PermissionDenied(_("Your role does not allow this action here."))
