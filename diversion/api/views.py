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

    @act_schema("Add a party to the register", s.PartyCreateSerializer, s.PartySerializer, 201)
    @idempotent
    def create(self, request):
        values = validated(s.PartyCreateSerializer, request)
        party = services.party_create(**values, created_by=request.user)
        return self._answer(party, status.HTTP_201_CREATED)

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

    def get_queryset(self):
        return selectors.party_document_list(user=self.request.user).order_by("-id")

    @act_schema(
        "Record a document of a party (number, issuer, validity)",
        s.PartyDocumentCreateSerializer,
        s.PartyDocumentSerializer,
        201,
    )
    @idempotent
    def create(self, request):
        selectors.require_register_reader(request.user)
        values = validated(s.PartyDocumentCreateSerializer, request)
        document = services.party_document_add(**values, recorded_by=request.user)
        return self._answer(document, status.HTTP_201_CREATED)

    @act_schema(
        "Record who checked the document, how, and the result",
        s.AuthenticateSerializer,
        s.PartyDocumentSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def authenticate(self, request, pk=None):
        document = self.get_object()
        values = validated(s.AuthenticateSerializer, request)
        document = services.party_document_authenticate(
            document=document, authenticated_by=request.user, **values
        )
        return self._answer(document)


# --- Transfer cases ------------------------------------------------------------------------------


@read_schema(
    "Outbound transfer cases (a clerk sees those of their depots)",
    "One transfer case with its lines and chain of parties",
)
class TransferCaseViewSet(LedgerViewSet):
    queryset = TransferCase.objects.none()  # for the schema; get_queryset reads in scope
    serializer_class = s.TransferCaseSerializer
    filterset_class = TransferCaseFilter

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

    @act_schema(
        "Dispatch: post the issue to the consignee (a clerk of the depot). 409 "
        "no_risk_assessment, party_not_permitted or end_user_certificate_invalid, then the "
        "posting service's codes; nothing is written when refused",
        s.DispatchSerializer,
        s.TransferCaseSerializer,
    )
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    @idempotent
    def dispatch_case(self, request, pk=None):
        case = self.get_object()
        values = validated(s.DispatchSerializer, request)
        services.transfer_case_dispatch(
            case=case, occurred_on=values["occurred_on"], dispatched_by=request.user
        )
        return self._answer(case)

    @act_schema("Cancel a case awaiting dispatch", None, s.TransferCaseSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        case = services.transfer_case_cancel(case=self.get_object(), cancelled_by=request.user)
        return self._answer(case)

    @act_schema(
        "After the dispatch document was reversed: cancel the case's pending checks, naming the "
        "reversal, and resolve its verification_overdue alert (officers, or a clerk of the "
        "depot). 409 invalid_state when the dispatch is not reversed",
        None,
        s.DeliveryVerificationSerializer(many=True),
    )
    @action(detail=True, methods=["post"], url_path="dispatch-reversed")
    @idempotent
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
    filterset_class = RiskAssessmentFilter

    def get_queryset(self):
        return selectors.risk_assessment_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return s.RiskAssessmentSerializer
        return s.RiskAssessmentDetailSerializer

    @act_schema(
        "Start an assessment of a case against the checklist in force",
        s.RiskAssessmentCreateSerializer,
        s.RiskAssessmentDetailSerializer,
        201,
    )
    @idempotent
    def create(self, request):
        selectors.require_register_reader(request.user)
        values = validated(s.RiskAssessmentCreateSerializer, request)
        assessment = services.risk_assessment_create(case=values["case"], author=request.user)
        return self._answer(assessment, status.HTTP_201_CREATED)

    @act_schema(
        "Answer one checklist item: risk level, evidence, sources (the author, while draft)",
        s.AnswerInputSerializer,
        s.RiskAssessmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def answers(self, request, pk=None):
        assessment = self.get_object()
        values = validated(s.AnswerInputSerializer, request)
        services.risk_answer_set(assessment=assessment, answered_by=request.user, **values)
        return self._answer(assessment)

    @act_schema("The author's conclusion", s.ConclusionSerializer, s.RiskAssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def conclusion(self, request, pk=None):
        assessment = self.get_object()
        values = validated(s.ConclusionSerializer, request)
        services.risk_assessment_conclude(assessment=assessment, user=request.user, **values)
        return self._answer(assessment)

    @act_schema(
        "Record a second officer's override of the items rated high (409 self_approval for "
        "the author)",
        s.OverrideSerializer,
        s.RiskAssessmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def override(self, request, pk=None):
        assessment = self.get_object()
        values = validated(s.OverrideSerializer, request)
        services.risk_assessment_override(
            assessment=assessment, override_by=request.user, reason=values["reason"]
        )
        return self._answer(assessment)

    @act_schema(
        "Approve (an officer other than the author: 409 self_approval; every item answered: "
        "409 assessment_incomplete; an item rated high needs an override: 409 "
        "high_risk_not_overridden). The approval expires after the policy's days",
        None,
        s.RiskAssessmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        assessment = services.risk_assessment_approve(
            assessment=self.get_object(), approved_by=request.user
        )
        return self._answer(assessment)

    @act_schema("Withdraw the assessment: it no longer covers its case", None,
           s.RiskAssessmentDetailSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request, pk=None):
        assessment = services.risk_assessment_withdraw(
            assessment=self.get_object(), user=request.user
        )
        return self._answer(assessment)


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

    def get_queryset(self):
        return selectors.verification_list(user=self.request.user).order_by("due_on", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @act_schema(
        "Schedule one more check of a dispatched case",
        s.VerificationScheduleSerializer,
        s.DeliveryVerificationSerializer,
        201,
    )
    @idempotent
    def create(self, request):
        selectors.require_register_reader(request.user)
        values = validated(s.VerificationScheduleSerializer, request)
        verification = services.verification_schedule(**values, scheduled_by=request.user)
        return self._answer(verification, status.HTTP_201_CREATED)

    @act_schema(
        "Record the result with its evidence; a failed check opens an incident",
        s.VerificationRecordSerializer,
        s.DeliveryVerificationSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def record(self, request, pk=None):
        verification = self.get_object()
        values = validated(s.VerificationRecordSerializer, request)
        verification = services.verification_record(
            verification=verification, recorded_by=request.user, **values
        )
        return self._answer(verification)


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

    def get_queryset(self):
        return selectors.tracing_request_list(user=self.request.user)

    @act_schema(
        "Record a tracing request: the candidate lots and last accountable holders are found "
        "and kept",
        s.TracingRequestCreateSerializer,
        s.TracingRequestSerializer,
        201,
    )
    @idempotent
    def create(self, request):
        values = validated(s.TracingRequestCreateSerializer, request)
        tracing_request = services.tracing_request_record(**values, recorded_by=request.user)
        return self._answer(tracing_request, status.HTTP_201_CREATED)

    @act_schema("Record the answer given", s.AnswerTextSerializer, s.TracingRequestSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request, pk=None):
        tracing_request = self.get_object()
        values = validated(s.AnswerTextSerializer, request)
        tracing_request = services.tracing_request_answer(
            tracing_request=tracing_request, answered_by=request.user, answer=values["answer"]
        )
        return self._answer(tracing_request)


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

    @act_schema(
        "Set a unit's training allocation of a type for a year (officers): created, or changed "
        "with the earlier figure kept in its history",
        s.TrainingAllocationSetSerializer,
        s.TrainingAllocationSerializer,
        201,
    )
    @idempotent
    def create(self, request):
        values = validated(s.TrainingAllocationSetSerializer, request)
        allocation = services.training_allocation_set(**values, set_by=request.user)
        return self._answer(allocation, status.HTTP_201_CREATED)

    @_history_schema("Every change of the allocation: when, who, and the fields before and after")
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        return _history(self.get_object())
