"""The stock check report kind (DESIGN.md §10): counted against book, variances, approvals.
Found at start-up by ReportsConfig.ready."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import Role
from inventory.models import LedgerLine
from reports.builders.ledger import listing_blocks
from reports.builders.record import RecordReport
from reports.kinds import Block, Content, Table, refuse, register, when, who
from reports.listing import Column, Listing
from reports.models import ReportKind
from stockchecks.models import StockCheck, StockCheckStatus
from stockchecks.selectors import (
    book_visible,
    stock_check_incidents,
    stock_check_lines,
    stock_check_list,
)

CHECK_LINES = Listing(
    Column(gettext_lazy("Lot"), 20),
    Column(gettext_lazy("Type"), 14),
    Column(gettext_lazy("Store"), 8),
    Column(gettext_lazy("Book"), 10, right=True),
    Column(gettext_lazy("Moves"), 8, right=True),
    Column(gettext_lazy("Expected"), 10, right=True),
    Column(gettext_lazy("Counted"), 10, right=True),
    Column(gettext_lazy("Variance"), 10, right=True),
    Column(gettext_lazy("Reason"), 14),
)


class StockCheckReport(RecordReport):
    """A stock check (IATG 03.10): counted against book, variances, who approved; it covers the
    ledger lines of the adjustments its approval posted."""

    kind = ReportKind.STOCK_CHECK
    parameter = "stock_check"
    label_of_id = gettext_lazy("Stock check (id)")
    tabular = True
    # The report shows the book, which a clerk never sees (stockchecks.selectors.book_visible).
    reader_roles = frozenset({Role.INSPECTOR, Role.OFFICER, Role.AUDITOR})
    summary = gettext_lazy("Counted against book, variances, approvals. PDF, CSV, XLSX.")

    def _get(self, pk: int) -> StockCheck:
        return StockCheck.objects.select_related(
            "depot", "storehouse", "planned_by", "started_by", "submitted_by", "approved_by"
        ).get(pk=pk)

    def readable(self, user):
        return stock_check_list(user=user)

    def require_reportable(self, user, check) -> None:
        if check.status not in (StockCheckStatus.SUBMITTED, StockCheckStatus.APPROVED):
            raise refuse(
                "stock_check",
                _("A stock check is reported once submitted: until then its count is blind."),
            )
        if not book_visible(user, check):
            raise PermissionDenied(_("Your role does not allow this report."))

    def lines(self, run) -> QuerySet[LedgerLine]:
        adjustments = StockCheck.adjustments.through.objects.filter(
            stockcheck_id=run.parameters["stock_check"]
        ).values("document_id")
        return LedgerLine.objects.filter(document_id__in=adjustments)

    def _lines(self, check):
        return list(stock_check_lines(stock_check=check))

    def records(self, run):
        check = self._get(run.parameters["stock_check"])
        return {
            "stock_check": check.pk,
            "status": check.status,
            "depot": check.depot.code,
            "approved_by": check.approved_by.username if check.approved_by else None,
            "lines": [
                [
                    line.lot_id,
                    line.storehouse_id,
                    line.book_at_start,
                    line.movements,
                    line.counted_quantity,
                    line.reason,
                    line.note,
                ]
                for line in self._lines(check)
            ],
        }

    def content(self, run, lines) -> Content:
        check = self._get(run.parameters["stock_check"])
        rows, listed = [], []
        for line in self._lines(check):
            values = [
                line.lot.lot_number,
                line.lot.ammunition_type.code,
                line.storehouse.code,
                line.book_at_start,
                line.movements,
                line.expected,
                line.counted_quantity,
                line.variance,
                line.get_reason_display() if line.variance else "",
            ]
            rows.append(values)
            listed.append(CHECK_LINES.row(*values, css="variance" if line.variance else ""))
        adjustments = list(check.adjustments.order_by("id"))
        incidents = list(stock_check_incidents(stock_check=check))
        blocks = [
            Block(
                "stockchecks/reports/stock_check_summary.html",
                {"check": check, "adjustments": adjustments, "incidents": incidents},
                rows=14 + len(adjustments) + len(incidents),
            ),
            *listing_blocks(CHECK_LINES, listed, title=_("Lines counted")),
        ]
        return Content(
            title=_("Stock check report"),
            facts=[
                (_("Stock check"), f"{check.number} · {check.get_kind_display()}"),
                (_("Scope"), check.storehouse.code if check.storehouse else _("whole depot")),
                (_("Status"), check.get_status_display()),
                (_("Planned"), f"{when(check.planned_at)} · {who(check.planned_by)}"),
                (_("Counting started"), f"{when(check.started_at)} · {who(check.started_by)}"),
                (_("Submitted"), f"{when(check.submitted_at)} · {who(check.submitted_by)}"),
                (
                    _("Approved"),
                    f"{when(check.approved_at)} · {who(check.approved_by)}"
                    if check.approved_at
                    else "—",
                ),
            ],
            blocks=blocks,
            signatures=[_("Counted by"), _("Checked by (inspector)"), _("Depot commander")],
            table=Table(
                headers=[
                    "lot",
                    "ammunition_type",
                    "storehouse",
                    "book_at_start",
                    "movements",
                    "expected",
                    "counted",
                    "variance",
                    "reason",
                ],
                rows=rows,
            ),
        )


register(StockCheckReport())
