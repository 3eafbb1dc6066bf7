"""The surplus pages (DESIGN.md §9): the officers' dashboard (read-only for auditors, and limited
to their own depots for clerks and depot inspectors), the drill-down from nation to depot to type
to lot, national requirements, snapshots, and disposal plans with their executions and
destruction certificates.

Every table on a page is a surplus.exports.Table; `?export=csv|xlsx&table=<key>` answers that
same table as a file, so an export holds exactly what the screen shows.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import can, read_depot_ids, scope
from core.web import attempt, error_summary, page_of
from inventory.models import AmmunitionType, Balance, Depot, Lot
from inventory.models.reference import AmmunitionCategory
from surplus import charts, computation, forms, selectors, services
from surplus.exports import Column, Table, csv_response, xlsx_response
from surplus.models import (
    DESTRUCTION_METHODS,
    DisposalPlanLine,
    InterchangeableGroup,
    PlanStatus,
    SnapshotStatus,
)

LIST_LIMIT = 500
CATEGORY_LABELS = dict(AmmunitionCategory.choices)
CLASS_LABELS = {
    "serviceable": _("serviceable"),
    "obsolete_or_banned": _("obsolete or banned"),
    "suspended": _("suspended"),
    "unserviceable": _("unserviceable"),
    "reparable": _("reparable (not counted)"),
    "in_transit": _("in transit"),
}


def _may_manage(user) -> bool:
    return can(user, Action.MANAGE_OVERSIGHT)


def _require_manager(user) -> None:
    if not _may_manage(user):
        raise PermissionDenied(_("Your role does not allow this action here."))


def _may_report(user) -> bool:
    """The national surplus report is for national readers (surplus.report_kinds)."""
    from reports.kinds import builder_for

    builder = builder_for("surplus")
    return builder is not None and can(user, Action.REQUEST_REPORT) and builder.may_read(user)


def _require_role(user) -> None:
    """Users with no role read nothing here."""
    if not user.role_set:
        raise PermissionDenied(_("Your role does not allow this action here."))


def _export(request, tables: dict[str, Table], stem: str):
    """The file for ?export=csv|xlsx&table=<key>, or None for the page itself."""
    kind = request.GET.get("export")
    if not kind:
        return None
    table = tables.get(request.GET.get("table", ""))
    if table is None or kind not in ("csv", "xlsx"):
        raise Http404
    rate_limit(request.user, RateScope.EXPORT)
    services.surplus_export_record(
        request=request, stem=stem, table=request.GET["table"], file_format=kind
    )
    return (csv_response if kind == "csv" else xlsx_response)(table, stem)


# --- Dashboard -----------------------------------------------------------------------------


def _filters(request):
    form = forms.DashboardFilter(request.GET or None, user=request.user)
    values = {"depot": None, "region": "", "category": "", "type_code": None, "months": 12}
    if form.is_bound and form.is_valid():
        values.update({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    return form, values


def _query(request, **changes) -> str:
    params = {k: v for k, v in request.GET.items() if k not in ("export", "table", "page")}
    params.update(dict(changes.items()))
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _subject_url(request, row) -> str:
    return reverse("surplus:subject", args=[row.subject]) + _query(
        request, type_code=None, category=None
    )


SUBJECT_COLUMNS = [
    Column("subject", _("Type or group")),
    Column("name", _("Name")),
    Column("category", _("Category")),
    Column("requirement", _("Requirement"), True),
    Column("serviceable", _("Serviceable"), True),
    Column("suspended", _("Suspended"), True),
    Column("in_transit", _("In transit"), True),
    Column("unserviceable", _("Unserviceable"), True),
    Column("expiring_before_use", _("Expiring before use"), True),
    Column("obsolete_or_banned", _("Obsolete or banned"), True),
    Column("usable", _("Usable"), True),
    Column("margin", _("Usable − requirement (national)"), True),
    Column("excess", _("Excess"), True),
    Column("surplus", _("Surplus"), True),
    Column("surplus_neq_kg", _("Surplus NEQ (kg)"), True),
]


def _subject_values(row) -> list:
    return [
        row.code,
        row.name,
        str(CATEGORY_LABELS.get(row.category, row.category)),
        row.requirement,
        row.serviceable,
        row.suspended,
        row.in_transit,
        row.unserviceable,
        row.expiring_before_use,
        row.obsolete_or_banned,
        row.usable,
        row.margin,
        row.excess,
        row.surplus,
        row.surplus_neq_kg,
    ]


SUMMARY_COLUMNS = [
    Column("requirement", _("Requirement"), True),
    Column("holdings", _("Holdings"), True),
    Column("serviceable", _("Serviceable"), True),
    Column("usable", _("Usable"), True),
    Column("unserviceable", _("Unserviceable"), True),
    Column("expiring_before_use", _("Expiring before use"), True),
    Column("obsolete_or_banned", _("Obsolete or banned"), True),
    Column("excess", _("Excess"), True),
    Column("surplus", _("Surplus"), True),
    Column("holdings_neq_kg", _("Holdings NEQ (kg)"), True),
    Column("surplus_neq_kg", _("Surplus NEQ (kg)"), True),
]


def _summary_values(row) -> list:
    return [
        row.requirement,
        row.holdings,
        row.serviceable,
        row.usable,
        row.unserviceable,
        row.expiring_before_use,
        row.obsolete_or_banned,
        row.excess,
        row.surplus,
        row.holdings_neq_kg,
        row.surplus_neq_kg,
    ]


def _balances(request, values, view) -> Q:
    """The balance rows the dashboard's lot tables read: in scope and filtered like the rest."""
    depot_ids = set(view.depots)
    if values["depot"] is not None:
        depot_ids &= {values["depot"].pk}
    if values["region"]:
        depot_ids = {pk for pk in depot_ids if view.depots[pk].region == values["region"]}
    condition = Q(depot_id__in=depot_ids, quantity__gt=0)
    if values["category"]:
        condition &= Q(lot__ammunition_type__category=values["category"])
    if values["type_code"] is not None:
        condition &= Q(lot__ammunition_type=values["type_code"])
    return condition


