"""The reports API (DESIGN.md §10, §11): request a report, poll it, download it, verify one.

Reads go through the scoped selector (404 outside what one may read). A request checks the role
(403), the input's shape and the parameters' scope (400, an out-of-scope object like one that does
not exist), then calls reports.services; nothing is written by a refused request.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api import LedgerViewSet, post_schema, read_schema, validated
from core.api_flows import object_post
from core.idempotency import idempotent
from core.openapi import file_download, refused
from inventory.errors import InvalidState
from reports import selectors, services
from reports.api import serializers as s
from reports.files import FORMATS, report_file_response
from reports.filters import ReportFilter
from reports.models import ReportStatus

TAGS = ["reports"]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def field_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service's refusal as the API's 400: parameter errors nested under `parameters`."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    top = {name: messages for name, messages in errors.items() if name in ("kind", "parameters")}
    nested = {name: messages for name, messages in errors.items() if name not in top}
    if nested:
        top["parameters"] = nested
    return serializers.ValidationError(top)


@extend_schema(tags=TAGS)
@read_schema(
    "Reports you may read, newest first",
    "One report: status, progress, digest (404 outside what you may read)",
    list_description="Filters: `kind`, `status`, `depot`. Cursor-paginated.",
    retrieve_description="Poll until `status` is `done` (then `downloads` lists the files) or "
    "`failed` (then `error` says why; POST retry/ to try again).",
)
class ReportViewSet(LedgerViewSet):
    serializer_class = s.ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        return selectors.report_list(user=self.request.user)

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file whatever the client accepts.
        return super().perform_content_negotiation(
            request, force=force or self.action == "download"
        )

    @post_schema(
        "Request a report (rendered in the background)",
        s.ReportRequestSerializer,
        s.ReportSerializer,
        status.HTTP_202_ACCEPTED,
        description="Clerks, inspectors, officers, auditors and administrators, about what they "
        "may read. Answers 202 with the report's `id`, `number` and `status`: `queued`, or "
        "already `done` for a small report rendered at once. The report covers the ledger "
        "lines posted up to now (its cut-off).",
        examples={
            "Depot accounting statement": {
                "kind": "accounting_statement",
                "parameters": {
                    "depot": 1,
                    "period_start": "2026-01-01",
                    "period_end": "2026-03-31",
                },
            },
            "Stock card": {"kind": "stock_card", "parameters": {"lot": 12, "depot": 1}},
        },
    )
    @idempotent
    def create(self, request):
        values = validated(s.ReportRequestSerializer, request)
        try:
            run = services.report_request(**values, requested_by=request.user)
        except DjangoValidationError as exc:
            raise field_errors(exc) from exc
        return self._answer(run, status.HTTP_202_ACCEPTED)

    @object_post(
        "Render a failed report again",
        None,
        s.ReportSerializer,
        status.HTTP_202_ACCEPTED,
        schema=post_schema,
        description="Only a `failed` report (409 `invalid_state` otherwise). Answers 202.",
    )
    def retry(self, request, pk=None):
        run = get_object_or_404(self.get_queryset(), pk=pk)
        run = services.report_retry(run=run, retried_by=request.user)
        return self._answer(run, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download a report (PDF, or CSV/XLSX for tabular reports)",
        description="`format` is `pdf` (default), `csv` or `xlsx`. 409 `invalid_state` until the "
        "report is done; 404 for a format the report does not have. Every download is in the "
        "audit log.",
        parameters=[
            OpenApiParameter("format", {"type": "string", "enum": list(FORMATS)}, required=False)
        ],
        responses={
            **file_download(
                "The file, as an attachment; its Content-Type names the format.",
                *(content_type.split(";")[0] for _field, content_type in FORMATS.values()),
            ),
            **refused("`invalid_state`: the report is not done."),
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def download(self, request, pk=None):
        run = get_object_or_404(self.get_queryset(), pk=pk)
        raw = request.query_params.getlist("format") or ["pdf"]
        if len(raw) != 1 or raw[0] not in FORMATS:
            raise serializers.ValidationError({"format": ["One of pdf, csv, xlsx."]})
        if run.status != ReportStatus.DONE:
            raise InvalidState(f"Report {run.number} is {run.get_status_display()}: not ready.")
        return report_file_response(run, request, raw[0])

    @extend_schema(
        summary="Does the ledger still match a report?",
        description="Send the report's `number` (JSON) or the PDF itself as `file` (multipart). "
        "The system recomputes the digest over the ledger lines the report covered and checks "
        "that no line of its content was posted after its cut-off (a reversal, say); an "
        "uploaded PDF must also be, byte for byte, the file the system made. An unknown number, "
        "or a report you may not read, is 400.",
        # Each body says what it carries. The multipart one has no required field (number or
        # file), so the request body as a whole is optional in the schema: openapi-python-client
        # 0.29 emits code that does not import (issue 1451 there) for a required body offered in
        # two media types on an operation without optional parameters.
        request={
            "application/json": s.ReportVerifyByNumberSerializer,
            "multipart/form-data": s.ReportVerifyUploadSerializer,
        },
        responses={200: s.ReportVerificationSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[JSONParser, MultiPartParser],
        pagination_class=None,
        filterset_class=None,
    )
    def verify(self, request):
        values = validated(s.ReportVerifyUploadSerializer, request)
        upload = values.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError({"file": ["The file is too large."]})
        try:
            result = services.report_verify(
                user=request.user,
                runs=self.get_queryset(),
                number=values.get("number"),
                pdf_data=upload.read() if upload is not None else None,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(s.ReportVerificationSerializer(result).data)
