"""Reads: QuerySets already limited to the user's depot scope, with their joins applied."""

from django.db.models import QuerySet

from accounts.models import User
from core.scoping import scope
from inventory.models import (
    AmmunitionType,
    Depot,
    HazardCode,
    Licence,
    Recipient,
    Storehouse,
    Waiver,
)


def _signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def depot_list(*, user: User) -> QuerySet[Depot]:
    return scope(Depot.objects.all(), user, depot_field="pk").order_by("code")


def storehouse_list(*, user: User) -> QuerySet[Storehouse]:
    """Storehouses of the depots the user may read, with their depot."""
    return scope(Storehouse.objects.select_related("depot"), user).order_by(
        "depot__code", "code", "id"
    )


def licence_list(*, user: User) -> QuerySet[Licence]:
    """Licences of storehouses the user may read, with their storehouse, depot and limits."""
    return scope(
        Licence.objects.select_related("storehouse__depot").prefetch_related("limits"),
        user,
        depot_field="storehouse__depot",
    ).order_by("storehouse__depot__code", "storehouse__code", "-valid_from", "id")


def ammunition_type_list(*, user: User) -> QuerySet[AmmunitionType]:
    """Ammunition types are national reference data: every signed-in user reads them all."""
    if not _signed_in(user):
        return AmmunitionType.objects.none()
    return AmmunitionType.objects.prefetch_related("assembles_to").order_by("code", "id")


def recipient_list(*, user: User) -> QuerySet[Recipient]:
    """The register of recipients is national: every signed-in user reads it all."""
    if not _signed_in(user):
        return Recipient.objects.none()
    return Recipient.objects.order_by("code", "id")


def waiver_list(*, user: User) -> QuerySet[Waiver]:
    """Waivers for storehouses the user may read, newest first."""
    return scope(
        Waiver.objects.select_related("storehouse__depot", "recorded_by"),
        user,
        depot_field="storehouse__depot",
    ).order_by("-recorded_at", "-id")


def policy_legal_hazard_codes() -> frozenset[str]:
    """The legal UN hazard codes ("1.1D", "1.4S", ...) of the HazardCode policy table."""
    return frozenset(HazardCode.objects.values_list("code", flat=True))