def _lot_rows(condition: Q):
    return list(
        Balance.objects.filter(condition)
        .values(
            "lot_id",
            "lot__lot_number",
            "lot__ammunition_type__code",
            "lot__ammunition_type_id",
            "lot__condition",
            "lot__expires_on",
            "depot_id",
            "depot__code",
        )
        .annotate(
            held=Sum("quantity"),
            neq=Sum(
                F("quantity")
                * Coalesce("lot__neq_per_unit_kg", "lot__ammunition_type__neq_per_unit_kg")
            ),
        )
        .order_by("lot__expires_on", "lot__lot_number", "depot__code")[: LIST_LIMIT + 1]
    )


def _lot_link(lot_id: int) -> str:
    return reverse("surveillance:lot_detail", args=[lot_id])


def _plan_link(depot_id: int, lot_id: int) -> str:
    return reverse("surplus:plan_new") + "?" + urlencode({"depot": depot_id, "lot": lot_id})


def _dashboard_tables(request, values, view) -> tuple[dict[str, Table], dict]:
    user = request.user
    may_plan = _may_manage(user)
    tables: dict[str, Table] = {}

    totals = computation.rows_summed(view.by_subject, key=lambda row: "all")
    total = totals[0] if totals else None
    table = Table("totals", _("Totals"), SUMMARY_COLUMNS)
    if total is not None:
        table.add(_summary_values(total))
    tables["totals"] = table

    table = Table(
        "categories", _("By category"), [Column("category", _("Category")), *SUMMARY_COLUMNS]
    )
    by_category = sorted(
        computation.rows_summed(view.by_subject, key=lambda row: row.category),
        key=lambda row: row.category,
    )
    for row in by_category:
        table.add(
            [str(CATEGORY_LABELS.get(row.category, row.category)), *_summary_values(row)],
            links={"category": _query(request, category=row.category)},
        )
    tables["categories"] = table

    table = Table("types", _("By type or group"), SUBJECT_COLUMNS)
    for row in view.by_subject:
        table.add(_subject_values(row), links={"subject": _subject_url(request, row)})
    tables["types"] = table

    table = Table(
        "not_assessed",
        _("Not assessed: no requirement stated"),
        [
            Column("subject", _("Type or group")),
            Column("name", _("Name")),
            Column("category", _("Category")),
            Column("why", _("Why")),
            Column("serviceable", _("Serviceable"), True),
            Column("usable", _("Usable (not assessed)"), True),
            Column("unserviceable", _("Unserviceable"), True),
            Column("expiring_before_use", _("Expiring before use"), True),
            Column("obsolete_or_banned", _("Obsolete or banned"), True),
            Column("surplus", _("Surplus"), True),
        ],
        caption=_(
            "A missing requirement is never read as zero: the usable stock of these types or "
            "groups is not compared with anything, so none of it is excess. Their unserviceable, "
            "expiring and obsolete or banned stock still counts."
        ),
    )
    for row in view.by_subject:
        if row.assessed:
            continue
        table.add(
            [
                row.code,
                row.name,
                str(CATEGORY_LABELS.get(row.category, row.category)),
                row.not_assessed_reason,
                row.serviceable,
                row.usable,
                row.unserviceable,
                row.expiring_before_use,
                row.obsolete_or_banned,
                row.surplus,
            ],
            links={"subject": _subject_url(request, row)},
        )
    tables["not_assessed"] = table

    depot_columns = [Column("depot", _("Depot")), Column("region", _("Region"))]
    depot_columns += [c for c in SUMMARY_COLUMNS if c.key != "requirement"]
    table = Table("depots", _("By depot"), depot_columns)
    located = [row for row in view.per_depot if row.depot_id is not None]
    by_depot = computation.rows_grouped(located, key=lambda row: row.depot_id)
    for depot_id, row in sorted(by_depot.items(), key=lambda pair: view.depots[pair[0]].code):
        depot = view.depots[depot_id]
        table.add(
            [depot.code, depot.region, *_summary_values(row)[1:]],
            links={"depot": _query(request, depot=depot.pk, region=None)},
        )
    tables["depots"] = table

    table = Table(
        "regions",
        _("By region"),
        [Column("region", _("Region"))] + [c for c in SUMMARY_COLUMNS if c.key != "requirement"],
    )
    by_region = computation.rows_grouped(located, key=lambda row: view.depots[row.depot_id].region)
    for region, row in sorted(by_region.items()):
        table.add(
            [region, *_summary_values(row)[1:]],
            links={"region": _query(request, region=region, depot=None)},
        )
    tables["regions"] = table

    table = Table(
        "top",
        _("Top surplus by NEQ"),
        [
            Column("subject", _("Type or group")),
            Column("name", _("Name")),
            Column("surplus", _("Surplus"), True),
            Column("surplus_neq_kg", _("Surplus NEQ (kg)"), True),
        ],
    )
    top = sorted(
        (row for row in view.by_subject if row.surplus_neq_kg > 0),
        key=lambda row: (-row.surplus_neq_kg, row.code),
    )[:10]
    for row in top:
        table.add(
            [row.code, row.name, row.surplus, row.surplus_neq_kg],
            links={"subject": _subject_url(request, row)},
        )
    tables["top"] = table

    condition = _balances(request, values, view)
    today = view.as_of
    months = values["months"]
    horizon = _add_months(today, months)
    lot_columns = [
        Column("lot", _("Lot")),
        Column("type", _("Type")),
        Column("depot", _("Depot")),
        Column("condition", _("Condition")),
        Column("expires_on", _("Expires on")),
        Column("quantity", _("Quantity"), True),
        Column("neq_kg", _("NEQ (kg)"), True),
    ]
    table = Table(
        "expiring",
        _("Lots expiring within %(months)d months") % {"months": months},
        lot_columns,
    )
    rows = _lot_rows(condition & Q(lot__expires_on__lte=horizon))
    table.truncated = len(rows) > LIST_LIMIT
    for item in rows[:LIST_LIMIT]:
        table.add(_lot_values(item), links={"lot": _lot_link(item["lot_id"])})
    tables["expiring"] = table

    unserviceable = Q(lot__condition__availability="unserviceable") | Q(lot__identity_lost=True)
    rows = _lot_rows(condition & unserviceable)
    planned = _planned(rows)
    table = Table(
        "unserviceable",
        _("Unserviceable stock awaiting disposal"),
        [*lot_columns, Column("planned", _("In open disposal plans"), True)],
    )
    table.truncated = len(rows) > LIST_LIMIT
    for item in rows[:LIST_LIMIT]:
        left = item["held"] - planned.get((item["lot_id"], item["depot_id"]), 0)
        table.add(
            [*_lot_values(item), planned.get((item["lot_id"], item["depot_id"]), 0)],
            links={"lot": _lot_link(item["lot_id"])},
            actions=[(_("Plan disposal"), _plan_link(item["depot_id"], item["lot_id"]))]
            if may_plan and left > 0
            else [],
        )
    tables["unserviceable"] = table

    depot_filter = None
    if values["depot"] is not None or values["region"]:
        depot_filter = set(view.depots)
        if values["depot"] is not None:
            depot_filter &= {values["depot"].pk}
        if values["region"]:
            depot_filter = {pk for pk in depot_filter if view.depots[pk].region == values["region"]}
    points = selectors.trend(user, depot_ids=depot_filter)
    table = Table(
        "trend",
        _("Trend (snapshots)"),
        [
            Column("taken_on", _("As of")),
            Column("serviceable", _("Serviceable"), True),
            Column("surplus", _("Surplus"), True),
            Column("surplus_neq_kg", _("Surplus NEQ (kg)"), True),
        ],
    )
    for point in points:
        table.add(
            [point["taken_on"], point["serviceable"], point["surplus"], point["surplus_neq_kg"]]
        )
    tables["trend"] = table

    chart_data = {
        "categories": charts.bar_chart(
            "chart-categories",
            _("Requirement, usable stock and surplus by category"),
            _("Bars per category; the same figures are in the table By category."),
            [str(CATEGORY_LABELS.get(r.category, r.category)) for r in by_category],
            [
                charts.Series(_("Requirement"), [r.requirement for r in by_category]),
                charts.Series(_("Usable"), [r.usable for r in by_category]),
                charts.Series(_("Surplus"), [r.surplus for r in by_category]),
            ],
        )
        if by_category
        else None,
        "top": charts.bar_chart(
            "chart-top",
            _("Top surplus types by NEQ (kg)"),
            _("One bar per type or group; the same figures are in the table Top surplus by NEQ."),
            [row.code for row in top],
            [charts.Series(_("Surplus NEQ (kg)"), [row.surplus_neq_kg for row in top])],
        )
        if top
        else None,
        "trend": charts.line_chart(
            "chart-trend",
            _("Serviceable stock and surplus over time"),
            _("One point per snapshot day; the same figures are in the table Trend."),
            [p["taken_on"].isoformat() for p in points],
            [
                charts.Series(_("Serviceable"), [p["serviceable"] for p in points]),
                charts.Series(_("Surplus"), [p["surplus"] for p in points]),
            ],
        )
        if len(points) > 1
        else None,
    }
    return tables, chart_data


