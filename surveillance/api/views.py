"""The surveillance API (DESIGN.md §8, §11): inspections and their attachments, stability tests,
condition changes, bans and constraints, shelf-life extensions, the work list and a lot's
surveillance record.

Reads go through the scoped selectors (404 outside one's depots). A write checks the role first
(403), then the input's shape (400), then calls one surveillance service, whose refusals are 400
(field errors) or 409 (`{code, detail}`). Every POST that writes takes an optional
Idempotency-Key.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.drf import LedgerPagination
from core.idempotency import IDEMPOTENCY, idempotent
from core.roles import Action
from core.scoping import can, require
from inventory.selectors import ledger as ledger_selectors
from surveillance import selectors, services
from surveillance.api import serializers as s
from surveillance.api.filters import (
    BanFilter,
    ConditionChangeFilter,
    InspectionFilter,
    ShelfLifeExtensionFilter,
    StabilityTestFilter,
)
from surveillance.files import attachment_response
from surveillance.models import (
    Inspection,
    InspectionAttachment,
    LotDue,
    LotSurveillance,
    ShelfLifeExtension,
    StabilityTest,
)

logger = logging.getLogger(__name__)

TAGS = ["surveillance"]
WRITE_ROLES = "An inspector of the depot (or a national inspector, or an administrator)."


def _require_recorder(request) -> None:
    """403 for roles that record no surveillance anywhere (clerks, officers, auditors)."""
    require(request.user, Action.RECORD_SURVEILLANCE)


def _require_lifter(request) -> None:
    """Lifting a ban, extending a shelf life: inspectors, or officers and administrators for a
    lot held beyond an inspector's depots (the service decides which)."""
    if not (
        can(request.user, Action.RECORD_SURVEILLANCE)
        or services.may_decide_nationally(request.user)
    ):
        raise PermissionDenied(_("Your role does not allow this action here."))


def _example(name, value):
    return [OpenApiExample(name, value=value, request_only=True)]


