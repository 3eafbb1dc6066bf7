"""Diversion control over the API (DESIGN.md §11): `parties/` (and `/history/`),
`party-documents/` (and `/authenticate/`), `transfer-cases/` (and `/dispatch/`, `/cancel/`),
`risk-assessments/` (and `/answers/`, `/conclusion/`, `/override/`, `/approve/`, `/withdraw/`),
`verifications/` (and `/record/`), `trace/?lot_number=`, `tracing-requests/` (and `/answer/`).

Officers and administrators write; auditors read everything and change nothing (403); clerks
read the transfer cases of their depots and dispatch them, and see nothing else here (403).
Every POST takes an optional Idempotency-Key.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import LedgerViewSet, ReadViewSet, act_schema, read_schema, validated
from core.api_flows import CreateAct, ObjectAct, object_post
from core.drf import ReferencePagination
from core.idempotency import idempotent
from diversion import selectors, services
from diversion.api import serializers as s
from diversion.filters import (
    PartyDocumentFilter,
    PartyFilter,
    RiskAssessmentFilter,
    TracingRequestFilter,
    TrainingAllocationFilter,
    TransferCaseFilter,
    VerificationFilter,
)
from diversion.models import (
    Party,
    PartyDocument,
    RiskAssessment,
    TracingRequest,
    TrainingAllocation,
    TransferCase,
    Verification,
)


def _history_schema(summary):
    return extend_schema(
        summary=summary, responses={200: s.HistorySerializer(many=True)}, filters=False
    )


def _history(record):
    """The `history/` answer of a party or a training allocation."""
    return Response(s.HistorySerializer(selectors.history_of(record), many=True).data)


# --- Parties -------------------------------------------------------------------------------------


@read_schema(
    "The register of parties (officers, auditors, administrators); filter by name or "
    "identifier (`q`), kind, status, country",
    "One party",
)
class PartyViewSet(ReadViewSet):
    queryset = Party.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.PartySerializer
    pagination_class = ReferencePagination
    filterset_class = PartyFilter

    def get_queryset(self):
        return selectors.party_list(user=self.request.user).order_by("name", "id")

    create = CreateAct(
        "Add a party to the register",
        s.PartyCreateSerializer,
        services.party_create,
        actor="created_by",
    )

    @extend_schema(
        summary="Change a party's details or status (a status other than pending needs its "
        "reason); kept in the party's history",
        request=s.PartyUpdateSerializer,
        responses={200: s.PartySerializer},
    )
    def partial_update(self, request, pk=None):
        party = self.get_object()
        values = validated(s.PartyUpdateSerializer, request)
        party = services.party_update(party=party, changed_by=request.user, **values)
        return self._answer(party)

    @_history_schema("Every change of the party: when, who, and the fields before and after")
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        return _history(self.get_object())


# --- Party documents -----------------------------------------------------------------------------


@read_schema(
    "Documents of parties: end-user certificates, assurances ...",
    "One party document with its authentication record",
)
class PartyDocumentViewSet(ReadViewSet):
    queryset = PartyDocument.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.PartyDocumentSerializer
    pagination_class = ReferencePagination
    filterset_class = PartyDocumentFilter
    act_subject = "document"

    def get_queryset(self):
        return selectors.party_document_list(user=self.request.user).order_by("-id")

    create = CreateAct(
        "Record a document of a party (number, issuer, validity)",
        s.PartyDocumentCreateSerializer,
        services.party_document_add,
        actor="recorded_by",
        check=selectors.require_register_reader,
    )
    authenticate = ObjectAct(
        "Record who checked the document, how, and the result",
        services.party_document_authenticate,
        actor="authenticated_by",
        body=s.AuthenticateSerializer,
    )


# --- Transfer cases ------------------------------------------------------------------------------


@read_schema(
    "Outbound transfer cases (a clerk sees those of their depots)",
    "One transfer case with its lines and chain of parties",
)
class TransferCaseViewSet(LedgerViewSet):
    queryset = TransferCase.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.TransferCaseSerializer
    filterset_class = TransferCaseFilter
    act_subject = "case"

    def get_queryset(self):
        return selectors.transfer_case_detail(user=self.request.user)

    @act_schema(
        "Open a transfer case (409 party_not_permitted for a suspended or denied party)",
        s.TransferCaseCreateSerializer,
        s.TransferCaseSerializer,
        201,
    )
    @idempotent
    def create(self, request):
        values = validated(s.TransferCaseCreateSerializer, request)
        lines, chain = values.pop("lines"), values.pop("chain")
        case = services.transfer_case_create(
            **values,
            lines=[services.CaseLineInput(**line) for line in lines],
            chain=[(link["party"], link["role"]) for link in chain],
            created_by=request.user,
        )
        return self._answer(case, status.HTTP_201_CREATED)

    # `dispatch` is the view's own method: the action has another name, and that path.
    dispatch_case = ObjectAct(
        "Dispatch: post the issue to the consignee (a clerk of the depot). 409 "
        "no_risk_assessment, party_not_permitted or end_user_certificate_invalid, then the "
        "posting service's codes; nothing is written when refused",
        services.transfer_case_dispatch,
        actor="dispatched_by",
        body=s.DispatchSerializer,
        route={"url_path": "dispatch", "url_name": "dispatch"},
    )
    cancel = ObjectAct(
        "Cancel a case awaiting dispatch",
        services.transfer_case_cancel,
        actor="cancelled_by",
    )

    @object_post(
        "After the dispatch document was reversed: cancel the case's pending checks, naming the "
        "reversal, and resolve its verification_overdue alert (officers, or a clerk of the "
        "depot). 409 invalid_state when the dispatch is not reversed",
        None,
        s.DeliveryVerificationSerializer(many=True),
        route={"url_path": "dispatch-reversed"},
    )
    def dispatch_reversed(self, request, pk=None):
        cancelled = services.transfer_case_dispatch_reversed(
            case=self.get_object(), user=request.user
        )
        # The service checked the user (a clerk of the depot may do this); the case is theirs.
        rows = Verification.objects.filter(pk__in=[v.pk for v in cancelled]).select_related(
            "case__depot", "case__end_user", "recorded_by", "incident"
        )
        return Response(s.DeliveryVerificationSerializer(rows, many=True).data)


# --- Risk assessments ----------------------------------------------------------------------------


@read_schema(
    "Pre-transfer risk assessments with their overall risk",
    "One assessment with every checklist item and its answer",
)
class RiskAssessmentViewSet(LedgerViewSet):
    queryset = RiskAssessment.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.RiskAssessmentDetailSerializer  # the list's rows are shorter
    filterset_class = RiskAssessmentFilter
    act_subject = "assessment"

    def get_queryset(self):
        return selectors.risk_assessment_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return s.RiskAssessmentSerializer
        return super().get_serializer_class()

    create = CreateAct(
        "Start an assessment of a case against the checklist in force",
        s.RiskAssessmentCreateSerializer,
        services.risk_assessment_create,
        actor="author",
        check=selectors.require_register_reader,
    )
    answers = ObjectAct(
        "Answer one checklist item: risk level, evidence, sources (the author, while draft)",
        services.risk_answer_set,
        actor="answered_by",
        body=s.AnswerInputSerializer,
    )
    conclusion = ObjectAct(
        "The author's conclusion",
        services.risk_assessment_conclude,
        actor="user",
        body=s.ConclusionSerializer,
    )
    override = ObjectAct(
        "Record a second officer's override of the items rated high (409 self_approval for "
        "the author)",
        services.risk_assessment_override,
        actor="override_by",
        body=s.OverrideSerializer,
    )
    approve = ObjectAct(
        "Approve (an officer other than the author: 409 self_approval; every item answered: "
        "409 assessment_incomplete; an item rated high needs an override: 409 "
        "high_risk_not_overridden). The approval expires after the policy's days",
        services.risk_assessment_approve,
        actor="approved_by",
    )
    withdraw = ObjectAct(
        "Withdraw the assessment: it no longer covers its case",
        services.risk_assessment_withdraw,
        actor="user",
    )


# --- Verifications -------------------------------------------------------------------------------


@read_schema(
    "Pre- and post-delivery checks by due date; filter `overdue`",
    "One verification",
)
class VerificationViewSet(ReadViewSet):
    queryset = Verification.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.DeliveryVerificationSerializer
    pagination_class = ReferencePagination
    filterset_class = VerificationFilter
    act_subject = "verification"

    def get_queryset(self):
        return selectors.verification_list(user=self.request.user).order_by("due_on", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    create = CreateAct(
        "Schedule one more check of a dispatched case",
        s.VerificationScheduleSerializer,
        services.verification_schedule,
        actor="scheduled_by",
        check=selectors.require_register_reader,
    )
    record = ObjectAct(
        "Record the result with its evidence; a failed check opens an incident",
        services.verification_record,
        actor="recorded_by",
        body=s.VerificationRecordSerializer,
    )


# --- Trace and tracing requests ------------------------------------------------------------------


class TraceApi(APIView):
    """The chain of custody of lots by number."""

    @extend_schema(
        summary="Trace lots whose number contains `lot_number` (any letter case, at most 20 "
        "lots): every ledger event in order with its party, transfers out with their case, "
        "parties and verifications, and current balances",
        parameters=[
            OpenApiParameter(
                "lot_number", OpenApiTypes.STR, required=True, description="Any part, any case."
            )
        ],
        responses={200: s.TraceSerializer},
    )
    def get(self, request):
        selectors.require_register_reader(request.user)
        raw = request.query_params.getlist("lot_number")
        if len(raw) != 1 or not raw[0].strip() or len(raw[0]) > 80:
            raise ValidationError({"lot_number": ["Give one lot number (or part of one)."]})
        lots = selectors.lot_trace(user=request.user, lot_number=raw[0])
        return Response(s.TraceSerializer({"lots": lots}).data)


@read_schema(
    "Requests to trace ammunition found outside control",
    "One tracing request with its candidate lots and answer",
)
class TracingRequestViewSet(LedgerViewSet):
    queryset = TracingRequest.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.TracingRequestSerializer
    filterset_class = TracingRequestFilter
    act_subject = "tracing_request"

    def get_queryset(self):
        return selectors.tracing_request_list(user=self.request.user)

    create = CreateAct(
        "Record a tracing request: the candidate lots and last accountable holders are found "
        "and kept",
        s.TracingRequestCreateSerializer,
        services.tracing_request_record,
        actor="recorded_by",
    )
    answer = ObjectAct(
        "Record the answer given",
        services.tracing_request_answer,
        actor="answered_by",
        body=s.AnswerTextSerializer,
    )


# --- Training allocations ------------------------------------------------------------------------


@read_schema(
    "Units' training allocations per ammunition type and year (officers, auditors, "
    "administrators); filter by year, recipient, ammunition_type",
    "One training allocation",
)
class TrainingAllocationViewSet(ReadViewSet):
    queryset = TrainingAllocation.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.TrainingAllocationSerializer
    pagination_class = ReferencePagination
    filterset_class = TrainingAllocationFilter

    def get_queryset(self):
        return selectors.training_allocation_list(user=self.request.user).order_by(
            "-year", "recipient__code", "ammunition_type__code", "id"
        )

    create = CreateAct(
        "Set a unit's training allocation of a type for a year (officers): created, or changed "
        "with the earlier figure kept in its history",
        s.TrainingAllocationSetSerializer,
        services.training_allocation_set,
        actor="set_by",
    )

    @_history_schema("Every change of the allocation: when, who, and the fields before and after")
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        return _history(self.get_object())