def _add_months(day, months: int):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    import calendar

    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _lot_values(item) -> list:
    neq = item["neq"]
    return [
        item["lot__lot_number"],
        item["lot__ammunition_type__code"],
        item["depot__code"],
        item["lot__condition"],
        item["lot__expires_on"],
        item["held"],
        neq.quantize(computation._KG) if neq is not None else None,
    ]


def _planned(rows) -> dict[tuple[int, int], int]:
    """What open plans still have to dispose of, per lot and depot (one query)."""
    lot_ids = {item["lot_id"] for item in rows}
    if not lot_ids:
        return {}
    lines = (
        DisposalPlanLine.objects.filter(
            lot_id__in=lot_ids, plan__status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED]
        )
        .values("lot_id", "plan__depot_id")
        .annotate(left=Sum(F("quantity") - F("executed")))
    )
    return {(line["lot_id"], line["plan__depot_id"]): line["left"] for line in lines}


@require_GET
def dashboard(request):
    """National totals, requirement vs holdings vs surplus by category, type, depot and region,
    trends, top surplus by NEQ, lots expiring, unserviceable stock; filters and exports."""
    user = request.user
    _require_role(user)
    form, values = _filters(request)
    view = selectors.surplus_view(
        user,
        as_of=timezone.localdate(),
        depot=values["depot"],
        region=values["region"],
        ammunition_type=values["type_code"],
        category=values["category"],
    )
    tables, chart_data = _dashboard_tables(request, values, view)
    exported = _export(request, tables, "surplus")
    if exported is not None:
        return exported
    context = {
        "filter": form,
        "view": view,
        "tables": tables,
        "charts": chart_data,
        "may_manage": _may_manage(user),
        "may_report": _may_report(user),
        "scoped": read_depot_ids(user) is not None,
        "depot": values["depot"],
        "region": values["region"],
        "query": _query(request),
    }
    return render(request, "surplus/dashboard.html", context)


