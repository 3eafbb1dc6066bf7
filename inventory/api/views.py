"""API views by concern; the reference-data viewsets live in inventory.api.reference."""

from inventory.api.reference import (
    AmmunitionTypeViewSet,
    DepotViewSet,
    LicenceViewSet,
    RecipientViewSet,
    StorehouseViewSet,
    WaiverViewSet,
)

__all__ = [
    "AmmunitionTypeViewSet",
    "DepotViewSet",
    "LicenceViewSet",
    "RecipientViewSet",
    "StorehouseViewSet",
    "WaiverViewSet",
]
