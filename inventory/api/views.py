from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.roles import Action
from core.scoping import require
from inventory.api.serializers import DepotSerializer
from inventory.filters import DepotFilter
from inventory.selectors import reference as selectors
from inventory.services import reference as services


@extend_schema_view(
    list=extend_schema(summary="Depots in your scope"),
    retrieve=extend_schema(summary="One depot (404 outside your scope)"),
    create=extend_schema(summary="Create a depot (admin)"),
)
class DepotViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DepotSerializer
    lookup_value_regex = r"[0-9]+"
    filterset_class = DepotFilter

    def get_queryset(self):
        return selectors.depot_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        require(request.user, Action.MANAGE_REFERENCE)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        depot = services.depot_create(**serializer.validated_data, created_by=request.user)
        return Response(self.get_serializer(depot).data, status=status.HTTP_201_CREATED)