def _subject(code: str):
    """(sk, type or None, group or None) from "t<id>" or "g<id>", else 404."""
    if len(code) < 2 or code[0] not in "tg" or not code[1:].isdigit():
        raise Http404
    pk = int(code[1:])
    if code[0] == "t":
        ammunition_type = get_object_or_404(AmmunitionType, pk=pk)
        sk = selectors.subject_of_type(ammunition_type)
        if sk < 0:
            return sk, None, InterchangeableGroup.objects.get(pk=-sk)
        return sk, ammunition_type, None
    group = get_object_or_404(InterchangeableGroup, pk=pk)
    return -pk, None, group


@require_GET
def subject_detail(request, subject: str):
    """One type (or group): its surplus per depot in scope and every lot with its class."""
    user = request.user
    _require_role(user)
    sk, ammunition_type, group = _subject(subject)
    form, values = _filters(request)
    view = selectors.surplus_view(
        user, as_of=timezone.localdate(), depot=values["depot"], region=values["region"], sk=sk
    )
    wanted = {row.depot_id for row in view.per_depot if row.depot_id is not None}
    policy = view.policy
    items = computation.surplus_lots(
        today=view.as_of, policy=policy, sk=sk, depot_ids=None if view.national else wanted
    )
    tables: dict[str, Table] = {}
    table = Table("depots", _("By depot"), [Column("depot", _("Depot")), *SUMMARY_COLUMNS[1:]])
    for row in view.per_depot:
        if row.depot_id is None:
            continue
        depot = view.depots[row.depot_id]
        table.add(
            [depot.code, *_summary_values(row)[1:]],
            links={"depot": _query(request, depot=depot.pk, region=None)},
        )
    tables["depots"] = table
    may_plan = _may_manage(user)
    table = Table(
        "lots",
        _("Lots"),
        [
            Column("lot", _("Lot")),
            Column("type", _("Type")),
            Column("depot", _("Depot")),
            Column("class", _("Counted as")),
            Column("condition", _("Condition")),
            Column("expires_on", _("Expires on")),
            Column("quantity", _("Quantity"), True),
            Column("expiring", _("Expiring before use"), True),
            Column("neq_kg", _("NEQ (kg)"), True),
        ],
    )
    for item in items:
        plannable = item.cls in ("unserviceable", "reparable", "obsolete_or_banned") or (
            item.cls == "serviceable"
        )
        table.add(
            [
                item.lot_number,
                item.type_code,
                item.depot_code,
                str(CLASS_LABELS.get(item.cls, item.cls)),
                item.condition,
                item.expires_on,
                item.quantity,
                item.expiring_before_use,
                item.neq_kg,
            ],
            links={"lot": _lot_link(item.lot_id)},
            actions=[(_("Plan disposal"), _plan_link(item.depot_id, item.lot_id))]
            if may_plan and plannable
            else [],
        )
    tables["lots"] = table
    history = list(
        selectors.requirement_list().filter(
            Q(ammunition_type=ammunition_type) if ammunition_type else Q(group=group)
        )
    )
    exported = _export(request, tables, f"surplus-{subject}")
    if exported is not None:
        return exported
    summed = computation.rows_summed(view.per_depot)
    context = {
        "subject": ammunition_type or group,
        "group": group,
        "row": summed[0] if summed else None,
        "filter": form,
        "view": view,
        "tables": tables,
        "history": history,
        "may_manage": may_plan,
        "query": _query(request),
        "subject_code": subject,
    }
    return render(request, "surplus/subject.html", context)


