"""The trace report (ReportKind.TRACE): a lot's chain of custody as a PDF through the reports
pipeline (found at start-up by reports.apps.ReportsConfig.ready, which imports every app's
report_kinds module).

Built on diversion.selectors.lot_trace with the run's cut-off: its events are exactly the ledger
lines the report covers (and digests), every one of them, and the balances printed are their
sums per storehouse at the cut-off. National: officers, auditors and administrators read it.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import Role
from core.web import the_one
from diversion import selectors
from diversion.models import PartyKind, VerificationKind, VerificationResult
from inventory.labels import scanned_lot
from inventory.models import LedgerLine, Lot
from inventory.models.ledger import DocumentKind
from reports.builders.ledger import listing_blocks
from reports.kinds import (
    Block,
    Cleaned,
    Content,
    ReportBuilder,
    Table,
    id_param,
    lot_facts,
    only,
    refuse,
    register,
)
from reports.listing import Column, Listing
from reports.models import ReportKind

EVENTS = Listing(
    Column(gettext_lazy("Date"), 10),
    Column(gettext_lazy("Document"), 16),
    Column(gettext_lazy("Kind"), 16),
    Column(gettext_lazy("Depot"), 6),
    Column(gettext_lazy("Store"), 6),
    Column(gettext_lazy("Quantity"), 10, right=True),
    Column(gettext_lazy("Party"), 28),
)


class TraceLotField(forms.CharField):
    """The request page's lot box: a lot number as marked, a scanned label (`lot|type`), or the
    lot's id; cleaned to the lot's id as text (the reports form reads digits as an id)."""

    def clean(self, value):
        text = super().clean(value)
        number, type_code = scanned_lot(text)
        if not number:
            return ""
        lots = Lot.objects.filter(lot_number__iexact=number)
        if type_code:
            lots = lots.filter(ammunition_type__code__iexact=type_code)
        ids = list(lots.values_list("pk", flat=True)[:2])
        if not ids and number.isdigit() and not type_code:
            ids = list(Lot.objects.filter(pk=int(number)).values_list("pk", flat=True))
        lot_id = the_one(
            ids,
            none=_("No lot carries this number."),
            several=_("Several lots carry this number: scan the lot's label or give its id."),
        )
        return str(lot_id)


class TraceReport(ReportBuilder):
    """One lot's trace: every ledger line of the lot up to the cut-off, with its party, the
    transfer cases it left under (parties, verification status) and the balances they sum to."""

    kind = ReportKind.TRACE
    tabular = True
    reader_roles = frozenset({Role.OFFICER, Role.AUDITOR})  # and administrators

    def clean(self, *, user, parameters) -> Cleaned:
        if not selectors.reads_register(user):
            raise PermissionDenied(_("Your role does not allow this report."))
        only(parameters, ["lot"])
        pk = id_param(parameters, "lot")
        if not Lot.objects.filter(pk=pk).exists():
            raise refuse("lot", _("No such object among those you may read."))
        return Cleaned({"lot": pk}, None)

    def form_fields(self, user):
        return {
            "lot": TraceLotField(
                label=_("Lot"),
                max_length=200,
                help_text=_("The lot number as marked, its scanned label, or the lot's id."),
            )
        }

    def lines(self, run) -> QuerySet[LedgerLine]:
        return LedgerLine.objects.filter(lot_id=run.parameters["lot"])

    def _trace(self, run) -> dict:
        traced = selectors.lot_trace(
            user=run.requested_by,
            lot_ids=[run.parameters["lot"]],
            posted_until=run.cutoff,
            all_events=True,
        )
        return traced[0]

    def records(self, run):
        """The lot and the transfer cases shown (parties as on the case)."""
        lot = Lot.objects.select_related("ammunition_type").get(pk=run.parameters["lot"])
        cases = {}
        for event in self._trace(run)["events"]:
            case = event["transfer_case"]
            if case is not None:
                cases[case["number"]] = [
                    case["consignee"],
                    case["end_user"],
                    case["destination_country"],
                    [[p["name"], p["role"], p["country"]] for p in case["parties"]],
                ]
        return {
            "lot": [lot.pk, lot.lot_number, lot.ammunition_type.code, lot.manufacturer],
            "transfer_cases": cases,
        }

    def content(self, run, lines) -> Content:
        trace = self._trace(run)
        lot = Lot.objects.select_related("ammunition_type").get(pk=run.parameters["lot"])
        kinds = dict(DocumentKind.choices)
        checks, results = dict(VerificationKind.choices), dict(VerificationResult.choices)
        roles = dict(PartyKind.choices)
        balances: dict[tuple[str, str], int] = defaultdict(int)
        rows, listed, cases = [], [], []
        for event in trace["events"]:
            balances[(event["depot"], event["storehouse"])] += event["quantity"]
            kind = str(kinds.get(event["kind"], event["kind"]))
            values = [
                event["occurred_on"].isoformat(),
                event["document"],
                kind,
                event["depot"],
                event["storehouse"],
                event["quantity"],
                event["party"],
            ]
            rows.append(values)
            listed.append(EVENTS.row(*values))
            case = event["transfer_case"]
            if case is not None:
                cases.append(
                    {
                        **case,
                        "document": event["document"],
                        "occurred_on": event["occurred_on"],
                        "quantity": -event["quantity"],
                        "roles": [
                            f"{roles.get(p['role'], p['role'])}: {p['name']} ({p['country']})"
                            for p in case["parties"]
                        ],
                        "checks": [
                            f"{checks[v['kind']]} (due {v['due_on']}): {results[v['result']]}"
                            for v in case["verifications"]
                        ],
                    }
                )
        on_hand = [
            {"depot": depot, "storehouse": storehouse, "quantity": quantity}
            for (depot, storehouse), quantity in sorted(balances.items())
            if quantity
        ]
        blocks = [
            Block(
                "diversion/reports/trace_summary.html",
                {"on_hand": on_hand, "cases": cases, "total": sum(balances.values())},
                rows=6 + len(on_hand) + sum(4 + len(c["roles"]) + len(c["checks"]) for c in cases),
            ),
            *listing_blocks(EVENTS, listed, title=_("Events in posting order")),
        ]
        return Content(
            title=_("Trace report"),
            facts=[
                *lot_facts(lot),
                (_("Manufactured"), lot.manufactured_on.isoformat()),
                (_("Events"), f"{len(rows):,}"),
            ],
            blocks=blocks,
            signatures=[_("Traced by (oversight officer)"), _("Checked by")],
            table=Table(
                headers=[
                    "occurred_on",
                    "document",
                    "kind",
                    "depot",
                    "storehouse",
                    "quantity",
                    "party",
                ],
                rows=rows,
            ),
        )


register(TraceReport())
