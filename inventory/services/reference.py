"""Writes. Every change to inventory data goes through a function here."""

from django.db import transaction

from accounts.models import User
from core.roles import Action
from core.scoping import require
from inventory.models import Depot


@transaction.atomic
def depot_create(*, code: str, name: str, region: str, created_by: User) -> Depot:
    """Create a depot (administrators only)."""
    require(created_by, Action.MANAGE_REFERENCE)
    depot = Depot(code=code, name=name, region=region)
    depot.full_clean()
    depot.save()
    return depot