# --- Requirements --------------------------------------------------------------------------


@require_GET
def requirement_list(request):
    """The requirement in force for each subject today, and every version ever set."""
    _require_role(request.user)
    today = timezone.localdate()
    current = list(selectors.requirement_current(as_of=today))
    tables = {}
    columns = [
        Column("subject", _("Type or group")),
        Column("version", _("Version"), True),
        Column("effective_from", _("Effective from")),
        Column("operational", _("Operational"), True),
        Column("training_per_year", _("Training per year"), True),
        Column("training_years", _("Years of cover"), True),
        Column("testing", _("Testing"), True),
        Column("contingency", _("Contingency"), True),
        Column("total", _("Total"), True),
        Column("approval_reference", _("Approval reference")),
        Column("set_by", _("Set by")),
    ]

    def values(r):
        return [
            r.subject_label,
            r.version,
            r.effective_from,
            r.operational,
            r.training_per_year,
            r.training_years,
            r.testing,
            r.contingency,
            r.total,
            r.approval_reference,
            r.set_by.username,
        ]

    def link(r):
        if r.ammunition_type_id:
            return reverse("surplus:subject", args=[f"t{r.ammunition_type_id}"])
        return reverse("surplus:subject", args=[f"g{r.group_id}"])

    table = Table("current", _("In force today"), columns)
    for r in sorted(current, key=lambda r: r.subject_label):
        table.add(values(r), links={"subject": link(r)})
    tables["current"] = table
    page = page_of(selectors.requirement_list(), request)
    table = Table(
        "history", _("Every version set, newest first"), [*columns, Column("set_at", _("Set at"))]
    )
    for r in page.rows:
        table.add(
            [*values(r), timezone.localtime(r.set_at).strftime("%Y-%m-%d %H:%M")],
            links={"subject": link(r)},
        )
    tables["history"] = table
    exported = _export(request, tables, "requirements")
    if exported is not None:
        return exported
    context = {
        "tables": tables,
        "page": page,
        "may_manage": _may_manage(request.user),
        "query": _query(request),
    }
    return render(request, "surplus/requirement_list.html", context)


@require_http_methods(["GET", "POST"])
def requirement_new(request):
    """Set a new version of a subject's requirement (officers)."""
    _require_manager(request.user)
    initial = {"effective_from": timezone.localdate()}
    code = request.GET.get("subject", "").strip()[:40]
    if code:
        initial["subject"] = code
    data = request.POST if request.method == "POST" else None
    form = forms.RequirementForm(data, initial=initial)
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        subject = values.pop("subject")
        requirement = attempt(
            form, lambda: services.requirement_set(set_by=request.user, **subject, **values)
        )
        if requirement is not None:
            messages.success(
                request,
                _("Requirement of %(subject)s set: version %(version)d, %(total)s from %(day)s.")
                % {
                    "subject": requirement.subject_label,
                    "version": requirement.version,
                    "total": f"{requirement.total:,}",
                    "day": requirement.effective_from.isoformat(),
                },
            )
            return redirect("surplus:dashboard")
    context = {"form": form, "errors": error_summary(form) if data is not None else []}
    return render(request, "surplus/requirement_form.html", context)


# --- Snapshots -----------------------------------------------------------------------------


def _start_snapshot(snapshot_id: int) -> None:
    from surplus.tasks import surplus_snapshot_task

    surplus_snapshot_task.delay(snapshot_id=snapshot_id)


