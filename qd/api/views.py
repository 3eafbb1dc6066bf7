"""Quantity-distance endpoints (docs/api.md, DESIGN.md §13): the calculator (any signed-in
user), exposed sites (read in scope, written by administrators), a storehouse's QD assessment,
and a licence version generated from QD."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import request_examples, validated
from core.roles import Action
from core.scoping import require
from inventory.api.serializers import LicenceSerializer
from inventory.selectors.reference import licence_list, storehouse_list
from qd import rules, services
from qd.api.serializers import (
    AssessResultSerializer,
    AssessSerializer,
    DistancesQuerySerializer,
    DistancesSerializer,
    ExposedSiteSerializer,
    SiteImportResultSerializer,
    SiteImportSerializer,
    StorehouseQdSerializer,
    kg_text,
    storehouse_qd_data,
)
from qd.filters import ExposedSiteFilter
from qd.selectors import exposed_site_list, storehouse_qd


class QdDistancesApi(APIView):
    @extend_schema(
        summary="Distances for one hazard division and NEQ (calculator)",
        parameters=[DistancesQuerySerializer],
        responses=DistancesSerializer,
    )
    def get(self, request):
        query = DistancesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division, neq = query.validated_data["hazard_division"], query.validated_data["neq_kg"]
        return Response(
            {
                "hazard_division": division,
                "neq_kg": kg_text(neq),
                "distances": rules.distances(division, neq),
            }
        )


class QdAssessApi(APIView):
    @extend_schema(
        summary="Distances for mixed contents (aggregated per DESIGN.md §4)",
        request=AssessSerializer,
        responses=AssessResultSerializer,
        examples=request_examples({"1.1 with 1.3": {"contents": {"1.1": "1000", "1.3": "5000"}}}),
    )
    def post(self, request):
        assessed = validated(AssessSerializer, request)["assessed"]
        return Response(
            {
                "assessed": [
                    {"as": a.division, "neq_kg": kg_text(a.neq_kg), "reason": a.reason}
                    for a in assessed
                ],
                "distances": rules.mixed_distances(assessed),
            }
        )


class ExposedSiteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Exposed sites of the depots in scope; administrators register and change them."""

    serializer_class = ExposedSiteSerializer
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = ExposedSiteFilter

    def get_queryset(self):
        return exposed_site_list(user=self.request.user)

    @extend_schema(summary="Register an exposed site with its distances (admin)")
    def create(self, request, *args, **kwargs):
        require(request.user, Action.MANAGE_REFERENCE)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        site = services.exposed_site_create(
            depot=data["depot"],
            name=data["name"],
            kind=data["kind"],
            note=data.get("note", ""),
            distances=data.get("distances", []),
            created_by=request.user,
        )
        return Response(self._fresh(site.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an exposed site (admin); `distances` given replaces the whole set"
    )
    def partial_update(self, request, *args, **kwargs):
        site = self.get_object()
        require(request.user, Action.MANAGE_REFERENCE, site.depot_id)
        serializer = self.get_serializer(site, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.exposed_site_update(
            exposed_site=site,
            changed_by=request.user,
            name=data.get("name"),
            kind=data.get("kind"),
            note=data.get("note"),
            distances=data.get("distances"),
        )
        return Response(self._fresh(site.pk))

    @extend_schema(
        summary="Import a depot's exposed sites from CSV (admin); all or nothing",
        request=SiteImportSerializer,
        responses={201: SiteImportResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request):
        require(request.user, Action.MANAGE_REFERENCE)
        values = validated(SiteImportSerializer, request)
        result = services.exposed_sites_import(
            depot=values["depot"], csv_text=values["csv"], imported_by=request.user
        )
        return Response(
            {"created": result.created, "updated": result.updated, "distances": result.distances},
            status=status.HTTP_201_CREATED,
        )

    def _fresh(self, pk: int) -> dict:
        site = exposed_site_list(user=self.request.user).get(pk=pk)
        return self.get_serializer(site).data


class StorehouseQdApi(APIView):
    @extend_schema(
        summary="What the storehouse's exposed sites permit, and whether its licence stays within",
        responses=StorehouseQdSerializer,
    )
    def get(self, request, pk: int):
        storehouse = get_object_or_404(storehouse_list(user=request.user), pk=pk)
        return Response(storehouse_qd_data(storehouse_qd(storehouse)))


class LicenceFromQdApi(APIView):
    @extend_schema(
        summary="Generate a new version of the licence from QD (admin)",
        request=None,
        responses=LicenceSerializer,
    )
    def post(self, request, pk: int):
        licence = get_object_or_404(licence_list(user=request.user), pk=pk)
        require(request.user, Action.MANAGE_REFERENCE, licence.storehouse.depot_id)
        licence = services.licence_from_qd(licence=licence, generated_by=request.user)
        fresh = licence_list(user=request.user).get(pk=licence.pk)
        return Response(LicenceSerializer(fresh, context={"request": request}).data)
