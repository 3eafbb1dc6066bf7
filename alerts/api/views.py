"""Alerts and job runs over the API (DESIGN.md §11): `alerts/`, `alerts/{id}/acknowledge/`,
`job-runs/`. Alerts outside one's depots are 404; job runs are for admins and auditors (403)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.filters import AlertFilter, JobRunFilter
from alerts.models import Alert
from alerts.selectors import alert_list
from alerts.services import alert_acknowledge
from core.drf import LedgerPagination
from core.models import JobRun
from core.roles import Action
from core.scoping import require


class AlertSerializer(serializers.ModelSerializer):
    depot_code = serializers.CharField(source="depot.code", read_only=True)
    lot_number = serializers.CharField(source="lot.lot_number", allow_null=True, default=None)
    storehouse_code = serializers.CharField(source="storehouse.code", allow_null=True, default=None)
    document_number = serializers.CharField(source="document.number", allow_null=True, default=None)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", allow_null=True, default=None
    )
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "kind", "severity", "depot", "depot_code", "lot", "lot_number", "storehouse",
            "storehouse_code", "document", "document_number", "message", "details",
            "first_seen", "last_seen", "resolved_at", "is_open", "acknowledged_by",
            "acknowledged_at",
        ]  # fmt: skip
        read_only_fields = fields


class JobRunSerializer(serializers.ModelSerializer):
    rows_touched = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = JobRun
        fields = [
            "id", "name", "started_at", "finished_at", "outcome", "rows_touched", "error",
            "attempt",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Alerts in your depots, newest first",
        description="Open and resolved alerts of the depots you may read. Filter with `kind`, "
        "`severity`, `depot` and `resolved` (false: open only). Cursor-paginated.",
    ),
    retrieve=extend_schema(summary="One alert (404 outside your depots)"),
)
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AlertSerializer
    pagination_class = LedgerPagination
    filterset_class = AlertFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return alert_list(user=self.request.user)

    @extend_schema(
        request=None,
        responses={200: AlertSerializer},
        summary="Acknowledge an alert",
        description="Records who has seen the alert. Anyone who may read its depot may, except "
        "auditors (403). Acknowledging a transit discrepancy, loss or unstable-propellant alert "
        "also resolves it. Acknowledging again keeps the first acknowledgement.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        alert_acknowledge(alert=alert, user=request.user)
        return Response(AlertSerializer(self.get_queryset().get(pk=alert.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Runs of the scheduled jobs (admins and auditors)",
        description="Each run of the surveillance sweep, ledger reconciliation and e-mail "
        "digest: start, end, outcome (`skipped_locked` when another worker held the job's "
        "lock), rows touched per kind, error. Newest first; filter with `name`, `outcome`.",
    ),
    retrieve=extend_schema(summary="One job run (admins and auditors)"),
)
class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JobRunSerializer
    pagination_class = LedgerPagination
    filterset_class = JobRunFilter
    lookup_value_regex = r"[0-9]+"
    queryset = JobRun.objects.all()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require(request.user, Action.READ_AUDIT)
