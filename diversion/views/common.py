"""Who manages diversion oversight here."""

from __future__ import annotations

from core.roles import Action
from core.scoping import can


def manages(user) -> bool:
    return can(user, Action.MANAGE_OVERSIGHT)
