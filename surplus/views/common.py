"""Roles, exports and labels the surplus pages share."""

from __future__ import annotations

import calendar

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import can
from inventory.models.reference import AmmunitionCategory
from reports.kinds import builder_for
from surplus import services
from surplus.exports import Column, Table, csv_response, xlsx_response

LIST_LIMIT = 500
CATEGORY_LABELS = dict(AmmunitionCategory.choices)
CLASS_LABELS = {
    "serviceable": gettext_lazy("serviceable"),
    "obsolete_or_banned": gettext_lazy("obsolete or banned"),
    "suspended": gettext_lazy("suspended"),
    "unserviceable": gettext_lazy("unserviceable"),
    "reparable": gettext_lazy("reparable (not counted)"),
    "in_transit": gettext_lazy("in transit"),
}

# The columns of the surplus tables, labelled here once: a figure reads the same on every page
# and in every export. Each key is also the attribute of a surplus row that holds the figure.
SUBJECT_COLUMNS = [
    Column("subject", gettext_lazy("Type or group")),
    Column("name", gettext_lazy("Name")),
    Column("category", gettext_lazy("Category")),
    Column("requirement", gettext_lazy("Requirement"), True),
    Column("serviceable", gettext_lazy("Serviceable"), True),
    Column("suspended", gettext_lazy("Suspended"), True),
    Column("in_transit", gettext_lazy("In transit"), True),
    Column("unserviceable", gettext_lazy("Unserviceable"), True),
    Column("expiring_before_use", gettext_lazy("Expiring before use"), True),
    Column("obsolete_or_banned", gettext_lazy("Obsolete or banned"), True),
    Column("usable", gettext_lazy("Usable"), True),
    Column("margin", gettext_lazy("Usable − requirement (national)"), True),
    Column("excess", gettext_lazy("Excess"), True),
    Column("surplus", gettext_lazy("Surplus"), True),
    Column("surplus_neq_kg", gettext_lazy("Surplus NEQ (kg)"), True),
]
SUMMARY_COLUMNS = [
    Column("requirement", gettext_lazy("Requirement"), True),
    Column("holdings", gettext_lazy("Holdings"), True),
    Column("serviceable", gettext_lazy("Serviceable"), True),
    Column("usable", gettext_lazy("Usable"), True),
    Column("unserviceable", gettext_lazy("Unserviceable"), True),
    Column("expiring_before_use", gettext_lazy("Expiring before use"), True),
    Column("obsolete_or_banned", gettext_lazy("Obsolete or banned"), True),
    Column("excess", gettext_lazy("Excess"), True),
    Column("surplus", gettext_lazy("Surplus"), True),
    Column("holdings_neq_kg", gettext_lazy("Holdings NEQ (kg)"), True),
    Column("surplus_neq_kg", gettext_lazy("Surplus NEQ (kg)"), True),
]
# A version of a subject's requirement.
REQUIREMENT_COLUMNS = [
    Column("subject", gettext_lazy("Type or group")),
    Column("version", gettext_lazy("Version"), True),
    Column("effective_from", gettext_lazy("Effective from")),
    Column("operational", gettext_lazy("Operational"), True),
    Column("training_per_year", gettext_lazy("Training per year"), True),
    Column("training_years", gettext_lazy("Years of cover"), True),
    Column("testing", gettext_lazy("Testing"), True),
    Column("contingency", gettext_lazy("Contingency"), True),
    Column("total", gettext_lazy("Total"), True),
    Column("approval_reference", gettext_lazy("Approval reference")),
    Column("set_by", gettext_lazy("Set by")),
]
# A lot's balance in a depot.
LOT_COLUMNS = [
    Column("lot", gettext_lazy("Lot")),
    Column("type", gettext_lazy("Type")),
    Column("depot", gettext_lazy("Depot")),
    Column("condition", gettext_lazy("Condition")),
    Column("expires_on", gettext_lazy("Expires on")),
    Column("quantity", gettext_lazy("Quantity"), True),
    Column("neq_kg", gettext_lazy("NEQ (kg)"), True),
]


def figures(row, columns: list[Column]) -> list:
    """The row's figures under `columns`, each named by its key."""
    return [getattr(row, column.key) for column in columns]


def figure_columns(*keys: str) -> list[Column]:
    """The subject columns named by `keys`, in that order."""
    by_key = {column.key: column for column in SUBJECT_COLUMNS}
    return [by_key[key] for key in keys]


def category_label(row) -> str:
    return str(CATEGORY_LABELS.get(row.category, row.category))


def may_manage(user) -> bool:
    return can(user, Action.MANAGE_OVERSIGHT)


def require_manager(user) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("Your role does not allow this action here."))


def may_report(user) -> bool:
    """The national surplus report is for national readers (surplus.report_kinds)."""

    builder = builder_for("surplus")
    return builder is not None and can(user, Action.REQUEST_REPORT) and builder.may_read(user)


def require_role(user) -> None:
    """Users with no role read nothing here."""
    if not user.role_set:
        raise PermissionDenied(_("Your role does not allow this action here."))


def export_response(request, tables: dict[str, Table], stem: str):
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


def tables_page(request, template: str, context: dict, stem: str):
    """The page, or with ?export=csv|xlsx&table=<key> the file of one of `context["tables"]`."""
    exported = export_response(request, context["tables"], stem)
    if exported is not None:
        return exported
    return render(request, template, context)


def query_string(request, **changes) -> str:
    params = {k: v for k, v in request.GET.items() if k not in ("export", "table", "page")}
    params.update(dict(changes.items()))
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def add_months(day, months: int):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1

    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