@require_http_methods(["GET", "POST"])
def snapshot_list(request):
    """Snapshots with their status and progress; officers take one now."""
    _require_role(request.user)
    if request.method == "POST":
        _require_manager(request.user)
        with transaction.atomic():
            snapshot = services.snapshot_request(requested_by=request.user)
            transaction.on_commit(partial(_start_snapshot, snapshot.pk))
        messages.success(request, _("Snapshot queued: its progress shows below."))
        return redirect("surplus:snapshot_detail", pk=snapshot.pk)
    page = page_of(selectors.snapshot_list(), request)
    return render(
        request,
        "surplus/snapshot_list.html",
        {"page": page, "may_manage": _may_manage(request.user)},
    )


@require_GET
def snapshot_detail(request, pk: int):
    """A snapshot's progress (the page polls it with htmx while it runs), then its totals."""
    _require_role(request.user)
    snapshot = get_object_or_404(selectors.snapshot_list(), pk=pk)
    running = snapshot.status in (SnapshotStatus.QUEUED, SnapshotStatus.RUNNING)
    htmx = getattr(request, "htmx", None)
    if htmx:
        context = {"snapshot": snapshot, "running": running}
        return render(request, "surplus/partials/snapshot_status.html", context)
    table = Table(
        "rows",
        _("Stored figures"),
        [
            Column("subject", _("Type or group")),
            Column("depot", _("Depot")),
            Column("requirement", _("Requirement"), True),
            Column("serviceable", _("Serviceable"), True),
            Column("unserviceable", _("Unserviceable"), True),
            Column("expiring_before_use", _("Expiring before use"), True),
            Column("obsolete_or_banned", _("Obsolete or banned"), True),
            Column("usable", _("Usable"), True),
            Column("excess", _("Excess"), True),
            Column("surplus", _("Surplus"), True),
            Column("surplus_neq_kg", _("Surplus NEQ (kg)"), True),
        ],
    )
    rows = selectors.snapshot_rows(request.user, snapshot)
    if read_depot_ids(request.user) is None:
        rows = rows.filter(depot__isnull=True)
    for row in rows[: LIST_LIMIT * 10]:
        subject = row.ammunition_type or row.group
        table.add(
            [
                subject.code if subject else "",
                row.depot.code if row.depot else _("national"),
                row.requirement,
                row.serviceable,
                row.unserviceable,
                row.expiring_before_use,
                row.obsolete_or_banned,
                row.usable,
                row.excess,
                row.surplus,
                row.surplus_neq_kg,
            ]
        )
    tables = {"rows": table}
    exported = _export(request, tables, f"surplus-snapshot-{snapshot.taken_on.isoformat()}")
    if exported is not None:
        return exported
    context = {"snapshot": snapshot, "running": running, "tables": tables, "query": "?"}
    return render(request, "surplus/snapshot_detail.html", context)


# --- Disposal plans ------------------------------------------------------------------------


@require_GET
def plan_list(request):
    _require_role(request.user)
    plans = selectors.disposal_plan_list(request.user)
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        plans = plans.filter(status=status)
    context = {
        "page": page_of(plans, request),
        "status": status,
        "statuses": PlanStatus.choices,
        "may_manage": _may_manage(request.user),
    }
    return render(request, "surplus/plan_list.html", context)


@require_http_methods(["GET", "POST"])
def plan_new(request):
    """Draft a plan for one depot; `?depot=&lot=` fills the lines from the lot's holdings."""
    user = request.user
    _require_manager(user)
    raw_depot = request.POST.get("depot") or request.GET.get("depot", "")
    if not raw_depot.isdigit():
        depots = list(scope(Depot.objects.all(), user, depot_field="pk").order_by("code"))
        return render(request, "surplus/plan_depot.html", {"depots": depots})
    depot = get_object_or_404(scope(Depot.objects.all(), user, depot_field="pk"), pk=int(raw_depot))
    lot = None
    raw_lot = request.GET.get("lot", "")
    if raw_lot.isdigit():
        lot = Lot.objects.filter(pk=int(raw_lot)).first()
    data = request.POST if request.method == "POST" else None
    today = timezone.localdate()
    form = forms.PlanForm(
        data,
        initial={
            "scheduled_from": today,
            "scheduled_until": _add_months(today, 1),
            "method": "open_detonation",
        },
    )
    formset = forms.PlanLineFormSet(
        data,
        depot=depot,
        prefix="lines",
        initial=forms.plan_initial_lines(depot, lot) if data is None else None,
    )
    if data is not None and form.is_valid() and formset.is_valid():
        lines = [
            services.PlanLineInput(
                f.cleaned_data["lot"].pk,
                f.cleaned_data["storehouse"].pk,
                f.cleaned_data["quantity"],
            )
            for f in formset.forms
            if f.cleaned_data.get("lot") is not None
        ]
        plan = attempt(
            form,
            lambda: services.disposal_plan_create(
                depot=depot, lines=lines, created_by=user, **form.cleaned_data
            ),
        )
        if plan is not None:
            messages.success(
                request,
                _("Plan %(number)s drafted: another officer approves it.")
                % {"number": plan.number},
            )
            return redirect("surplus:plan_detail", pk=plan.pk)
    context = {
        "form": form,
        "formset": formset,
        "depot": depot,
        "errors": error_summary(form, formset=formset) if data is not None else [],
    }
    return render(request, "surplus/plan_form.html", context)


