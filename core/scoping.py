"""The one depot-scope layer. Every view, API endpoint, report and export reads through it.

A user's *read scope* is every depot (officer, auditor, admin, an inspector marked national) or
the depots of their memberships (clerk, inspector), none when they have none: a depot role fails
closed, never open. An *action scope* is the same question for one action: the roles that grant
it, each limited to memberships when it is depot-bound. `None` means all depots.
Outside the read scope an object does not exist for the user (404); inside it, an action the user's
roles do not grant is forbidden (403).

A user of several depots may narrow the web pages to one of them (the depot switcher of the top
bar): the web sets `depot_focus` on the request's user, and both scopes here are intersected with
it, so every page that reads through this module is narrowed and none can be forgotten. It never
widens a scope. The API never sets it (API clients filter with `?depot=`), nor do tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import VettingExpired
from core.roles import ACTION_ROLES, DEPOT_BOUND_ROLES, VETTED_ACTIONS, Action, Role


class ScopedUser(Protocol):
    """What the scope reads from a user: accounts.User has all of it. A protocol, not an import,
    because core is the ground floor and knows no app (LAYERS.md)."""

    is_authenticated: bool
    is_active: bool
    national: bool
    vetting_level: str
    vetting_expires_on: date | None

    @property
    def role_set(self) -> frozenset[Role]: ...

    @property
    def depot_ids(self) -> frozenset[int]: ...

    def vetting_valid_on(self, day: date) -> bool: ...


DepotIds = frozenset[int] | None  # None: every depot

NATIONAL_READERS = frozenset({Role.OFFICER, Role.AUDITOR, Role.ADMIN})


def _granted(user: ScopedUser, roles: frozenset[Role]) -> DepotIds:
    if not roles:
        return frozenset()
    if roles - DEPOT_BOUND_ROLES:
        return None
    if Role.INSPECTOR in roles and user.national:
        return None
    return user.depot_ids


def _narrowed(user: ScopedUser, ids: DepotIds) -> DepotIds:
    """`ids` intersected with the depot the user's web pages are narrowed to, if any."""
    focus = getattr(user, "depot_focus", None)
    if focus is None:
        return ids
    if ids is None:
        return frozenset({focus})
    return ids & {focus}


def full_read_depot_ids(user: ScopedUser) -> DepotIds:
    """Depots whose data the user may read, whatever depot their pages are narrowed to (the
    choices of the depot switcher); None means all."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    roles = user.role_set
    if roles & NATIONAL_READERS:
        return None
    return _granted(user, roles & DEPOT_BOUND_ROLES)


def read_depot_ids(user: ScopedUser) -> DepotIds:
    """Depots whose data the user may read (narrowed to the depot a web user chose); None means
    all."""
    return _narrowed(user, full_read_depot_ids(user))


def action_depot_ids(user: ScopedUser, action: Action) -> DepotIds:
    """Depots in which the user may perform `action` (narrowed to the depot a web user chose);
    None means all."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    return _narrowed(user, _granted(user, user.role_set & ACTION_ROLES[action]))


def can(user: ScopedUser, action: Action, depot_id: int | None = None) -> bool:
    """May the user perform `action` in this depot (or, with no depot, in at least one)?"""
    ids = action_depot_ids(user, action)
    if ids is None:
        return True
    return bool(ids) if depot_id is None else depot_id in ids


def require(user: ScopedUser, action: Action, depot_id: int | None = None) -> None:
    """Raise PermissionDenied (403) unless `can(user, action, depot_id)`; then, for an action
    that posts or approves, VettingExpired (409 `vetting_expired`) unless the user's vetting is
    valid today (when settings.VETTING_REQUIRED is on). Every service that writes calls this
    first, so the vetting rule holds for the web pages, the API and anything built later."""
    if not can(user, action, depot_id):
        raise PermissionDenied(_("Your role does not allow this action here."))
    if action in VETTED_ACTIONS and vetting_lapsed(user):
        if user.vetting_expires_on is None or not user.vetting_level:
            message = _("You have no personnel vetting on record, so you cannot post or approve.")
        else:
            message = _(
                "Your personnel vetting expired on %(day)s, so you cannot post or approve."
            ) % {"day": user.vetting_expires_on.isoformat()}
        raise VettingExpired(
            message + " " + _("Ask an administrator to record your renewed vetting."),
            vetting_expires_on=(
                user.vetting_expires_on.isoformat() if user.vetting_expires_on else None
            ),
        )


def require_any(user: ScopedUser, actions: Sequence[Action], depot_id: int | None = None) -> Action:
    """For a write that several roles may make (a clerk's or an inspector's lot split, say):
    `require` the first of `actions` the user's roles grant here, so the vetting rule holds
    whichever role they act in; PermissionDenied (403) when none does. Returns that action."""
    for action in actions:
        if can(user, action, depot_id):
            require(user, action, depot_id)
            return action
    raise PermissionDenied(_("Your role does not allow this action here."))


def vetting_lapsed(user: ScopedUser) -> bool:
    """Does the vetting rule stop this user from posting and approving today?"""
    return settings.VETTING_REQUIRED and not user.vetting_valid_on(timezone.localdate())


def scope(
    queryset: QuerySet,
    user: ScopedUser,
    *,
    depot_field: str = "depot",
    action: Action | None = None,
) -> QuerySet:
    """Limit `queryset` to the user's read scope (or to an action's scope).

    `depot_field` is the lookup from the queryset's model to its depot id: "depot" for most
    models, "pk" for Depot itself, "storehouse__depot" for a storehouse's children.
    """
    ids = read_depot_ids(user) if action is None else action_depot_ids(user, action)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{depot_field}__in": ids})
