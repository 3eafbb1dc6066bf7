"""Alerts and job runs over the API (DESIGN.md §11): `alerts/`, `alerts/{id}/acknowledge/`,
`job-runs/`. Alerts outside one's depots are 404; job runs are for admins and auditors (403)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from alerts.filters import AlertFilter, JobRunFilter
from alerts.models import Alert
from alerts.selectors import alert_list
from alerts.services import alert_acknowledge
from core.api import LedgerViewSet, read_schema
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


@read_schema(
    "Alerts in your depots, newest first",
    "One alert (404 outside your depots)",
    list_description="Open and resolved alerts of the depots you may read. Filter with `kind`, "
    "`severity`, `depot` and `resolved` (false: open only). Cursor-paginated.",
)
class AlertViewSet(LedgerViewSet):
    serializer_class = AlertSerializer
    filterset_class = AlertFilter

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
        return self._answer(alert)


@read_schema(
    "Runs of the scheduled jobs (admins and auditors)",
    "One job run (admins and auditors)",
    list_description="Each run of the surveillance sweep, ledger reconciliation and e-mail "
    "digest: start, end, outcome (`skipped_locked` when another worker held the job's "
    "lock), rows touched per kind, error. Newest first; filter with `name`, `outcome`.",
)
class JobRunViewSet(LedgerViewSet):
    serializer_class = JobRunSerializer
    filterset_class = JobRunFilter
    queryset = JobRun.objects.all()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require(request.user, Action.READ_AUDIT)
