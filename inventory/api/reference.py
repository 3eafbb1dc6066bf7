"""Reference-data endpoints (DESIGN.md §11): depots, storehouses, licences, ammunition types,
recipients and waivers. Lists and details read through the scoped selectors (404 outside one's
scope); creation checks the role (403), then the input's shape (400), then calls the service.
"""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from core.api import ReadViewSet, read_schema, request_examples
from core.roles import Action
from core.scoping import require
from inventory.api.serializers import (
    AmmunitionTypeSerializer,
    DepotSerializer,
    LicenceSerializer,
    RecipientSerializer,
    StorehouseSerializer,
    WaiverSerializer,
)
from inventory.filters import (
    AmmunitionTypeFilter,
    DepotFilter,
    LicenceFilter,
    RecipientFilter,
    StorehouseFilter,
    WaiverFilter,
)
from inventory.selectors import reference as selectors
from inventory.services import reference as services

# The operations' description in the schema (it used to be the base class's docstring, a note
# for developers that integrators read).
_DESCRIPTION = (
    "Reference data: list and retrieve what your depot scope covers; create where your role "
    "allows it (403 otherwise)."
)


def _reference_schema(
    list_summary, retrieve_summary, create_summary, examples, *, create_description=_DESCRIPTION
):
    """The list, detail and create operations of one kind of reference data."""
    return read_schema(
        list_summary,
        retrieve_summary,
        list_description=_DESCRIPTION,
        retrieve_description=_DESCRIPTION,
        create=extend_schema(
            summary=create_summary,
            description=create_description,
            examples=request_examples(examples),
        ),
    )


# List, retrieve and create one kind of reference data: rows read through its scoped selector,
# created by its service once the role (403) and the body (400) pass. (No docstring: the schema
# would give it as the description of every operation.)
class _ReferenceViewSet(mixins.CreateModelMixin, ReadViewSet):
    create_action = Action.MANAGE_REFERENCE
    list_selector: Callable[..., QuerySet]
    create_service: Callable[..., Model]
    author = "created_by"  # the service's keyword for the user who records the row

    def get_queryset(self):
        return self.list_selector(user=self.request.user)

    def create(self, request, *args, **kwargs):
        require(request.user, self.create_action)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_service(**serializer.validated_data, **{self.author: request.user})
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)


@_reference_schema(
    "Depots in your scope",
    "One depot (404 outside your scope)",
    "Create a depot (admin)",
    {"Depot": {"code": "D04", "name": "Eastern Ammunition Depot", "region": "East"}},
)
class DepotViewSet(_ReferenceViewSet):
    serializer_class = DepotSerializer
    filterset_class = DepotFilter
    list_selector = staticmethod(selectors.depot_list)
    create_service = staticmethod(services.depot_create)


@_reference_schema(
    "Storehouses of the depots in your scope",
    "One storehouse (404 outside your scope)",
    "Create a storehouse (admin)",
    {
        "Earth-covered magazine": {
            "depot": 1,
            "code": "ECM-01",
            "name": "Earth-covered magazine 1",
            "kind": "earth_covered_magazine",
            "is_active": True,
        }
    },
    create_description="`code` is unique within the depot.",
)
class StorehouseViewSet(_ReferenceViewSet):
    serializer_class = StorehouseSerializer
    filterset_class = StorehouseFilter
    list_selector = staticmethod(selectors.storehouse_list)
    create_service = staticmethod(services.storehouse_create)


@_reference_schema(
    "Explosive licences of the storehouses in your scope",
    "One licence with its limits (404 outside your scope)",
    "Record an explosive licence (admin)",
    {
        "Licence with limits": {
            "storehouse": 1,
            "number": "EL-2026-014",
            "issuing_authority": "National Explosives Inspectorate",
            "valid_from": "2026-01-01",
            "valid_until": "2030-12-31",
            "limits": {"1.1": "5000.000", "1.2.2": "2000.000", "1.4": None},
        }
    },
    create_description=(
        "`limits` maps a hazard division (1.1, 1.2.1, 1.2.2, 1.3, 1.4) to the maximum NEQ in "
        "kg as a decimal string, or null for unlimited; a division left out is not permitted. "
        "A storehouse has at most one licence in force on any day: a period overlapping "
        "another licence of the storehouse is refused with 400."
    ),
)
class LicenceViewSet(_ReferenceViewSet):
    serializer_class = LicenceSerializer
    filterset_class = LicenceFilter
    list_selector = staticmethod(selectors.licence_list)
    create_service = staticmethod(services.licence_create)


@_reference_schema(
    "Ammunition types (national reference data)",
    "One ammunition type",
    "Create an ammunition type (admin)",
    {
        "Small arms cartridge": {
            "code": "CTG-762x39-BALL",
            "name": "Cartridge 7.62 x 39 mm ball",
            "category": "small_arms",
            "calibre": "7.62 x 39 mm",
            "hazard_division": "1.4",
            "compatibility_group": "S",
            "neq_per_unit_kg": "0.001600",
            "unit": "round",
            "shelf_life_months": 240,
            "contains_propellant": True,
            "packaging": "Metal liner in wooden box, 1,440 rounds",
        }
    },
    create_description=(
        "The hazard code (division + compatibility group) must be one of the 35 legal UN "
        "codes; 1.2.1 and 1.2.2 are checked as 1.2. `hazard_code` is read-only."
    ),
)
class AmmunitionTypeViewSet(_ReferenceViewSet):
    serializer_class = AmmunitionTypeSerializer
    filterset_class = AmmunitionTypeFilter
    list_selector = staticmethod(selectors.ammunition_type_list)
    create_service = staticmethod(services.ammunition_type_create)


@_reference_schema(
    "The register of recipients (national)",
    "One recipient",
    "Add a recipient to the register (admin, officer)",
    {
        "Military unit": {
            "code": "U-2BDE",
            "name": "2nd Infantry Brigade",
            "kind": "unit",
            "depot": 1,
            "permitted_restricted": False,
            "is_active": True,
        }
    },
)
class RecipientViewSet(_ReferenceViewSet):
    serializer_class = RecipientSerializer
    filterset_class = RecipientFilter
    create_action = Action.MANAGE_RECIPIENTS
    list_selector = staticmethod(selectors.recipient_list)
    create_service = staticmethod(services.recipient_create)


@_reference_schema(
    "Storage waivers of the storehouses in your scope",
    "One waiver (404 outside your scope)",
    "Record a storage waiver (inspector of the depot, admin)",
    {
        "Segregation waiver": {
            "storehouse": 1,
            "rule": "n2",
            "reason": "CG F stored with CG D behind a protective traverse.",
            "authority_reference": "NEI decision 2026/031",
            "expires_on": "2026-12-31",
        }
    },
    create_description=(
        "`rule` is the waivable rule: `n2` or `n4` (compatibility notes) or `isolation` "
        "(suspect stock with serviceable stock). `expires_on` may not be in the past. "
        "`recorded_by` and `recorded_at` are set by the server."
    ),
)
class WaiverViewSet(_ReferenceViewSet):
    serializer_class = WaiverSerializer
    filterset_class = WaiverFilter
    create_action = Action.RECORD_WAIVER
    list_selector = staticmethod(selectors.waiver_list)
    create_service = staticmethod(services.waiver_create)
    author = "recorded_by"
