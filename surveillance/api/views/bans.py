"""Bans and constraints, shelf-life extensions, the work list and a lot's surveillance."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ReadViewSet, post_schema, read_schema, validated
from core.api_flows import CreateAct, object_post
from inventory.selectors import ledger as ledger_selectors
from inventory.selectors.bans import bans_binding
from surveillance import selectors, services
from surveillance.access import require_lifter
from surveillance.api import serializers as s
from surveillance.api.filters import (
    BanFilter,
    ShelfLifeExtensionFilter,
)
from surveillance.api.views.common import (
    TAGS,
    WRITE_ROLES,
    RecordViewSet,
    require_recorder,
)
from surveillance.models import (
    LotDue,
    LotSurveillance,
    ShelfLifeExtension,
)

# --- Bans and constraints -------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@read_schema(
    "Bans and constraints (type bans: national; lot bans: where the lot is held)",
    "One ban or constraint (404 outside your depots)",
    list_description="Filters: `active` (true: not lifted), `kind`, `lot`, `ammunition_type`.",
)
class BanViewSet(ReadViewSet):
    serializer_class = s.BanSerializer
    filterset_class = BanFilter

    def get_queryset(self):
        return selectors.ban_list(self.request.user)

    create = CreateAct(
        "Ban or constrain a lot or a whole ammunition type",
        s.BanCreateSerializer,
        services.ban_impose,
        actor="imposed_by",
        check=require_recorder,
        schema=post_schema,
        description="Name either `lot` or `ammunition_type`. A lot's ban is imposed by an "
        "inspector of a depot whose books hold the lot; a type's by a national inspector or an "
        "administrator (403 otherwise). A ban stops every issue (409 `lot_banned`, also for lots "
        "split from the lot); a constraint with `permitted_recipient_kinds` refuses issues to "
        "other recipients (409 `recipient_not_permitted`).",
        examples={
            "Ban a lot": {
                "kind": "ban",
                "lot": 12,
                "reason": "Two misfires reported by 1st Brigade; lot under investigation.",
                "reference": "TB-2026-07",
            },
            "Training only": {
                "kind": "constraint",
                "lot": 14,
                "reason": "Dispersion out of tolerance: training use only.",
                "reference": "TC-2026-03",
                "permitted_recipient_kinds": ["range"],
            },
        },
    )

    @object_post(
        "Lift a ban or constraint",
        s.BanLiftSerializer,
        s.BanSerializer,
        description="A ban binds its lot wherever it is held (and lots split from it): an "
        "inspector lifts it only when every such depot is in their scope; otherwise an officer, "
        "an administrator or a national inspector (403 for others). Lifting twice is 409 "
        "`invalid_state`.",
        schema=post_schema,
        examples={"Lift": {"reason": "Cause found in the fuze lot; this lot cleared."}},
    )
    def lift(self, request, pk=None):
        ban = get_object_or_404(self.get_queryset(), pk=pk)
        require_lifter(request.user)
        values = validated(s.BanLiftSerializer, request)
        ban = services.ban_lift(ban=ban, lifted_by=request.user, **values)
        return self._answer(ban)


# --- Shelf-life extensions ------------------------------------------------------------------------


@extend_schema(tags=TAGS)
@read_schema(
    "Shelf-life extensions of lots held in your depots, newest first",
    "One shelf-life extension (404 outside your depots)",
    list_description="Filter: `lot`. Cursor-paginated.",
)
class ShelfLifeExtensionViewSet(RecordViewSet):
    serializer_class = s.ShelfLifeExtensionSerializer
    filterset_class = ShelfLifeExtensionFilter

    def get_queryset(self):
        return selectors.extension_list(self.request.user)

    def answer_queryset(self):
        return ShelfLifeExtension.objects.select_related("lot", "decided_by")

    create = CreateAct(
        "Extend a lot's shelf life on the strength of an inspection or a stability test",
        s.ShelfLifeExtensionCreateSerializer,
        services.shelf_life_extend,
        actor="decided_by",
        check=require_lifter,
        schema=post_schema,
        description=f"{WRITE_ROLES} (of the depot where the evidence was recorded). Give "
        "`inspection` or `stability_test` of the same lot (an unstable result extends nothing); "
        "`new_expires_on` is in the future and later than the lot's expiry.",
        examples={
            "Extension after a stable result": {
                "lot": 12,
                "new_expires_on": "2031-12-31",
                "reason": "Stabiliser at 82 % of initial; no defects at inspection.",
                "stability_test": 7,
            }
        },
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
            "bans": bans_binding([lot.pk]).get(lot.pk, []),
            "timeline": selectors.lot_timeline(request.user, lot),
        }
        return Response(s.LotSurveillanceSerializer(answer).data)
