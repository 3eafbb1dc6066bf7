"""The surplus API (DESIGN.md §9, §11): national requirements, the surplus now and in snapshots,
disposal plans, their approval and executions.

Reads go through surplus.selectors in the reader's scope (404 outside it). A write checks the role
(403), then the shape (400), then calls one surplus service whose refusals are 400 or 409
(`{code, detail}`). Writes take an optional Idempotency-Key.
"""

from functools import partial

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ReadViewSet, post_schema, read_schema, request_examples, validated
from core.api_flows import CreateAct, ObjectAct, object_post, paginated
from core.drf import LedgerPagination
from core.idempotency import IDEMPOTENCY, idempotent
from core.roles import Action
from core.scoping import require
from inventory.models import AmmunitionType
from surplus import selectors, services
from surplus.api import serializers as s
from surplus.models import InterchangeableGroup, Requirement

TAGS = ["surplus"]
OFFICER = "An officer (or an administrator)."


def _officer(user) -> None:
    """Requirements, groups and disposal plans are written by officers (403 for others)."""
    require(user, Action.MANAGE_OVERSIGHT)


# The declared writes here: an officer's (403 for others), documented as postings are.
_OfficerCreate = partial(CreateAct, check=_officer, schema=post_schema)
_OfficerAct = partial(ObjectAct, check=_officer, schema=post_schema)


class RequirementFilter(django_filters.FilterSet):
    ammunition_type = django_filters.NumberFilter(field_name="ammunition_type_id", min_value=1)
    group = django_filters.NumberFilter(field_name="group_id", min_value=1)

    class Meta:
        model = Requirement
        fields = ["ammunition_type", "group"]


@extend_schema(tags=TAGS)
@read_schema(
    "National requirements, every version, newest set first",
    "One version of a requirement",
    list_description="Filters: `ammunition_type`, `group`. The version in force on a day is the "
    "newest version whose `effective_from` is on or before it.",
)
class RequirementViewSet(ReadViewSet):
    serializer_class = s.RequirementSerializer
    filterset_class = RequirementFilter

    def get_queryset(self):
        return selectors.requirement_list()

    create = _OfficerCreate(
        "Set a new version of a type's or a group's requirement",
        s.RequirementCreateSerializer,
        services.requirement_set,
        actor="set_by",
        description=f"{OFFICER} Earlier versions are kept unchanged. A type that belongs to a "
        "group of interchangeable types takes the group's requirement (400 if named).",
        examples={
            "7.62 mm ball": {
                "ammunition_type": 1,
                "effective_from": "2027-01-01",
                "operational": 2000000,
                "training_per_year": 400000,
                "training_years": 2,
                "testing": 5000,
                "contingency": 100000,
                "approval_reference": "MoD/LOG/2026/118",
            }
        },
    )


@extend_schema(tags=TAGS)
@read_schema("Groups of interchangeable types", "One group of interchangeable types")
class GroupViewSet(ReadViewSet):
    serializer_class = s.GroupSerializer
    filter_backends = []

    def get_queryset(self):
        return InterchangeableGroup.objects.prefetch_related("types").order_by("code")

    create = _OfficerCreate(
        "Create a group of interchangeable types (empty)",
        s.GroupCreateSerializer,
        services.group_create,
        actor="created_by",
        description=f"{OFFICER} The code may be neither another group's nor a type's (400).",
    )

    @object_post(
        "Add a type to the group",
        s.GroupMemberSerializer,
        s.GroupSerializer,
        status.HTTP_201_CREATED,
        schema=post_schema,
        route={"url_path": "types"},
        description=f"{OFFICER} 400 if the type is in a group already, or if its own "
        "requirement (in force today or from a later date) is above 0: set it to 0 first.",
    )
    def add_type(self, request, pk=None):
        require(request.user, Action.MANAGE_OVERSIGHT)
        group = self.get_object()
        values = validated(s.GroupMemberSerializer, request)
        services.group_member_add(group=group, added_by=request.user, **values)
        return self._answer(group, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take a type out of the group",
        description=f"{OFFICER} 400 if the type is not in the group.",
        request=None,
        responses={200: s.GroupSerializer},
    )
    @action(detail=True, methods=["delete"], url_path=r"types/(?P<type_pk>[0-9]+)")
    def remove_type(self, request, pk=None, type_pk=None):
        require(request.user, Action.MANAGE_OVERSIGHT)
        group = self.get_object()
        ammunition_type = get_object_or_404(AmmunitionType, pk=type_pk)
        services.group_member_remove(
            group=group, ammunition_type=ammunition_type, removed_by=request.user
        )
        return self._answer(group)


@extend_schema(tags=TAGS)
class SurplusViewSet(viewsets.GenericViewSet):
    serializer_class = s.SurplusRowSerializer
    filter_backends = []

    @extend_schema(
        summary="Surplus per type (or group of interchangeable types), as of today",
        description="Computed now, by the definitions of DESIGN.md §9. Filters: `depot`, "
        "`region`, `ammunition_type`, `category`, `as_of` (requirements in force then). "
        "Without a depot or region filter an officer or auditor sees the national figures; "
        "with one, the unserviceable, expiring and obsolete stock lying there plus the depots' "
        "share of the national excess. Clerks and depot inspectors see their own depots only.",
        parameters=[s.SurplusQuerySerializer],
        responses={200: s.SurplusRowSerializer(many=True)},
    )
    def list(self, request):
        query = s.SurplusQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        values = query.validated_data
        view = selectors.surplus_view(
            request.user,
            as_of=values.get("as_of") or timezone.localdate(),
            depot=values.get("depot"),
            region=values.get("region", ""),
            ammunition_type=values.get("ammunition_type"),
            category=values.get("category", ""),
        )
        return paginated(self, view.by_subject, s.SurplusRowSerializer)