class _RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Surveillance records grow with the stockpile: cursor pages, newest recorded first."""

    pagination_class = LedgerPagination
    lookup_value_regex = r"[0-9]+"


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
@extend_schema_view(
    list=extend_schema(
        summary="Inspections in your depots, newest recorded first",
        description="Filters: `lot`, `depot`, `kind`, `inspected_from`, `inspected_until`. "
        "Cursor-paginated.",
    ),
    retrieve=extend_schema(summary="One inspection with its attachments (404 outside your depots)"),
)
class InspectionViewSet(_RecordViewSet):
    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        return _inspections(selectors.inspection_list(self.request.user))

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file whatever the client accepts.
        return super().perform_content_negotiation(
            request, force=force or self.action == "download"
        )

    @extend_schema(
        summary="Record an inspection (IATG 07.20)",
        description=f"{WRITE_ROLES} `depot` may be left out when you act in one depot or only "
        "one of your depots holds the lot. A `condition` other than the lot's posts a "
        "condition-change document in every depot holding the lot (409 `lot_held_elsewhere` "
        "when it would improve stock held outside your depots). Send JSON, or multipart form "
        "data with `attachments` (JPEG, PNG or PDF files; wrong type or oversized: 400). The "
        "next inspection falls due after the type's interval (`next_due_on`).",
        request={
            "application/json": s.InspectionCreateSerializer,
            "multipart/form-data": s.InspectionUploadSerializer,
        },
        responses={201: s.InspectionSerializer},
        parameters=[IDEMPOTENCY],
        examples=_example("Periodic inspection", INSPECTION_EXAMPLE),
    )
    @idempotent
    def create(self, request):
        _require_recorder(request)
        data = s.InspectionUploadSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
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
            for upload in values["attachments"]:
                saved.append(
                    services.attachment_add(
                        inspection=inspection, upload=upload, uploaded_by=request.user
                    )
                )
        return Response(
            s.InspectionSerializer(_inspections().get(pk=inspection.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Attach photos or scanned forms to an inspection",
        description=f"{WRITE_ROLES} Multipart form data with one or more `attachments` (JPEG, "
        "PNG or PDF, recognised by content, each within STOCKPILE_ATTACHMENT_MAX_BYTES); a wrong "
        "type or an oversized file is 400 and nothing is kept. Answers with the inspection.",
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.InspectionSerializer},
        parameters=[IDEMPOTENCY],
    )
    @action(detail=True, methods=["post"], url_path="attachments")
    @idempotent
    def attachments(self, request, pk=None):
        inspection = get_object_or_404(self.get_queryset(), pk=pk)
        require(request.user, Action.RECORD_SURVEILLANCE, inspection.depot_id)
        data = s.AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _files_removed_on_failure() as saved, transaction.atomic():
            for upload in data.validated_data["attachments"]:
                saved.append(
                    services.attachment_add(
                        inspection=inspection, upload=upload, uploaded_by=request.user
                    )
                )
        return Response(
            s.InspectionSerializer(_inspections().get(pk=inspection.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Download an attachment (404 outside your depots)",
        description="The file as stored, with its content type, as an attachment.",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
        },
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
@extend_schema_view(
    list=extend_schema(
        summary="Propellant stability tests in your depots, newest recorded first",
        description="Filters: `lot`, `depot`, `method`, `category`, `sampled_from`, "
        "`sampled_until`. Cursor-paginated.",
    ),
    retrieve=extend_schema(summary="One stability test (404 outside your depots)"),
)
class StabilityTestViewSet(_RecordViewSet):
    serializer_class = s.StabilityTestSerializer
    filterset_class = StabilityTestFilter

    def get_queryset(self):
        return selectors.stability_test_list(self.request.user)

    @extend_schema(
        summary="Record a propellant stability test (IATG 07.10)",
        description=f"{WRITE_ROLES} Content methods (`hplc`, `gc`, `tlc`) give "
        "`initial_content_pct` and `measured_content_pct` (decimal strings); pass/fail methods "
        "(`heat_flow_calorimetry`, `vacuum_stability`, `abel_heat`) give `passed`. The stability "
        "policy table maps the result to `category`, `action`, `next_test_due`, "
        "`resulting_condition` and `dispose_by`; a result calling for a worse condition posts "
        "the condition change itself (the system user, on your behalf), and an unstable result "
        "raises a critical alert. Only propellant-bearing lots are tested (400 otherwise).",
        request=s.StabilityTestCreateSerializer,
        responses={201: s.StabilityTestSerializer},
        parameters=[IDEMPOTENCY],
        examples=[
            OpenApiExample(
                "Stabiliser content by HPLC",
                value={
                    "lot": 12,
                    "depot": 1,
                    "sampled_on": "2026-11-02",
                    "laboratory": "National Propellant Laboratory",
                    "method": "hplc",
                    "stabiliser": "diphenylamine",
                    "initial_content_pct": "1.200",
                    "measured_content_pct": "0.540",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Heat-flow calorimetry",
                value={
                    "lot": 12,
                    "sampled_on": "2026-11-02",
                    "laboratory": "National Propellant Laboratory",
                    "method": "heat_flow_calorimetry",
                    "passed": True,
                },
                request_only=True,
            ),
        ],
    )
    @idempotent
    def create(self, request):
        _require_recorder(request)
        data = s.StabilityTestCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        test = services.stability_test_record(
            lot=values["lot"],
            depot=s.depot_for(request.user, values["lot"], values.get("depot")),
            sampled_on=values["sampled_on"],
            laboratory=values["laboratory"],
            method=values["method"],
            stabiliser=values["stabiliser"],
            initial_content_pct=values["initial_content_pct"],
            measured_content_pct=values["measured_content_pct"],
            passed=values["passed"],
            note=values["note"],
            tested_by=request.user,
        )
        test = StabilityTest.objects.select_related("lot", "depot", "tested_by").get(pk=test.pk)
        return Response(s.StabilityTestSerializer(test).data, status=status.HTTP_201_CREATED)


# --- Condition changes ----------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="Condition changes in your depots, newest first",
        description="One row per condition-change document (a change is posted in every depot "
        "holding the lot). Filters: `lot`, `depot`, `to_condition`, `occurred_from`, "
        "`occurred_until`. Cursor-paginated.",
    ),
    retrieve=extend_schema(summary="One condition change (404 outside your depots)"),
)
class ConditionChangeViewSet(_RecordViewSet):
    serializer_class = s.ConditionChangeSerializer
    filterset_class = ConditionChangeFilter

    def get_queryset(self):
        return selectors.condition_change_list(self.request.user).select_related(
            "document__on_behalf_of"
        )

    @extend_schema(
        summary="Change a lot's condition (a condition-change document in each holding depot)",
        description=f"{WRITE_ROLES} A depot inspector may make a lot worse wherever it is held, "
        "but may improve it only when every depot holding it is theirs (409 "
        "`lot_held_elsewhere`, naming the depots). `occurred_on` follows the backdating policy "
        "(409 `period_closed` in a closed period); today when left out. `depot` may be left "
        "out when one of your depots holds the lot (the change is posted in every holding "
        "depot). The answer lists the documents posted.",
        request=s.ConditionChangeCreateSerializer,
        responses={201: s.ConditionChangePostedSerializer},
        parameters=[IDEMPOTENCY],
        examples=_example(
            "Suspend a lot",
            {
                "lot": 12,
                "depot": 1,
                "condition": "D",
                "reason": "Exudation seen on two bombs during a pre-issue inspection.",
                "authority_reference": "ATO-D01-2026-044",
            },
        ),
    )
    @idempotent
    def create(self, request):
        _require_recorder(request)
        data = s.ConditionChangeCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
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


# --- Bans and constraints -------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="Bans and constraints (type bans: national; lot bans: where the lot is held)",
        description="Filters: `active` (true: not lifted), `kind`, `lot`, `ammunition_type`.",
    ),
    retrieve=extend_schema(summary="One ban or constraint (404 outside your depots)"),
)
class BanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.BanSerializer
    filterset_class = BanFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.ban_list(self.request.user)

    @extend_schema(
        summary="Ban or constrain a lot or a whole ammunition type",
        description="Name either `lot` or `ammunition_type`. A lot's ban is imposed by an "
        "inspector of a depot whose books hold the lot; a type's by a national inspector or an "
        "administrator (403 otherwise). A ban stops every issue (409 `lot_banned`, also for lots "
        "split from the lot); a constraint with `permitted_recipient_kinds` refuses issues to "
        "other recipients (409 `recipient_not_permitted`).",
        request=s.BanCreateSerializer,
        responses={201: s.BanSerializer},
        parameters=[IDEMPOTENCY],
        examples=[
            OpenApiExample(
                "Ban a lot",
                value={
                    "kind": "ban",
                    "lot": 12,
                    "reason": "Two misfires reported by 1st Brigade; lot under investigation.",
                    "reference": "TB-2026-07",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Training only",
                value={
                    "kind": "constraint",
                    "lot": 14,
                    "reason": "Dispersion out of tolerance: training use only.",
                    "reference": "TC-2026-03",
                    "permitted_recipient_kinds": ["range"],
                },
                request_only=True,
            ),
        ],
    )
    @idempotent
    def create(self, request):
        _require_recorder(request)
        data = s.BanCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ban = services.ban_impose(
            kind=values["kind"],
            lot=values.get("lot"),
            ammunition_type=values.get("ammunition_type"),
            reason=values["reason"],
            reference=values["reference"],
            permitted_recipient_kinds=values["permitted_recipient_kinds"],
            disposal_recommended=values["disposal_recommended"],
            imposed_by=request.user,
        )
        return Response(
            s.BanSerializer(self.get_queryset().get(pk=ban.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Lift a ban or constraint",
        description="A ban binds its lot wherever it is held (and lots split from it): an "
        "inspector lifts it only when every such depot is in their scope; otherwise an officer, "
        "an administrator or a national inspector (403 for others). Lifting twice is 409 "
        "`invalid_state`.",
        request=s.BanLiftSerializer,
        responses={200: s.BanSerializer},
        parameters=[IDEMPOTENCY],
        examples=_example("Lift", {"reason": "Cause found in the fuze lot; this lot cleared."}),
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def lift(self, request, pk=None):
        ban = get_object_or_404(self.get_queryset(), pk=pk)
        _require_lifter(request)
        data = s.BanLiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ban = services.ban_lift(
            ban=ban, reason=data.validated_data["reason"], lifted_by=request.user
        )
        return Response(s.BanSerializer(self.get_queryset().get(pk=ban.pk)).data)


# --- Shelf-life extensions ------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        summary="Shelf-life extensions of lots held in your depots, newest first",
        description="Filter: `lot`. Cursor-paginated.",
    ),
    retrieve=extend_schema(summary="One shelf-life extension (404 outside your depots)"),
)
class ShelfLifeExtensionViewSet(_RecordViewSet):
    serializer_class = s.ShelfLifeExtensionSerializer
    filterset_class = ShelfLifeExtensionFilter

    def get_queryset(self):
        return selectors.extension_list(self.request.user)

    @extend_schema(
        summary="Extend a lot's shelf life on the strength of an inspection or a stability test",
        description=f"{WRITE_ROLES} (of the depot where the evidence was recorded). Give "
        "`inspection` or `stability_test` of the same lot (an unstable result extends nothing); "
        "`new_expires_on` is in the future and later than the lot's expiry.",
        request=s.ShelfLifeExtensionCreateSerializer,
        responses={201: s.ShelfLifeExtensionSerializer},
        parameters=[IDEMPOTENCY],
        examples=_example(
            "Extension after a stable result",
            {
                "lot": 12,
                "new_expires_on": "2031-12-31",
                "reason": "Stabiliser at 82 % of initial; no defects at inspection.",
                "stability_test": 7,
            },
        ),
    )
    @idempotent
    def create(self, request):
        _require_lifter(request)
        data = s.ShelfLifeExtensionCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        extension = services.shelf_life_extend(
            lot=values["lot"],
            new_expires_on=values["new_expires_on"],
            reason=values["reason"],
            decided_by=request.user,
            inspection=values.get("inspection"),
            stability_test=values.get("stability_test"),
        )
        extension = ShelfLifeExtension.objects.select_related("lot", "decided_by").get(
            pk=extension.pk
        )
        return Response(
            s.ShelfLifeExtensionSerializer(extension).data, status=status.HTTP_201_CREATED
        )


# --- Work list and a lot's surveillance -----------------------------------------------------------

MAX_HORIZON_DAYS = 3650


@extend_schema(
    tags=TAGS,
    summary="What falls due in your depots (inspections, stability tests, expiries)",
    description="Lots in stock in your depots whose inspection, stability test or expiry falls "
    f"due within `days` (default 30, at most {MAX_HORIZON_DAYS}) — overdue ones first. One row "
    "per lot, depot and kind of due date; at most 500 lots.",
    parameters=[
        OpenApiParameter(
            "days",
            {"type": "integer", "minimum": 0, "maximum": MAX_HORIZON_DAYS},
            description="Horizon in days from today (default 30).",
        )
    ],
    responses={200: s.WorkListSerializer},
)
class WorkListApi(APIView):
    def get(self, request):
        raw = request.query_params.getlist("days")
        days = 30
        if raw:
            if len(raw) != 1 or not raw[0].isdigit() or int(raw[0]) > MAX_HORIZON_DAYS:
                raise serializers.ValidationError(
                    {"days": [f"A whole number of days from 0 to {MAX_HORIZON_DAYS}."]}
                )
            days = int(raw[0])
        today = timezone.localdate()
        items = selectors.work_list(request.user, today=today, horizon_days=days)
        answer = {"today": today, "until": today + timedelta(days=days), "results": items}
        return Response(s.WorkListSerializer(answer).data)


@extend_schema(
    tags=TAGS,
    summary="A lot's surveillance: due dates, binding bans, history",
    description="When the lot's next inspection and stability test fall due (by policy until "
    "one is recorded), the active bans and constraints binding it, and its surveillance "
    "timeline newest first (condition changes, inspections, stability tests, bans, extensions "
    "recorded in your depots).",
    responses={200: s.LotSurveillanceSerializer},
)
class LotSurveillanceApi(APIView):
    def get(self, request, pk):
        # Bans, findings and due dates of a lot are read where it is held: 404 elsewhere.
        lot = get_object_or_404(ledger_selectors.lot_list_held(user=request.user), pk=pk)
        due = LotDue.objects.filter(lot=lot).first()
        row = LotSurveillance.objects.filter(lot=lot).first()
        answer = {
            "lot": lot.pk,
            "lot_number": lot.lot_number,
            "ammunition_type": lot.ammunition_type_id,
            "condition": lot.condition_id,
            "expires_on": lot.expires_on,
            "contains_propellant": lot.ammunition_type.contains_propellant,
            "inspection_due": due.inspection_due if due else None,
            "stability_test_due": due.stability_due if due else None,
            "never_stability_tested": due.never_stability_tested if due else True,
            # Inherited from the lots it was split from when newer than its own (DESIGN.md §5).
            "last_inspected_on": due.last_inspected_on if due else None,
            "last_stability_test_on": due.last_stability_test_on if due else None,
            "last_stability_category": row.last_stability_category if row else "",
            "bans": selectors.bans_binding([lot.pk]).get(lot.pk, []),
            "timeline": selectors.lot_timeline(request.user, lot),
        }
        return Response(s.LotSurveillanceSerializer(answer).data)
