"""The imports API (DESIGN.md §11, §14; issue 19): upload a file (multipart), poll an import,
list them, download a template or a depot's balances in the import's format.

A request checks its shape (400 with field errors), then imports.services checks role and scope
(403; an out-of-scope depot is the same 400 as one that does not exist), the rate limit (429),
the duplicate rule (409 `duplicate_import`) and every row. A file with any error answers 400
`{"status": "rejected", "rows", "errors": [{row, column, code, detail}]}` and writes nothing.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api import LedgerViewSet, read_schema, validated
from core.openapi import file_download
from core.scoping import scope
from imports import exports, selectors, services
from imports.api import serializers as s
from imports.models import ImportKind, ImportStatus
from inventory.models import Depot

TAGS = ["imports"]
FORMAT = OpenApiParameter(
    "format", {"type": "string", "enum": list(exports.FORMATS)}, required=False
)


def _format(request) -> str:
    raw = request.query_params.getlist("format") or ["csv"]
    if len(raw) != 1 or raw[0] not in exports.FORMATS:
        raise serializers.ValidationError({"format": ["One of csv, xlsx."]})
    return raw[0]


@extend_schema(tags=TAGS)
@read_schema(
    "Imports you may read, newest first",
    "One import: status, progress, errors, the documents it posted",
    list_description="Opening balances of your depots; reference-data imports for national "
    "readers. Cursor-paginated.",
    retrieve_description="Poll a queued import until `status` is `imported` (then `documents` "
    "lists the opening-balance documents) or `rejected` (then `errors` says why).",
)
class ImportViewSet(LedgerViewSet):
    serializer_class = s.ImportSerializer
    # The one body this resource reads is the upload (issue 21 keeps JSON bodies elsewhere).
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return selectors.import_list(user=self.request.user)

    @extend_schema(
        summary="Import a CSV or XLSX file: opening balances or reference data",
        description="Multipart: `file`, `kind` (`opening_balances`; `ammunition_types`, "
        "`recipients`, `parties` for administrators), `depot` (opening balances), `dry_run`, "
        "`reference`. Every row is checked, then every safe-storage rule on each storehouse's "
        "contents after the whole file. 200 `validated` (a clean dry run), 400 `rejected` with "
        "every error (nothing written), 201 `imported`, 202 `queued` for a file with more rows "
        "than IMPORT_ASYNC_ROWS (poll `imports/{id}/`), 409 `duplicate_import` for the same file "
        "again in the same depot. See docs/import.md.",
        request={"multipart/form-data": s.ImportRequestSerializer},
        responses={
            200: OpenApiResponse(s.ImportOutcomeSerializer, description="A clean dry run."),
            201: s.ImportSerializer,
            202: s.ImportSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Rejected: `{status: rejected, rows, errors: [{row, column, code, "
                "detail}]}`, nothing written; or, for a request of the wrong shape (no file, an "
                "unknown kind, a depot out of scope), the usual field errors.",
            ),
        },
    )
    def create(self, request):
        values = validated(s.ImportRequestSerializer, request)
        upload = values["file"]
        if upload.size > services.max_upload_bytes():
            raise serializers.ValidationError({"file": ["The file is too large."]})
        outcome = services.import_submit(
            user=request.user,
            kind=values["kind"],
            depot=values.get("depot"),
            file_name=upload.name or "upload",
            data=upload.read(),
            reference=values["reference"],
            dry_run=values["dry_run"],
        )
        if outcome.status == ImportStatus.REJECTED:
            body = {"status": outcome.status, "rows": outcome.rows, "errors": outcome.errors}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        if outcome.run is None:
            return Response({"status": outcome.status, "rows": outcome.rows, "errors": []})
        code = status.HTTP_201_CREATED
        if outcome.status == ImportStatus.QUEUED:
            code = status.HTTP_202_ACCEPTED
        return self._answer(outcome.run, code)

    @extend_schema(
        summary="A blank import file: the header and one example row",
        parameters=[
            OpenApiParameter("kind", {"type": "string", "enum": ImportKind.values}, required=False),
            FORMAT,
        ],
        responses=file_download("The template.", "text/csv", exports.XLSX_TYPE),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def template(self, request):
        kind = request.query_params.get("kind", ImportKind.OPENING_BALANCES)
        if kind not in ImportKind.values:
            raise serializers.ValidationError({"kind": ["Not a kind of import."]})
        return exports.template_response(kind, _format(request))

    @extend_schema(
        summary="A depot's balances in the import's format (to move it to another installation)",
        description="`depot` (required), `format` csv (default) or xlsx. Importing the file into "
        "an empty installation with the same storehouses and types gives the same balances. "
        "Rate-limited like every export, and logged.",
        parameters=[OpenApiParameter("depot", int, required=True), FORMAT],
        responses={
            **file_download("The balances.", "text/csv", exports.XLSX_TYPE),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such depot in your scope."),
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        depot_id = request.query_params.get("depot", "")
        if not depot_id.isdigit():
            raise serializers.ValidationError({"depot": ["Give the depot's id."]})
        depot = get_object_or_404(
            scope(Depot.objects.all(), request.user, depot_field="pk"), pk=depot_id
        )
        return exports.balances_export_response(request, depot, _format(request))

    def perform_content_negotiation(self, request, force=False):
        # A file answers whatever the client accepts; `?format=csv` names the file's format here,
        # not a renderer (nor on a method the route does not allow: 405, not 404).
        return super().perform_content_negotiation(
            request, force=force or self.action in ("template", "export", None)
        )