@extend_schema(tags=TAGS)
@read_schema("Surplus snapshots, newest first", "One snapshot: status and progress")
class SnapshotViewSet(ReadViewSet):
    serializer_class = s.SnapshotSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.snapshot_list()

    @post_schema(
        "Take a snapshot now",
        s.SnapshotCreateSerializer,
        s.SnapshotSerializer,
        status.HTTP_202_ACCEPTED,
        description=f"{OFFICER} Answers 202 at once; a worker computes and stores it. Poll the "
        "snapshot for `status` and `progress`.",
    )
    @idempotent
    def create(self, request):
        require(request.user, Action.MANAGE_OVERSIGHT)
        values = validated(s.SnapshotCreateSerializer, request)
        snapshot = services.snapshot_queue(requested_by=request.user, **values)
        return Response(s.SnapshotSerializer(snapshot).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="A snapshot's rows: per depot, and national (depot null) for national readers",
        responses={200: s.SnapshotRowSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=LedgerPagination)
    def rows(self, request, pk=None):
        snapshot = get_object_or_404(self.get_queryset(), pk=pk)
        rows = selectors.snapshot_rows(request.user, snapshot)
        return paginated(self, rows, s.SnapshotRowSerializer)


@extend_schema(tags=TAGS)
@read_schema("Disposal plans in your depots, newest first", "One disposal plan with its lines")
class DisposalPlanViewSet(ReadViewSet):
    serializer_class = s.PlanSerializer
    filter_backends = []
    act_subject = "plan"

    def get_queryset(self):
        return selectors.disposal_plan_detail(self.request.user)

    @post_schema(
        "Draft a disposal plan",
        s.PlanCreateSerializer,
        s.PlanSerializer,
        status.HTTP_201_CREATED,
        description=f"{OFFICER} Lines name lots held in the plan's depot. Only surplus or "
        "unserviceable stock may be planned (409 `not_disposable`), never more than is held. "
        "Sale, gift and transfer plans may be drafted and approved but are executed through "
        "the diversion-control transfer cases.",
        examples={
            "Open detonation": {
                "depot": 1,
                "method": "open_detonation",
                "site": "Range 4 demolition ground",
                "scheduled_from": "2027-03-01",
                "scheduled_until": "2027-03-31",
                "lines": [{"lot": 12, "storehouse": 3, "quantity": 400}],
            }
        },
    )
    @idempotent
    def create(self, request):
        require(request.user, Action.MANAGE_OVERSIGHT)
        values = validated(s.PlanCreateSerializer, request)
        lines = values.pop("lines")
        plan = services.disposal_plan_create(
            **values,
            lines=[
                services.PlanLineInput(line["lot"].pk, line["storehouse"].pk, line["quantity"])
                for line in lines
            ],
            created_by=request.user,
        )
        return self._answer(plan, status.HTTP_201_CREATED)

    approve = _OfficerAct(
        "Approve a draft plan",
        services.disposal_plan_approve,
        actor="approved_by",
        body=s.PlanApproveSerializer,
        description=f"{OFFICER} Not its author (409 `self_approval`); a plan not in draft is 409 "
        "`invalid_state`; stock is checked again (409 `not_disposable`).",
    )
    close = _OfficerAct(
        "Close a plan",
        services.disposal_plan_close,
        actor="closed_by",
        body=s.PlanCloseSerializer,
        description=f"{OFFICER} What was not executed is no longer planned.",
    )

    @extend_schema(
        methods=["GET"],
        summary="A plan's executions (destruction certificates)",
        responses={200: s.ExecutionSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Execute (part of) an approved plan",
        description="A clerk of the plan's depot (or an administrator). Posts one disposal "
        "document taking the quantities out of stock; the witnesses go on the certificate. "
        "409 `exceeds_plan` beyond a line's remaining quantity, `insufficient_stock` beyond "
        "what is held, `invalid_state` for a plan not approved, `transfer_case_required` for "
        "sale, gift or transfer.",
        request=s.ExecutionCreateSerializer,
        responses={201: s.ExecutionSerializer},
        parameters=[IDEMPOTENCY],
        examples=request_examples(
            {
                "Part of a plan": {
                    "executed_on": "2027-03-04",
                    "witnesses": [
                        {"name": "Capt. A. Mensah", "position": "ATO"},
                        {"name": "Ms B. Okafor", "position": "Inspectorate"},
                    ],
                    "lines": [{"plan_line": 7, "quantity": 200}],
                }
            }
        ),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=LedgerPagination)
    def executions(self, request, pk=None):
        plan = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "GET":
            rows = selectors.execution_list(request.user).filter(plan=plan)
            return paginated(self, rows, s.ExecutionSerializer)
        return self._execute(request, plan)

    @idempotent
    def _execute(self, request, plan):
        require(request.user, Action.RECORD_MOVEMENT, plan.depot_id)
        values = validated(s.ExecutionCreateSerializer, request)
        lines = values.pop("lines")
        execution = services.disposal_execute(
            **values,
            plan=plan,
            lines=[
                services.ExecutionLineInput(line["plan_line"], line["quantity"]) for line in lines
            ],
            executed_by=request.user,
        )
        answer = selectors.execution_list(request.user).get(pk=execution.pk)
        return Response(s.ExecutionSerializer(answer).data, status=status.HTTP_201_CREATED)
