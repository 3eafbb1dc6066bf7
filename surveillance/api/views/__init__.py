"""The surveillance API (DESIGN.md §8, §11): inspections and their attachments, stability tests,
condition changes, bans and constraints, shelf-life extensions, the work list and a lot's
surveillance record.

Reads go through the scoped selectors (404 outside one's depots). A write checks the role first
(403), then the input's shape (400), then calls one surveillance service, whose refusals are 400
(field errors) or 409 (`{code, detail}`). Every POST that writes takes an optional
Idempotency-Key."""

from surveillance.api.views.bans import (
    MAX_HORIZON_DAYS,
    BanViewSet,
    LotSurveillanceApi,
    ShelfLifeExtensionViewSet,
    WorkListApi,
)
from surveillance.api.views.common import TAGS, WRITE_ROLES
from surveillance.api.views.records import (
    INSPECTION_EXAMPLE,
    ConditionChangeViewSet,
    InspectionViewSet,
    StabilityTestViewSet,
)

__all__ = [
    "INSPECTION_EXAMPLE",
    "MAX_HORIZON_DAYS",
    "TAGS",
    "WRITE_ROLES",
    "BanViewSet",
    "ConditionChangeViewSet",
    "InspectionViewSet",
    "LotSurveillanceApi",
    "ShelfLifeExtensionViewSet",
    "StabilityTestViewSet",
    "WorkListApi",
]