def _plan(request, pk: int):
    return get_object_or_404(selectors.disposal_plan_detail(request.user), pk=pk)


@require_GET
def plan_detail(request, pk: int):
    user = request.user
    _require_role(user)
    plan = _plan(request, pk)
    may_execute = (
        plan.status == PlanStatus.APPROVED
        and not plan.is_transfer
        and can(user, Action.RECORD_MOVEMENT, plan.depot_id)
    )
    context = {
        "plan": plan,
        "may_manage": _may_manage(user),
        "may_approve": _may_manage(user)
        and plan.status == PlanStatus.DRAFT
        and plan.created_by_id != user.pk,
        "may_execute": may_execute,
        "approve_form": forms.ApproveForm(),
        "close_form": forms.CloseForm(),
        "execution_form": forms.ExecutionForm(plan=plan) if may_execute else None,
        "errors": [],
    }
    return render(request, "surplus/plan_detail.html", context)


def _plan_action(request, pk, form_class, call, done):
    """POST of one of the plan page's forms: the plan page again with the error, or redirect."""
    user = request.user
    plan = _plan(request, pk)
    form = form_class(request.POST, **({"plan": plan} if form_class is forms.ExecutionForm else {}))
    result = None
    if form.is_valid():
        result = attempt(form, lambda: call(plan, form))
    if result is not None:
        messages.success(request, done(result))
        return redirect("surplus:plan_detail", pk=plan.pk)
    may_execute = (
        plan.status == PlanStatus.APPROVED
        and not plan.is_transfer
        and can(user, Action.RECORD_MOVEMENT, plan.depot_id)
    )
    context = {
        "plan": plan,
        "may_manage": _may_manage(user),
        "may_approve": _may_manage(user) and plan.status == PlanStatus.DRAFT,
        "may_execute": may_execute,
        "approve_form": form if form_class is forms.ApproveForm else forms.ApproveForm(),
        "close_form": form if form_class is forms.CloseForm else forms.CloseForm(),
        "execution_form": form
        if form_class is forms.ExecutionForm
        else (forms.ExecutionForm(plan=plan) if may_execute else None),
        "errors": error_summary(form),
    }
    return render(request, "surplus/plan_detail.html", context, status=200)


@require_http_methods(["POST"])
def plan_approve(request, pk: int):
    _plan(request, pk)
    _require_manager(request.user)
    return _plan_action(
        request,
        pk,
        forms.ApproveForm,
        lambda plan, form: services.disposal_plan_approve(
            plan=plan,
            approved_by=request.user,
            approval_reference=form.cleaned_data["approval_reference"],
        ),
        lambda plan: _("Plan %(number)s approved.") % {"number": plan.number},
    )


@require_http_methods(["POST"])
def plan_close(request, pk: int):
    _plan(request, pk)
    _require_manager(request.user)
    return _plan_action(
        request,
        pk,
        forms.CloseForm,
        lambda plan, form: services.disposal_plan_close(
            plan=plan, closed_by=request.user, note=form.cleaned_data["note"]
        ),
        lambda plan: _("Plan %(number)s closed.") % {"number": plan.number},
    )


@require_http_methods(["POST"])
def plan_execute(request, pk: int):
    plan = _plan(request, pk)
    if not can(request.user, Action.RECORD_MOVEMENT, plan.depot_id):
        raise PermissionDenied(_("Your role does not allow this action here."))

    def execute(plan, form):
        lines = form.line_inputs()
        if not lines:
            raise ValidationError(_("Give the quantity disposed of for at least one line."))
        return services.disposal_execute(
            plan=plan,
            lines=lines,
            executed_on=form.cleaned_data["executed_on"],
            witnesses=form.cleaned_data["witnesses"],
            executed_by=request.user,
            note=form.cleaned_data["note"],
        )

    return _plan_action(
        request,
        pk,
        forms.ExecutionForm,
        execute,
        lambda execution: (
            _("Executed: document %(document)s posted, certificate %(number)s.")
            % {"document": execution.document.number, "number": execution.certificate_number}
        ),
    )


