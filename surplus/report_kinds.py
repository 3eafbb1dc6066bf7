"""The surplus report kinds (DESIGN.md §10): the destruction certificate of one disposal
execution, and the national surplus report. Found at start-up by ReportsConfig.ready.

The certificate covers the ledger lines of its execution's disposal document (the ledger digest
lets an auditor check the quantities taken out of stock) and the execution's record (plan,
method, site, witnesses: the record digest). The surplus report covers no ledger line: its
figures are computed from balances, so it digests the figures it prints (record digest); a
later movement of the stock it counted makes the verification say the figures changed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import Role
from core.scoping import scope
from inventory.models import Depot, LedgerLine
from reports.builders.record import RecordReport
from reports.kinds import (
    Block,
    Cleaned,
    Content,
    ReportBuilder,
    Table,
    depot_param,
    only,
    refuse,
    register,
    who,
)
from reports.models import ReportKind
from surplus import charts, computation
from surplus.figure_charts import requirement_bars, top_surplus_bars
from surplus.models import DESTRUCTION_METHODS, DisposalExecution
from surplus.selectors import execution_list, surplus_view

TOP = 10
TABLE_ROWS = 60  # rows of a figures table per block (parts split between blocks)


def _chart_width(rows: int, series: int) -> int:
    """The width (mm) at which a surplus.charts.bar_chart of `rows` groups of `series` bars is at
    most 150 mm high: an SVG is one box, and WeasyPrint never splits it between pages."""
    width, height = 810, 40 + (14 * series + 10) * max(1, rows) + 10  # bar_chart's geometry
    return min(260, int(150 * width / height))


def _neq(line) -> Decimal:
    lot = line.plan_line.lot
    per_unit = lot.neq_per_unit_kg or lot.ammunition_type.neq_per_unit_kg
    return (line.quantity * per_unit).quantize(computation._KG)


class DestructionCertificate(RecordReport):
    """One disposal execution: what was destroyed (or used, or handed over), where, how, before
    whom. Readers: anyone who reads its depot, the clerks who executed it included — they sign
    it, and the HTML certificate is theirs already (docs/surplus.md)."""

    kind = ReportKind.DESTRUCTION_CERTIFICATE
    parameter = "execution"
    label_of_id = gettext_lazy("Disposal execution (id)")
    id_required = True
    tabular = True

    def _get(self, pk: int) -> DisposalExecution:
        return (
            DisposalExecution.objects.select_related(
                "plan__depot",
                "plan__approved_by",
                "plan__created_by",
                "document",
                "executed_by",
            )
            .prefetch_related(
                "lines__plan_line__lot__ammunition_type", "lines__plan_line__storehouse"
            )
            .get(pk=pk)
        )

    def readable(self, user):
        return execution_list(user).annotate(depot_id=F("plan__depot_id"))

    def depot_of(self, execution):
        return execution.plan.depot

    def lines(self, run) -> QuerySet[LedgerLine]:
        document = DisposalExecution.objects.filter(pk=run.parameters["execution"]).values(
            "document_id"
        )
        return LedgerLine.objects.filter(document_id__in=document)

    def _lines(self, execution):
        return [
            {
                "lot": line.plan_line.lot,
                "storehouse": line.plan_line.storehouse,
                "quantity": line.quantity,
                "neq": _neq(line),
            }
            for line in execution.lines.all()
        ]

    def records(self, run):
        execution = self._get(run.parameters["execution"])
        plan = execution.plan
        return {
            "execution": execution.pk,
            "certificate": execution.certificate_number,
            "plan": plan.number,
            "depot": plan.depot.code,
            "method": plan.method,
            "site": plan.site,
            "approved_by": plan.approved_by.username if plan.approved_by else None,
            "approval_reference": plan.approval_reference,
            "document": execution.document.number,
            "executed_on": execution.executed_on,
            "executed_by": execution.executed_by.username,
            "witnesses": execution.witnesses,
            "note": execution.note,
            "lines": [
                [item["lot"].pk, item["storehouse"].pk, item["quantity"], str(item["neq"])]
                for item in self._lines(execution)
            ],
        }

    def content(self, run, lines) -> Content:
        execution = self._get(run.parameters["execution"])
        plan = execution.plan
        items = self._lines(execution)
        destruction = plan.method in DESTRUCTION_METHODS
        title = _("Destruction certificate") if destruction else _("Disposal certificate")
        total_quantity = sum(item["quantity"] for item in items)
        total_neq = sum((item["neq"] for item in items), Decimal("0.000"))
        approved = who(plan.approved_by)
        if plan.approval_reference:
            approved = f"{approved} ({plan.approval_reference})"
        return Content(
            title=f"{title} {execution.certificate_number}",
            period=execution.executed_on.isoformat(),
            facts=[
                (_("Certificate"), execution.certificate_number),
                (_("Disposal plan"), plan.number),
                (_("Method"), plan.get_method_display()),
                (_("Site"), plan.site),
                (_("Executed on"), execution.executed_on.isoformat()),
                (_("Disposal document"), execution.document.number),
                (_("Plan approved by"), approved or "—"),
                (_("Executed by"), who(execution.executed_by)),
            ],
            blocks=[
                Block(
                    "surplus/reports/certificate.html",
                    {
                        "execution": execution,
                        "items": items,
                        "total_quantity": total_quantity,
                        "total_neq": total_neq,
                    },
                    rows=12 + len(items) + len(execution.witnesses),
                )
            ],
            signatures=[
                _("Officer in charge of the disposal"),
                *[
                    f"{_('Witness')}: {w.get('name', '')}"
                    for w in execution.witnesses
                    if isinstance(w, dict)
                ],
                _("Depot commander"),
            ],
            table=Table(
                headers=[
                    "certificate",
                    "document",
                    "lot",
                    "ammunition_type",
                    "storehouse",
                    "quantity",
                    "neq_kg",
                ],
                rows=[
                    [
                        execution.certificate_number,
                        execution.document.number,
                        item["lot"].lot_number,
                        item["lot"].ammunition_type.code,
                        item["storehouse"].code,
                        item["quantity"],
                        item["neq"],
                    ]
                    for item in items
                ],
            ),
        )


# --- The national surplus report -----------------------------------------------------------------

UNIT_FIELDS = (
    "requirement",
    "holdings",
    "serviceable",
    "suspended",
    "in_transit",
    "usable",
    "excess",
    "unserviceable",
    "expiring_before_use",
    "obsolete_or_banned",
    "surplus",
)


def _figures(row, *, national: bool = True) -> dict:
    """A row's printed figures; a depot's row has no requirement (the requirement is national)."""
    values = {name: getattr(row, name) for name in UNIT_FIELDS}
    if not national:
        values["requirement"] = None
    values["holdings_neq_kg"] = str(row.holdings_neq_kg.quantize(computation._KG))
    values["surplus_neq_kg"] = str(row.surplus_neq_kg)
    values["requirement_stated"] = row.requirement_stated
    values["unit_mismatch"] = row.unit_mismatch
    return values


def _table_blocks(template: str, rows: list, *, head: int) -> list[Block]:
    """A figures table in blocks of TABLE_ROWS rows, the first with the table's heading; `head`
    is the lines the template adds to its rows."""
    chunks = [rows[start : start + TABLE_ROWS] for start in range(0, len(rows), TABLE_ROWS)]
    return [
        Block(template, {"rows": chunk, "first": index == 0}, rows=len(chunk) + head)
        for index, chunk in enumerate(chunks)
    ]


class SurplusReport(ReportBuilder):
    """Requirement, holdings and surplus by type (or group) and by depot, the top surplus by
    NEQ, with the dashboard's charts; national, or filtered to a depot or a region. For
    national readers only (officers, auditors, administrators): it shows national figures."""

    kind = ReportKind.SURPLUS
    tabular = True
    page_size = "A4 landscape"
    reader_roles = frozenset({Role.OFFICER, Role.AUDITOR})

    def clean(self, *, user, parameters) -> Cleaned:
        only(parameters, ["depot", "region"])
        depot = depot_param(user, parameters, required=False)
        region = parameters.get("region") or ""
        if not isinstance(region, str):
            raise refuse("region", _("Must be a region's name."))
        region = region.strip()
        if depot is not None and region:
            raise refuse("region", _("Give a depot or a region, not both."))
        if region and not Depot.objects.filter(region=region).exists():
            raise refuse("region", _("No depot lies in this region."))
        stored = {"as_of": timezone.localdate().isoformat()}
        if depot is not None:
            stored["depot"] = depot.pk
        if region:
            stored["region"] = region
        return Cleaned(stored, depot)

    def form_fields(self, user) -> dict:
        """For the reports request page, once it asks kinds for their fields."""
        depots = scope(Depot.objects.order_by("code"), user, depot_field="pk")
        regions = sorted(set(depots.values_list("region", flat=True)))
        return {
            "depot": forms.ModelChoiceField(queryset=depots, label=_("Depot"), required=False),
            "region": forms.ChoiceField(
                choices=[("", "—"), *[(r, r) for r in regions]], label=_("Region"), required=False
            ),
        }

    def _view(self, run):
        depot = None
        if run.parameters.get("depot"):
            depot = Depot.objects.get(pk=run.parameters["depot"])
        view = surplus_view(
            run.requested_by,
            as_of=date.fromisoformat(run.parameters["as_of"]),
            depot=depot,
            region=run.parameters.get("region", ""),
        )
        by_type = sorted(view.by_subject, key=lambda row: row.code)
        grouped = computation.rows_grouped(view.per_depot, key=lambda row: row.depot_id)
        by_depot = sorted(
            ((view.depots[pk], row) for pk, row in grouped.items()), key=lambda x: x[0].code
        )
        totals = computation.rows_summed(view.per_depot, key=lambda row: None)
        top = sorted(
            (row for row in by_type if row.surplus_neq_kg > 0),
            key=lambda row: (-row.surplus_neq_kg, row.code),
        )[:TOP]
        return view, by_type, by_depot, (totals[0] if totals else None), top

    def records(self, run):
        # Kept on this run object for content(), which the render service calls next: the PDF
        # shows exactly the figures digested, computed once. A verification gets a fresh run.
        run._surplus_figures = self._view(run)
        view, by_type, by_depot, _total, _top = run._surplus_figures
        return {
            "as_of": run.parameters["as_of"],
            "depot": run.parameters.get("depot"),
            "region": run.parameters.get("region", ""),
            "policy": view.policy.as_dict(),
            "by_type": [[row.code, _figures(row)] for row in by_type],
            "by_depot": [[depot.code, _figures(row, national=False)] for depot, row in by_depot],
        }

    def content(self, run, lines) -> Content:
        figures = getattr(run, "_surplus_figures", None) or self._view(run)
        view, by_type, by_depot, total, top = figures
        depot_rows = by_depot
        # A missing requirement is never drawn as a zero bar: only assessed subjects are charted.
        chart_types = sorted(
            (row for row in by_type if row.assessed), key=lambda row: (-row.surplus, row.code)
        )[:TOP]
        not_assessed = [(row, row.not_assessed_reason) for row in by_type if not row.assessed]
        chart_depots = depot_rows[:25]
        blocks = [
            Block(
                "surplus/reports/surplus_summary.html",
                {
                    "total": total,
                    "top": top,
                    "not_assessed": not_assessed,
                    "policy": view.policy,
                    "national": view.national,
                    "chart_types": requirement_bars(
                        "r-types",
                        _("Requirement, usable stock and surplus by type or group"),
                        _("Bars per type or group; the same figures are in the table By type."),
                        [row.code for row in chart_types],
                        chart_types,
                    ),
                    "charted": len(chart_types) < len(by_type),
                    "more_depots": len(chart_depots) < len(depot_rows),
                    "widths": {
                        "types": _chart_width(len(chart_types), 3),
                        "top": _chart_width(len(top), 1),
                        "depots": _chart_width(len(chart_depots), 2),
                    },
                    "chart_top": top_surplus_bars(
                        "r-top",
                        _("One bar per type or group; the figures are in the table Top surplus."),
                        top,
                    ),
                    "chart_depots": charts.bar_chart(
                        "r-depots",
                        _("Holdings and surplus by depot"),
                        _("Bars per depot; the same figures are in the table By depot."),
                        [depot.code for depot, _row in chart_depots],
                        [
                            charts.Series(_("Holdings"), [r.holdings for _d, r in chart_depots]),
                            charts.Series(_("Surplus"), [r.surplus for _d, r in chart_depots]),
                        ],
                    )
                    if depot_rows
                    else None,
                },
                rows=60 + 3 * len(chart_types) + len(top) + 2 * min(25, len(depot_rows)),
            )
        ]
        blocks += _table_blocks("surplus/reports/surplus_types.html", by_type, head=3)
        blocks += _table_blocks("surplus/reports/surplus_unassessed.html", not_assessed, head=5)
        blocks += _table_blocks("surplus/reports/surplus_depots.html", depot_rows, head=3)
        table_rows = [["type", row.code, *_figures(row).values()] for row in by_type] + [
            ["depot", depot.code, *_figures(row, national=False).values()]
            for depot, row in depot_rows
        ]
        return Content(
            title=_("National surplus report"),
            period=_("as of %(day)s") % {"day": run.parameters["as_of"]},
            facts=[
                *(
                    [(_("Region"), run.parameters["region"])]
                    if run.parameters.get("region")
                    else []
                ),
                (
                    _("Requirement stated (units)"),
                    total.requirement if total and total.requirement is not None else "—",
                ),
                (_("Types or groups with no requirement stated"), len(not_assessed)),
                (_("Holdings (units)"), total.holdings if total else 0),
                (_("Surplus (units)"), total.surplus if total else 0),
                (_("Surplus NEQ (kg)"), total.surplus_neq_kg if total else "0.000"),
            ],
            blocks=blocks,
            signatures=[_("Prepared by"), _("Checked by"), _("National oversight officer")],
            table=Table(
                headers=[
                    "rows",
                    "code",
                    *UNIT_FIELDS,
                    "holdings_neq_kg",
                    "surplus_neq_kg",
                    "requirement_stated",
                    "unit_mismatch",
                ],
                rows=table_rows,
            ),
        )


register(DestructionCertificate())
register(SurplusReport())
