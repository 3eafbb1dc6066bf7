"""Roles, exports and labels the surplus pages share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import can
from inventory.models.reference import AmmunitionCategory
from surplus import services
from surplus.exports import Table, csv_response, xlsx_response

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


def may_manage(user) -> bool:
    return can(user, Action.MANAGE_OVERSIGHT)


def require_manager(user) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("Your role does not allow this action here."))


def may_report(user) -> bool:
    """The national surplus report is for national readers (surplus.report_kinds)."""
    from reports.kinds import builder_for

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


def query_string(request, **changes) -> str:
    params = {k: v for k, v in request.GET.items() if k not in ("export", "table", "page")}
    params.update(dict(changes.items()))
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def add_months(day, months: int):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    import calendar

    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
