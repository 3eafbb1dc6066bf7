"""Reads: QuerySets already limited to the user's depot scope, with their joins applied."""

from django.db.models import QuerySet

from accounts.models import User
from core.scoping import scope
from inventory.models import Depot


def depot_list(*, user: User) -> QuerySet[Depot]:
    return scope(Depot.objects.all(), user, depot_field="pk").order_by("code")
