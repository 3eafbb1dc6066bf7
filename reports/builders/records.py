"""Reports of one record: an inspection, a stability test certificate, a stock check."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy

from core.roles import Action, Role
from core.scoping import require
from inventory.models import LedgerLine
from reports.builders.ledger import listing_blocks
from reports.kinds import Block, Cleaned, Content, ReportBuilder, Table, id_param, only, refuse
from reports.listing import Column, Listing
from reports.models import ReportKind


def _one(queryset: QuerySet, user, parameters, name: str):
    only(parameters, [name])
    pk = id_param(parameters, name)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise refuse(name, _("No such object among those you may read."))
    require(user, Action.REQUEST_REPORT, found.depot_id)
    return found


def _who(user) -> str:
    if user is None:
        return ""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class InspectionReport(ReportBuilder):
    """One inspection (IATG 07.20): lot, findings, the condition decided, signatures."""

    kind = ReportKind.INSPECTION

    def _get(self, pk: int):
        from surveillance.models import Inspection

        return (
            Inspection.objects.select_related(
                "lot__ammunition_type", "depot", "storehouse", "inspector", "condition"
            )
            .prefetch_related("attachments")
            .get(pk=pk)
        )

    def clean(self, *, user, parameters) -> Cleaned:
        from surveillance.selectors import inspection_list

        inspection = _one(inspection_list(user), user, parameters, "inspection")
        return Cleaned({"inspection": inspection.pk}, inspection.depot)

    def records(self, run):
        from surveillance.models import ConditionChange

        inspection = self._get(run.parameters["inspection"])
        changes = ConditionChange.objects.filter(inspection=inspection).order_by("id")
        return {
            "inspection": inspection.pk,
            "lot": [inspection.lot_id, inspection.lot.lot_number],
            "depot": inspection.depot.code,
            "storehouse": inspection.storehouse.code if inspection.storehouse else None,
            "kind": inspection.kind,
            "inspected_on": inspection.inspected_on,
            "inspector": inspection.inspector.username,
            "sample_size": inspection.sample_size,
            "findings": inspection.findings,
            "condition": inspection.condition_id,
            "next_due_on": inspection.next_due_on,
            "attachments": [[a.original_name, a.sha256] for a in inspection.attachments.all()],
            "condition_changes": [
                [change.document.number, change.from_condition, change.to_condition]
                for change in changes.select_related("document")
            ],
        }

    def content(self, run, lines) -> Content:
        inspection = self._get(run.parameters["inspection"])
        record = self.records(run)
        lot = inspection.lot
        return Content(
            title=_("Inspection report"),
            facts=[
                (_("Inspection"), f"{inspection.get_kind_display()} ({record['inspection']})"),
                (_("Inspected on"), inspection.inspected_on.isoformat()),
                (_("Inspector"), _who(inspection.inspector)),
                (_("Lot"), f"{lot.lot_number} · {lot.manufacturer}"),
                (_("Ammunition type"), f"{lot.ammunition_type.code} {lot.ammunition_type.name}"),
                (_("Storehouse"), inspection.storehouse.code if inspection.storehouse else "—"),
            ],
            blocks=[
                Block(
                    "reports/pdf/inspection.html",
                    {"inspection": inspection, "record": record},
                    rows=20 + inspection.findings.count("\n"),
                )
            ],
            signatures=[_("Inspector (ATO)"), _("Depot commander"), _("Witness")],
        )


class StabilityCertificate(ReportBuilder):
    """A propellant stability test certificate (IATG 07.10): result, category, action, next test."""

    kind = ReportKind.STABILITY_CERTIFICATE

    def _get(self, pk: int):
        from surveillance.models import StabilityTest

        return StabilityTest.objects.select_related(
            "lot__ammunition_type", "depot", "tested_by"
        ).get(pk=pk)

    def clean(self, *, user, parameters) -> Cleaned:
        from surveillance.selectors import stability_test_list

        test = _one(stability_test_list(user), user, parameters, "stability_test")
        return Cleaned({"stability_test": test.pk}, test.depot)

    def records(self, run):
        test = self._get(run.parameters["stability_test"])
        fields = [
            "sampled_on",
            "laboratory",
            "method",
            "stabiliser",
            "initial_content_pct",
            "measured_content_pct",
            "passed",
            "remaining_pct",
            "category",
            "action",
            "resulting_condition",
            "next_test_due",
            "dispose_by",
            "note",
        ]
        return {
            "stability_test": test.pk,
            "lot": [test.lot_id, test.lot.lot_number],
            "depot": test.depot.code,
            "tested_by": test.tested_by.username,
            **{name: getattr(test, name) for name in fields},
        }

    def content(self, run, lines) -> Content:
        from surveillance.models import ConditionChange

        test = self._get(run.parameters["stability_test"])
        lot = test.lot
        changes = (
            ConditionChange.objects.filter(stability_test=test)
            .select_related("document__depot")
            .order_by("id")
        )
        return Content(
            title=_("Propellant stability test certificate"),
            facts=[
                (_("Lot"), f"{lot.lot_number} · {lot.manufacturer}"),
                (_("Ammunition type"), f"{lot.ammunition_type.code} {lot.ammunition_type.name}"),
                (_("Sampled on"), test.sampled_on.isoformat()),
                (_("Laboratory"), test.laboratory),
                (_("Recorded by"), _who(test.tested_by)),
            ],
            blocks=[
                Block(
                    "reports/pdf/stability.html",
                    {"test": test, "changes": list(changes)},
                    rows=25,
                )
            ],
            signatures=[_("Laboratory"), _("Inspector (ATO)"), _("National technical authority")],
        )


CHECK_LINES = Listing(
    Column(lazy("Lot"), 20),
    Column(lazy("Type"), 14),
    Column(lazy("Store"), 8),
    Column(lazy("Book"), 10, right=True),
    Column(lazy("Moves"), 8, right=True),
    Column(lazy("Expected"), 10, right=True),
    Column(lazy("Counted"), 10, right=True),
    Column(lazy("Variance"), 10, right=True),
    Column(lazy("Reason"), 14),
)


class StockCheckReport(ReportBuilder):
    """A stock check (IATG 03.10): counted against book, variances, who approved; it covers the
    ledger lines of the adjustments its approval posted."""

    kind = ReportKind.STOCK_CHECK
    tabular = True
    # The report shows the book, which a clerk never sees (stockchecks.selectors.book_visible).
    reader_roles = frozenset({Role.INSPECTOR, Role.OFFICER, Role.AUDITOR})

    def _get(self, pk: int):
        from stockchecks.models import StockCheck

        return StockCheck.objects.select_related(
            "depot", "storehouse", "planned_by", "started_by", "submitted_by", "approved_by"
        ).get(pk=pk)

    def clean(self, *, user, parameters) -> Cleaned:
        from stockchecks.models import StockCheckStatus
        from stockchecks.selectors import book_visible, stock_check_list

        check = _one(stock_check_list(user=user), user, parameters, "stock_check")
        if check.status not in (StockCheckStatus.SUBMITTED, StockCheckStatus.APPROVED):
            raise refuse(
                "stock_check",
                _("A stock check is reported once submitted: until then its count is blind."),
            )
        if not book_visible(user, check):
            raise PermissionDenied(_("Your role does not allow this report."))
        return Cleaned({"stock_check": check.pk}, check.depot)

    def lines(self, run) -> QuerySet[LedgerLine]:
        from stockchecks.models import StockCheck

        adjustments = StockCheck.adjustments.through.objects.filter(
            stockcheck_id=run.parameters["stock_check"]
        ).values("document_id")
        return LedgerLine.objects.filter(document_id__in=adjustments)

    def _lines(self, check):
        from stockchecks.selectors import stock_check_lines

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
        from stockchecks.selectors import stock_check_incidents

        incidents = list(stock_check_incidents(stock_check=check))
        blocks = [
            Block(
                "reports/pdf/stock_check_summary.html",
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
                (_("Planned"), f"{_when(check.planned_at)} · {_who(check.planned_by)}"),
                (_("Counting started"), f"{_when(check.started_at)} · {_who(check.started_by)}"),
                (_("Submitted"), f"{_when(check.submitted_at)} · {_who(check.submitted_by)}"),
                (
                    _("Approved"),
                    f"{_when(check.approved_at)} · {_who(check.approved_by)}"
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
