"""The surveillance report kinds (DESIGN.md §10): the inspection report and the propellant
stability test certificate, reports of one record each. Found at start-up by ReportsConfig.ready.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.builders.record import RecordReport
from reports.kinds import Block, Content, lot_facts, register, who
from reports.models import ReportKind
from surveillance.models import ConditionChange, Inspection, StabilityTest
from surveillance.selectors import inspection_list, stability_test_list


class InspectionReport(RecordReport):
    """One inspection (IATG 07.20): lot, findings, the condition decided, signatures."""

    kind = ReportKind.INSPECTION
    parameter = "inspection"
    label_of_id = gettext_lazy("Inspection (id)")
    summary = gettext_lazy("One inspection: lot, findings, condition decided, signatures.")

    def _get(self, pk: int) -> Inspection:
        return (
            Inspection.objects.select_related(
                "lot__ammunition_type", "depot", "storehouse", "inspector", "condition"
            )
            .prefetch_related("attachments")
            .get(pk=pk)
        )

    def readable(self, user):
        return inspection_list(user)

    def records(self, run):
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
                (_("Inspector"), who(inspection.inspector)),
                *lot_facts(lot),
                (_("Storehouse"), inspection.storehouse.code if inspection.storehouse else "—"),
            ],
            blocks=[
                Block(
                    "surveillance/reports/inspection.html",
                    {"inspection": inspection, "record": record},
                    rows=20 + inspection.findings.count("\n"),
                )
            ],
            signatures=[_("Inspector (ATO)"), _("Depot commander"), _("Witness")],
        )


class StabilityCertificate(RecordReport):
    """A propellant stability test certificate (IATG 07.10): result, category, action, next test."""

    kind = ReportKind.STABILITY_CERTIFICATE
    parameter = "stability_test"
    label_of_id = gettext_lazy("Stability test (id)")
    summary = gettext_lazy("A stability test: result, category, action, next test.")

    def _get(self, pk: int) -> StabilityTest:
        return StabilityTest.objects.select_related(
            "lot__ammunition_type", "depot", "tested_by"
        ).get(pk=pk)

    def readable(self, user):
        return stability_test_list(user)

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
                *lot_facts(lot),
                (_("Sampled on"), test.sampled_on.isoformat()),
                (_("Laboratory"), test.laboratory),
                (_("Recorded by"), who(test.tested_by)),
            ],
            blocks=[
                Block(
                    "surveillance/reports/stability.html",
                    {"test": test, "changes": list(changes)},
                    rows=25,
                )
            ],
            signatures=[_("Laboratory"), _("Inspector (ATO)"), _("National technical authority")],
        )


register(InspectionReport())
register(StabilityCertificate())
