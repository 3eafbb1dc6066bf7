"""The officers' dashboard and the drill-down from nation to depot to type to lot (DESIGN.md
§9). Every table on a page exports with exactly what the screen shows."""

from __future__ import annotations

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.scoping import read_depot_ids
from inventory.models import AmmunitionType, Balance
from surplus import charts, computation, forms, selectors
from surplus.exports import Column, Table
from surplus.figure_charts import requirement_bars, top_surplus_bars
from surplus.models import (
    DisposalPlanLine,
    InterchangeableGroup,
    PlanStatus,
)
from surplus.views.common import (
    CLASS_LABELS,
    LIST_LIMIT,
    LOT_COLUMNS,
    SUBJECT_COLUMNS,
    SUMMARY_COLUMNS,
    add_months,
    category_label,
    figure_columns,
    figures,
    may_manage,
    may_report,
    query_string,
    require_role,
    tables_page,
)

# --- Dashboard -----------------------------------------------------------------------------


def _filters(request):
    form = forms.DashboardFilter(request.GET or None, user=request.user)
    values = {"depot": None, "region": "", "category": "", "type_code": None, "months": 12}
    if form.is_bound and form.is_valid():
        values.update({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    return form, values


def _subject_url(request, row) -> str:
    """The row's drill-down link. The query string and the URL around the subject are the
    same for every row of a request: built once (a national page has thousands of rows)."""
    parts = getattr(request, "_surplus_subject_url", None)
    if parts is None:
        prefix, _dash, suffix = reverse("surplus:subject", args=["-"]).rpartition("-")
        parts = request._surplus_subject_url = (
            prefix,
            suffix + query_string(request, type_code=None, category=None),
        )
    return f"{parts[0]}{row.subject}{parts[1]}"


def _subject_values(row) -> list:
    return [row.code, row.name, category_label(row), *figures(row, SUBJECT_COLUMNS[3:])]


def _summary_values(row) -> list:
    return figures(row, SUMMARY_COLUMNS)


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
    may_plan = may_manage(user)
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
            [category_label(row), *_summary_values(row)],
            links={"category": query_string(request, category=row.category)},
        )
    tables["categories"] = table

    table = Table("types", _("By type or group"), SUBJECT_COLUMNS)
    for row in view.by_subject:
        table.add(_subject_values(row), links={"subject": _subject_url(request, row)})
    tables["types"] = table

    still_counted = ("unserviceable", "expiring_before_use", "obsolete_or_banned", "surplus")
    table = Table(
        "not_assessed",
        _("Not assessed: no requirement stated"),
        [
            *SUBJECT_COLUMNS[:3],
            Column("why", _("Why")),
            *figure_columns("serviceable"),
            Column("usable", _("Usable (not assessed)"), True),
            *figure_columns(*still_counted),
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
        named = [row.code, row.name, category_label(row), row.not_assessed_reason]
        table.add(
            [*named, *figures(row, table.columns[4:])],
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
            links={"depot": query_string(request, depot=depot.pk, region=None)},
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
            links={"region": query_string(request, region=region, depot=None)},
        )
    tables["regions"] = table

    table = Table(
        "top",
        _("Top surplus by NEQ"),
        [*SUBJECT_COLUMNS[:2], *figure_columns("surplus", "surplus_neq_kg")],
    )
    top = sorted(
        (row for row in view.by_subject if row.surplus_neq_kg > 0),
        key=lambda row: (-row.surplus_neq_kg, row.code),
    )[:10]
    for row in top:
        table.add(
            [row.code, row.name, *figures(row, table.columns[2:])],
            links={"subject": _subject_url(request, row)},
        )
    tables["top"] = table

    condition = _balances(request, values, view)
    today = view.as_of
    months = values["months"]
    horizon = add_months(today, months)
    table = Table(
        "expiring",
        _("Lots expiring within %(months)d months") % {"months": months},
        LOT_COLUMNS,
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
        [*LOT_COLUMNS, Column("planned", _("In open disposal plans"), True)],
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
        "categories": requirement_bars(
            "chart-categories",
            _("Requirement, usable stock and surplus by category"),
            _(
                "Bars per category, each category drawn to its own scale (their units differ by "
                "orders of magnitude); the same figures are in the table By category."
            ),
            [category_label(r) for r in by_category],
            by_category,
            per_row=True,
        ),
        "top": top_surplus_bars(
            "chart-top",
            _("One bar per type or group; the same figures are in the table Top surplus by NEQ."),
            top,
        ),
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


# The row of figures the dashboard opens with (issue 17): key of the totals row, label, and the
# section that holds the detail.
HEADLINE = [
    ("holdings", gettext_lazy("Holdings (units)"), "table-categories"),
    ("holdings_neq_kg", gettext_lazy("Holdings NEQ (kg)"), "table-categories"),
    ("requirement", gettext_lazy("Requirement (units)"), "table-types"),
    ("surplus", gettext_lazy("Surplus (units)"), "table-types"),
    ("surplus_neq_kg", gettext_lazy("Surplus NEQ (kg)"), "table-top"),
    ("expiring_before_use", gettext_lazy("Expiring before use"), "table-expiring"),
    ("unserviceable", gettext_lazy("Unserviceable awaiting disposal"), "table-unserviceable"),
]


def _headline(tables: dict[str, Table]) -> list[dict]:
    """The national (or filtered) totals as figures that link to their sections; empty when
    nothing is held."""
    totals = tables["totals"]
    if not totals.rows:
        return []
    values = dict(zip([column.key for column in totals.columns], totals.rows[0], strict=True))
    return [
        {"label": label, "value": values[key], "section": section}
        for key, label, section in HEADLINE
    ]


# The tables open when the page opens: the one row of totals. The others are sections one click
# away (issue 17: the page opens with its figures and charts, not 8,000 px of tables).
OPEN_SECTIONS = frozenset({"totals"})


def _open_sections(request, tables: dict[str, Table]) -> frozenset[str]:
    """The sections shown open: `?section=<table key>` opens that one too, `?section=all` every
    one (to read or print the whole dashboard without a script)."""
    chosen = request.GET.get("section", "")
    if chosen == "all":
        return frozenset(tables)
    return OPEN_SECTIONS | ({chosen} if chosen in tables else set())


@require_GET
def dashboard(request):
    """National totals, requirement vs holdings vs surplus by category, type, depot and region,
    trends, top surplus by NEQ, lots expiring, unserviceable stock; filters and exports."""
    user = request.user
    require_role(user)
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
    context = {
        "filter": form,
        "view": view,
        "tables": tables,
        "charts": chart_data,
        "headline": _headline(tables),
        "sections": [(f"table-{key}", table.title) for key, table in tables.items()],
        "open_sections": _open_sections(request, tables),
        "all_sections_url": query_string(request, section="all"),
        "may_manage": may_manage(user),
        "may_report": may_report(user),
        "scoped": read_depot_ids(user) is not None,
        "depot": values["depot"],
        "region": values["region"],
        "query": query_string(request),
    }
    return tables_page(request, "surplus/dashboard.html", context, "surplus")


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
    require_role(user)
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
            links={"depot": query_string(request, depot=depot.pk, region=None)},
        )
    tables["depots"] = table
    may_plan = may_manage(user)
    table = Table(
        "lots",
        _("Lots"),
        [
            *LOT_COLUMNS[:3],
            Column("class", _("Counted as")),
            *LOT_COLUMNS[3:6],
            Column("expiring", _("Expiring before use"), True),
            LOT_COLUMNS[6],
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
        "query": query_string(request),
        "subject_code": subject,
    }
    return tables_page(request, "surplus/subject.html", context, f"surplus-{subject}")
