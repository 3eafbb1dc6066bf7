"""Inspections, stability tests and condition changes: surveillance records posted
with their files and their effect on the lot."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api import post_schema, read_schema, validated
from core.api_flows import object_post
from core.idempotency import idempotent
from core.openapi import file_download
from core.roles import Action
from core.scoping import require
from surveillance import selectors, services
from surveillance.api import serializers as s
from surveillance.api.filters import (
    ConditionChangeFilter,
    InspectionFilter,
    StabilityTestFilter,
)
from surveillance.api.views.common import (
    TAGS,
    WRITE_ROLES,
    RecordViewSet,
    require_recorder,
)
from surveillance.files import attachment_response
from surveillance.models import (
    Inspection,
    InspectionAttachment,
    StabilityTest,
)

# --- Inspections ----------------------------------------------------------------------------------


@contextmanager
def _files_removed_on_failure():
    """Collect the attachments saved inside the block; if it fails (a later file refused, say),
    their rows roll back with the transaction and their files are removed from storage too."""
    saved: list[InspectionAttachment] = []
    try:
        yield saved
    except BaseException:
        for attachment in saved:
            attachment.file.storage.delete(attachment.file.name)
        raise


def _attach(inspection, uploads, user, saved: list[InspectionAttachment]) -> None:
    """Add each upload to the inspection, noting what was saved for `_files_removed_on_failure`."""
    for upload in uploads:
        saved.append(
            services.attachment_add(inspection=inspection, upload=upload, uploaded_by=user)
        )


def _inspections(queryset=None):
    queryset = Inspection.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "lot__ammunition_type", "depot", "storehouse", "inspector"
    ).prefetch_related("attachments__uploaded_by")


INSPECTION_EXAMPLE = {
    "lot": 12,
    "depot": 1,
    "storehouse": 3,
    "kind": "periodic",
    "inspected_on": "2026-11-20",
    "sample_size": 32,
    "findings": "Light surface rust on 3 of 32 containers; seals intact; markings legible.",
    "condition": "A",
    "authority_reference": "ATO-D01-2026-041",
}


@extend_schema(tags=TAGS)
@read_schema(
    "Inspections in your depots, newest recorded first",
    "One inspection with its attachments (404 outside your depots)",
    list_description="Filters: `lot`, `depot`, `kind`, `inspected_from`, `inspected_until`. "
    "Cursor-paginated.",
)
class InspectionViewSet(RecordViewSet):
    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilter
    # An inspection may be recorded with its photos (multipart) or without (JSON).
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return _inspections(selectors.inspection_list(self.request.user))

    def answer_queryset(self):
        return _inspections()

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file whatever the client accepts.
        return super().perform_content_negotiation(
            request, force=force or self.action == "download"
        )

    @post_schema(
        "Record an inspection (IATG 07.20)",
        {
            "application/json": s.InspectionCreateSerializer,
            "multipart/form-data": s.InspectionUploadSerializer,
        },
        s.InspectionSerializer,
        status.HTTP_201_CREATED,
        description=f"{WRITE_ROLES} `depot` may be left out when you act in one depot or only "
        "one of your depots holds the lot. A `condition` other than the lot's posts a "
        "condition-change document in every depot holding the lot (409 `lot_held_elsewhere` "
        "when it would improve stock held outside your depots). Send JSON, or multipart form "
        "data with `attachments` (JPEG, PNG or PDF files; wrong type or oversized: 400). The "
        "next inspection falls due after the type's interval (`next_due_on`).",
        examples={"Periodic inspection": INSPECTION_EXAMPLE},
    )
    @idempotent
    def create(self, request):
        require_recorder(request.user)
        values = validated(s.InspectionUploadSerializer, request)
        depot = s.depot_for(request.user, values["lot"], values.get("depot"))
        with _files_removed_on_failure() as saved, transaction.atomic():
            inspection = services.inspection_record(
                lot=values["lot"],
                depot=depot,
                storehouse=values.get("storehouse"),
                kind=values["kind"],
                inspected_on=values["inspected_on"],
                sample_size=values["sample_size"],
                findings=values["findings"],
                condition=values["condition"].code,
                inspector=request.user,
                authority_reference=values["authority_reference"],
            )
            _attach(inspection, values["attachments"], request.user, saved)
        return self._answer(inspection, status.HTTP_201_CREATED)

    @object_post(
        "Attach photos or scanned forms to an inspection",
        {"multipart/form-data": s.AttachmentUploadSerializer},
        s.InspectionSerializer,
        status.HTTP_201_CREATED,
        schema=post_schema,
        route={"url_path": "attachments", "parser_classes": [MultiPartParser]},
        description=f"{WRITE_ROLES} Multipart form data with one or more `attachments` (JPEG, "
        "PNG or PDF, recognised by content, each within STOCKPILE_ATTACHMENT_MAX_BYTES); a wrong "
        "type or an oversized file is 400 and nothing is kept. Answers with the inspection.",
    )
    def attachments(self, request, pk=None):
        inspection = get_object_or_404(self.get_queryset(), pk=pk)
        require(request.user, Action.RECORD_SURVEILLANCE, inspection.depot_id)
        values = validated(s.AttachmentUploadSerializer, request)
        with _files_removed_on_failure() as saved, transaction.atomic():
            _attach(inspection, values["attachments"], request.user, saved)
        return self._answer(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download an attachment (404 outside your depots)",
        description="The file as stored, with its content type, as an attachment.",
        responses=file_download(
            "The file as stored; its Content-Type is the one recognised at upload.",
            *(media_type for media_type, _suffix in services.ATTACHMENT_SIGNATURES.values()),
        ),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)/download",
        pagination_class=None,
        filterset_class=None,
    )
    def download(self, request, pk=None, attachment_id=None):
        inspection = get_object_or_404(self.get_queryset(), pk=pk)
        attachment = get_object_or_404(
            InspectionAttachment.objects.filter(inspection=inspection), pk=attachment_id
        )
        return attachment_response(attachment, request)


# --- Stability tests ------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@read_schema(
    "Propellant stability tests in your depots, newest recorded first",
    "One stability test (404 outside your depots)",
    list_description="Filters: `lot`, `depot`, `method`, `category`, `sampled_from`, "
    "`sampled_until`. Cursor-paginated.",
)
class StabilityTestViewSet(RecordViewSet):
    serializer_class = s.StabilityTestSerializer
    filterset_class = StabilityTestFilter

    def get_queryset(self):
        return selectors.stability_test_list(self.request.user)

    def answer_queryset(self):
        return StabilityTest.objects.select_related("lot", "depot", "tested_by")

    @post_schema(
        "Record a propellant stability test (IATG 07.10)",
        s.StabilityTestCreateSerializer,
        s.StabilityTestSerializer,
        status.HTTP_201_CREATED,
        description=f"{WRITE_ROLES} Content methods (`hplc`, `gc`, `tlc`) give "
        "`initial_content_pct` and `measured_content_pct` (decimal strings); pass/fail methods "
        "(`heat_flow_calorimetry`, `vacuum_stability`, `abel_heat`) give `passed`. The stability "
        "policy table maps the result to `category`, `action`, `next_test_due`, "
        "`resulting_condition` and `dispose_by`; a result calling for a worse condition posts "
        "the condition change itself (the system user, on your behalf), and an unstable result "
        "raises a critical alert. Only propellant-bearing lots are tested (400 otherwise).",
        examples={
            "Stabiliser content by HPLC": {
                "lot": 12,
                "depot": 1,
                "sampled_on": "2026-11-02",
                "laboratory": "National Propellant Laboratory",
                "method": "hplc",
                "stabiliser": "diphenylamine",
                "initial_content_pct": "1.200",
                "measured_content_pct": "0.540",
            },
            "Heat-flow calorimetry": {
                "lot": 12,
                "sampled_on": "2026-11-02",
                "laboratory": "National Propellant Laboratory",
                "method": "heat_flow_calorimetry",
                "passed": True,
            },
        },
    )
    @idempotent
    def create(self, request):
        require_recorder(request.user)
        values = validated(s.StabilityTestCreateSerializer, request)
        depot = s.depot_for(request.user, values["lot"], values.pop("depot", None))
        test = services.stability_test_record(**values, depot=depot, tested_by=request.user)
        return self._answer(test, status.HTTP_201_CREATED)


# --- Condition changes ----------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@read_schema(
    "Condition changes in your depots, newest first",
    "One condition change (404 outside your depots)",
    list_description="One row per condition-change document (a change is posted in every depot "
    "holding the lot). Filters: `lot`, `depot`, `to_condition`, `occurred_from`, "
    "`occurred_until`. Cursor-paginated.",
)
class ConditionChangeViewSet(RecordViewSet):
    serializer_class = s.ConditionChangeSerializer
    filterset_class = ConditionChangeFilter

    def get_queryset(self):
        return selectors.condition_change_list(self.request.user).select_related(
            "document__on_behalf_of"
        )

    @post_schema(
        "Change a lot's condition (a condition-change document in each holding depot)",
        s.ConditionChangeCreateSerializer,
        s.ConditionChangePostedSerializer,
        status.HTTP_201_CREATED,
        description=f"{WRITE_ROLES} A depot inspector may make a lot worse wherever it is held, "
        "but may improve it only when every depot holding it is theirs (409 "
        "`lot_held_elsewhere`, naming the depots). `occurred_on` follows the backdating policy "
        "(409 `period_closed` in a closed period); today when left out. `depot` may be left "
        "out when one of your depots holds the lot (the change is posted in every holding "
        "depot). The answer lists the documents posted.",
        examples={
            "Suspend a lot": {
                "lot": 12,
                "depot": 1,
                "condition": "D",
                "reason": "Exudation seen on two bombs during a pre-issue inspection.",
                "authority_reference": "ATO-D01-2026-044",
            }
        },
    )
    @idempotent
    def create(self, request):
        require_recorder(request.user)
        values = validated(s.ConditionChangeCreateSerializer, request)
        lot = values["lot"]
        before = lot.condition_id
        documents = services.condition_change_post(
            lot=lot,
            condition=values["condition"].code,
            reason=values["reason"],
            # Posted in every depot holding the lot: any of the user's holding depots will do.
            depot=s.depot_for(request.user, lot, values.get("depot"), any_holder=True),
            posted_by=request.user,
            authority_reference=values["authority_reference"],
            occurred_on=values.get("occurred_on"),
        )
        answer = {
            "lot": lot.pk,
            "lot_number": lot.lot_number,
            "from_condition": before,
            "condition": values["condition"].code,
            "documents": documents,
        }
        return Response(
            s.ConditionChangePostedSerializer(answer).data, status=status.HTTP_201_CREATED
        )