@require_GET
def certificate(request, pk: int):
    """The destruction (or training-use) certificate of one execution, printable."""
    _require_role(request.user)
    execution = get_object_or_404(selectors.execution_list(request.user), pk=pk)
    lines = []
    total_neq = 0
    for line in execution.lines.all():
        lot = line.plan_line.lot
        per_unit = lot.neq_per_unit_kg or lot.ammunition_type.neq_per_unit_kg
        neq = (line.quantity * per_unit).quantize(computation._KG)
        total_neq += neq
        lines.append({"line": line, "lot": lot, "neq": neq})
    context = {
        "execution": execution,
        "plan": execution.plan,
        "lines": lines,
        "total_quantity": sum(item["line"].quantity for item in lines),
        "total_neq": total_neq,
        "destruction": execution.plan.method in DESTRUCTION_METHODS,
    }
    return render(request, "surplus/certificate.html", context)


def _request_report(request, kind: str, parameters: dict, back: str):
    """Request a PDF of this app's kinds and show the report's page (the reports request form
    has no fields for them: docs/surplus.md). A refusal comes back as a message on `back`."""
    from reports.services import report_request

    try:
        run = report_request(kind=kind, parameters=parameters, requested_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(message for message in exc.messages))
        return redirect(back)
    return redirect("reports:report_detail", run.pk)


@require_http_methods(["POST"])
def certificate_pdf(request, pk: int):
    """The certificate as a report (PDF, digests); an execution outside the scope is a 404."""
    _require_role(request.user)
    execution = get_object_or_404(selectors.execution_list(request.user), pk=pk)
    return _request_report(
        request,
        "destruction_certificate",
        {"execution": execution.pk},
        reverse("surplus:certificate", args=[execution.pk]),
    )


@require_http_methods(["POST"])
def report_pdf(request):
    """The national surplus report with the dashboard's depot or region filter."""
    _require_role(request.user)
    parameters = {}
    depot, region = request.POST.get("depot", ""), request.POST.get("region", "").strip()
    if depot:
        parameters["depot"] = depot
    elif region:
        parameters["region"] = region
    return _request_report(
        request, "surplus", parameters, reverse("surplus:dashboard") + _query(request)
    )


# --- Groups of interchangeable types -----------------------------------------------------------


@require_GET
def group_list(request):
    """The groups and their types; national reference facts every role reads."""
    _require_role(request.user)
    groups = list(selectors.group_list())
    context = {"groups": groups, "may_manage": _may_manage(request.user)}
    return render(request, "surplus/group_list.html", context)


@require_http_methods(["GET", "POST"])
def group_new(request):
    _require_manager(request.user)
    data = request.POST if request.method == "POST" else None
    form = forms.GroupForm(data)
    if data is not None and form.is_valid():
        group = attempt(
            form, lambda: services.group_create(created_by=request.user, **form.cleaned_data)
        )
        if group is not None:
            messages.success(request, _("Group %(code)s created.") % {"code": group.code})
            return redirect("surplus:group_detail", group.pk)
    context = {"form": form, "errors": error_summary(form) if data is not None else []}
    return render(request, "surplus/group_form.html", context)


def _group_page(request, group, form=None, status=200):
    context = {
        "group": group,
        "subject_url": reverse("surplus:subject", args=[f"g{group.pk}"]),
        "members": list(selectors.group_members(group)),
        "history": selectors.group_history(group),
        "requirement": selectors.requirement_current(as_of=timezone.localdate())
        .filter(group=group)
        .first(),
        "may_manage": _may_manage(request.user),
        "form": form or forms.GroupMemberForm(),
        "errors": error_summary(form) if form is not None else [],
    }
    return render(request, "surplus/group_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def group_detail(request, pk: int):
    """A group: its types, its requirement in force, the history; officers add a type (POST)."""
    _require_role(request.user)
    group = get_object_or_404(selectors.group_list(), pk=pk)
    if request.method == "GET":
        return _group_page(request, group)
    _require_manager(request.user)
    form = forms.GroupMemberForm(request.POST)
    if form.is_valid():
        member = attempt(
            form,
            lambda: services.group_member_add(
                group=group,
                ammunition_type=form.cleaned_data["ammunition_type"],
                added_by=request.user,
            ),
        )
        if member is not None:
            messages.success(
                request,
                _("%(type)s is now in the group %(group)s.")
                % {"type": member.ammunition_type.code, "group": group.code},
            )
            return redirect("surplus:group_detail", group.pk)
    return _group_page(request, group, form, status=400)


@require_http_methods(["POST"])
def group_member_remove(request, pk: int, type_pk: int):
    _require_manager(request.user)
    group = get_object_or_404(selectors.group_list(), pk=pk)
    ammunition_type = get_object_or_404(AmmunitionType, pk=type_pk)
    try:
        services.group_member_remove(
            group=group, ammunition_type=ammunition_type, removed_by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(type)s is no longer in the group %(group)s.")
            % {"type": ammunition_type.code, "group": group.code},
        )
    return redirect("surplus:group_detail", group.pk)
