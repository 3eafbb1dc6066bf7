"""The audit API (DESIGN.md §11): `ledger-verification/` (POST runs it), `ledger-checkpoints/`,
`audit-log/` and its CSV export. Auditors and admins only (403 for everyone else)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from audit.exports import audit_log_csv
from audit.filters import AuditEventFilter
from audit.models import AuditEvent, LedgerCheckpoint, LedgerVerification
from audit.selectors import (
    audit_event_list,
    checkpoint_list,
    verification_list,
)
from audit.services import (
    ledger_verification_progress,
    ledger_verification_queue,
    ledger_verification_run,
)
from core.api import LedgerViewSet, read_schema
from core.roles import Action
from core.scoping import require
from core.serializers import ReadOnlyModelSerializer, username_field


class BreakSerializer(serializers.Serializer):
    depot = serializers.CharField(help_text="Depot code.")
    line = serializers.IntegerField(allow_null=True, help_text="Ledger line id (null: the head).")
    document = serializers.CharField(allow_null=True, help_text="Document number of the line.")
    reason = serializers.CharField()


class VerificationSerializer(ReadOnlyModelSerializer):
    first_broken = BreakSerializer(allow_null=True)
    requested_by = username_field("requested_by", null=True)

    class Meta:
        model = LedgerVerification
        fields = [
            "id", "ok", "lines_checked", "depots_checked", "checkpoints_checked", "first_broken",
            "started_at", "finished_at", "requested_by", "mode",
        ]  # fmt: skip


class VerificationJobSerializer(serializers.Serializer):
    """A verification queued with `Prefer: respond-async` (the schema of its answers)."""

    job = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    progress = serializers.IntegerField(min_value=0, max_value=100)
    verification = serializers.IntegerField(allow_null=True)
    result = VerificationSerializer(allow_null=True)


class CheckpointSerializer(ReadOnlyModelSerializer):
    depot_code = serializers.CharField(source="depot.code", read_only=True)

    class Meta:
        model = LedgerCheckpoint
        fields = [
            "id",
            "depot",
            "depot_code",
            "line_count",
            "last_line_id",
            "head_hash",
            "taken_at",
            "verification",
        ]


class AuditEventSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "at", "actor", "actor_username", "action", "object_type", "object_id",
            "object_repr", "changes", "detail", "ip_address",
        ]  # fmt: skip


class CSVRenderer(BaseRenderer):
    """Lets a client ask for `Accept: text/csv`; the export streams its own body."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else b""


class _AuditorsOnly:
    audit_action = Action.READ_AUDIT

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require(request.user, self.audit_action)


@read_schema(
    "Past ledger verifications (auditors and admins)",
    "One ledger verification",
    list_description="Every run, by auditors and by the nightly job, newest first.",
    create=extend_schema(
        request=None,
        responses={200: VerificationSerializer, 202: VerificationJobSerializer},
        parameters=[
            OpenApiParameter(
                "Prefer",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="`respond-async`: queue the run in Celery and answer 202 at once "
                "with a job to follow at `Location` (`ledger-verification/jobs/{job}/`). "
                "Without it the run happens in the request and answers 200 with its result.",
            )
        ],
        summary="Verify the ledger now",
        description="Recomputes every depot's hash chain over the canonical line encoding and "
        "compares it with the chain heads and the checkpoints. `ok` is false when a line was "
        "changed, removed or inserted outside the posting service; `first_broken` names the "
        "depot and line. A break also raises a critical `ledger_tampered` alert. Auditors and "
        "admins.",
    ),
)
class LedgerVerificationViewSet(_AuditorsOnly, mixins.CreateModelMixin, LedgerViewSet):
    serializer_class = VerificationSerializer
    filter_backends: list = []
    audit_action = Action.VERIFY_LEDGER

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return LedgerVerification.objects.none()
        return verification_list(self.request.user)

    def create(self, request, *args, **kwargs):
        if _prefers_async(request):
            token = ledger_verification_queue(requested_by=request.user)
            state = ledger_verification_progress(token=token, user=request.user)
            response = Response(_job(token, state), status=status.HTTP_202_ACCEPTED)
            response["Location"] = request.build_absolute_uri(
                reverse("ledger-verification-job", kwargs={"token": token})
            )
            return response
        record = ledger_verification_run(requested_by=request.user)
        return Response(VerificationSerializer(record).data, status=status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses={200: VerificationJobSerializer},
        summary="A verification queued with `Prefer: respond-async`: its progress and result",
        description="`status` queued, running, done or failed; `progress` 0-100; when done, "
        "`verification` is the finished run's id (`ledger-verification/{id}/`) and `result` its "
        "`{ok, lines_checked, first_broken, ...}`. Only the auditor who queued it sees it (404 "
        "otherwise, and once it is a day old).",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"jobs/(?P<token>[A-Za-z0-9_-]{8,64})",
        url_name="job",
    )
    def job(self, request, token=None):
        state = ledger_verification_progress(token=token, user=request.user)
        if state is None:
            raise NotFound(_("No verification of yours with this token."))
        return Response(_job(token, state))


def _prefers_async(request) -> bool:
    """RFC 7240 `Prefer: respond-async`: queue the run in Celery and answer 202 at once."""
    preferences = request.headers.get("Prefer", "")
    return any(p.strip().lower() == "respond-async" for p in preferences.split(","))


def _job(token: str, state: dict) -> dict:
    result = None
    if state.get("verification"):
        record = LedgerVerification.objects.filter(pk=state["verification"]).first()
        result = VerificationSerializer(record).data if record else None
    return {
        "job": token,
        "status": state["status"],
        "progress": state["progress"],
        "verification": state.get("verification"),
        "result": result,
    }


@read_schema(
    "Ledger checkpoints (auditors and admins)",
    "One checkpoint",
    list_description="Each depot's chain head as recorded nightly: keep the `export/` copy "
    "outside the database so even a rewritten chain is caught.",
)
class LedgerCheckpointViewSet(_AuditorsOnly, LedgerViewSet):
    serializer_class = CheckpointSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return LedgerCheckpoint.objects.none()
        return checkpoint_list(self.request.user)


@read_schema(
    "The audit log (auditors and admins)",
    "One audit log entry",
    list_description="Sign-ins and failed sign-ins, changes to reference data, depots, users, "
    "roles, memberships, waivers and policy (before/after), downloads, exports and ledger "
    "verifications. Newest first; cursor-paginated.",
)
class AuditEventViewSet(_AuditorsOnly, LedgerViewSet):
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AuditEvent.objects.none()
        return audit_event_list(self.request.user)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
        summary="Export the audit log as CSV",
        description="The same filters as the list. The export itself is logged.",
        filters=True,
        parameters=[OpenApiParameter("format", exclude=True)],
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        renderer_classes=[JSONRenderer, CSVRenderer],  # errors as JSON unless CSV is asked
    )
    def export(self, request):
        events = self.filter_queryset(self.get_queryset())
        return audit_log_csv(request, events)
