"""Reference-data endpoints (DESIGN.md §11): depots, storehouses, licences, ammunition types,
recipients and waivers. Lists and details read through the scoped selectors (404 outside one's
scope); creation checks the role (403), then the input's shape (400), then calls the service.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

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


class _ReferenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List, retrieve and create. Subclasses name the action that creating needs and call their
    service in `perform_service`."""

    lookup_value_regex = r"[0-9]+"
    create_action: Action

    def create(self, request, *args, **kwargs):
        require(request.user, self.create_action)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_service(serializer.validated_data)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    def perform_service(self, data):
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(summary="Depots in your scope"),
    retrieve=extend_schema(summary="One depot (404 outside your scope)"),
    create=extend_schema(
        summary="Create a depot (admin)",
        examples=[
            OpenApiExample(
                "Depot",
                value={"code": "D04", "name": "Eastern Ammunition Depot", "region": "East"},
                request_only=True,
            )
        ],
    ),
)
class DepotViewSet(_ReferenceViewSet):
    serializer_class = DepotSerializer
    filterset_class = DepotFilter
    create_action = Action.MANAGE_REFERENCE

    def get_queryset(self):
        return selectors.depot_list(user=self.request.user)

    def perform_service(self, data):
        return services.depot_create(**data, created_by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Storehouses of the depots in your scope"),
    retrieve=extend_schema(summary="One storehouse (404 outside your scope)"),
    create=extend_schema(
        summary="Create a storehouse (admin)",
        description="`code` is unique within the depot.",
        examples=[
            OpenApiExample(
                "Earth-covered magazine",
                value={
                    "depot": 1,
                    "code": "ECM-01",
                    "name": "Earth-covered magazine 1",
                    "kind": "earth_covered_magazine",
                    "is_active": True,
                },
                request_only=True,
            )
        ],
    ),
)
class StorehouseViewSet(_ReferenceViewSet):
    serializer_class = StorehouseSerializer
    filterset_class = StorehouseFilter
    create_action = Action.MANAGE_REFERENCE

    def get_queryset(self):
        return selectors.storehouse_list(user=self.request.user)

    def perform_service(self, data):
        return services.storehouse_create(**data, created_by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Explosive licences of the storehouses in your scope"),
    retrieve=extend_schema(summary="One licence with its limits (404 outside your scope)"),
    create=extend_schema(
        summary="Record an explosive licence (admin)",
        description=(
            "`limits` maps a hazard division (1.1, 1.2.1, 1.2.2, 1.3, 1.4) to the maximum NEQ in "
            "kg as a decimal string, or null for unlimited; a division left out is not permitted. "
            "A storehouse has at most one licence in force on any day: a period overlapping "
            "another licence of the storehouse is refused with 400."
        ),
        examples=[
            OpenApiExample(
                "Licence with limits",
                value={
                    "storehouse": 1,
                    "number": "EL-2026-014",
                    "issuing_authority": "National Explosives Inspectorate",
                    "valid_from": "2026-01-01",
                    "valid_until": "2030-12-31",
                    "limits": {"1.1": "5000.000", "1.2.2": "2000.000", "1.4": None},
                },
                request_only=True,
            )
        ],
    ),
)
class LicenceViewSet(_ReferenceViewSet):
    serializer_class = LicenceSerializer
    filterset_class = LicenceFilter
    create_action = Action.MANAGE_REFERENCE

    def get_queryset(self):
        return selectors.licence_list(user=self.request.user)

    def perform_service(self, data):
        return services.licence_create(**data, created_by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Ammunition types (national reference data)"),
    retrieve=extend_schema(summary="One ammunition type"),
    create=extend_schema(
        summary="Create an ammunition type (admin)",
        description=(
            "The hazard code (division + compatibility group) must be one of the 35 legal UN "
            "codes; 1.2.1 and 1.2.2 are checked as 1.2. `hazard_code` is read-only."
        ),
        examples=[
            OpenApiExample(
                "Small arms cartridge",
                value={
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
                },
                request_only=True,
            )
        ],
    ),
)
class AmmunitionTypeViewSet(_ReferenceViewSet):
    serializer_class = AmmunitionTypeSerializer
    filterset_class = AmmunitionTypeFilter
    create_action = Action.MANAGE_REFERENCE

    def get_queryset(self):
        return selectors.ammunition_type_list(user=self.request.user)

    def perform_service(self, data):
        return services.ammunition_type_create(**data, created_by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="The register of recipients (national)"),
    retrieve=extend_schema(summary="One recipient"),
    create=extend_schema(
        summary="Add a recipient to the register (admin, officer)",
        examples=[
            OpenApiExample(
                "Military unit",
                value={
                    "code": "U-2BDE",
                    "name": "2nd Infantry Brigade",
                    "kind": "unit",
                    "depot": 1,
                    "permitted_restricted": False,
                    "is_active": True,
                },
                request_only=True,
            )
        ],
    ),
)
class RecipientViewSet(_ReferenceViewSet):
    serializer_class = RecipientSerializer
    filterset_class = RecipientFilter
    create_action = Action.MANAGE_RECIPIENTS

    def get_queryset(self):
        return selectors.recipient_list(user=self.request.user)

    def perform_service(self, data):
        return services.recipient_create(**data, created_by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Storage waivers of the storehouses in your scope"),
    retrieve=extend_schema(summary="One waiver (404 outside your scope)"),
    create=extend_schema(
        summary="Record a storage waiver (inspector of the depot, admin)",
        description=(
            "`rule` is the waivable rule: `n2` or `n4` (compatibility notes) or `isolation` "
            "(suspect stock with serviceable stock). `expires_on` may not be in the past. "
            "`recorded_by` and `recorded_at` are set by the server."
        ),
        examples=[
            OpenApiExample(
                "Segregation waiver",
                value={
                    "storehouse": 1,
                    "rule": "n2",
                    "reason": "CG F stored with CG D behind a protective traverse.",
                    "authority_reference": "NEI decision 2026/031",
                    "expires_on": "2026-12-31",
                },
                request_only=True,
            )
        ],
    ),
)
class WaiverViewSet(_ReferenceViewSet):
    serializer_class = WaiverSerializer
    filterset_class = WaiverFilter
    create_action = Action.RECORD_WAIVER

    def get_queryset(self):
        return selectors.waiver_list(user=self.request.user)

    def perform_service(self, data):
        return services.waiver_create(**data, recorded_by=self.request.user)
