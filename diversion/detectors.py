"""The sweep's detector of overdue delivery verifications (alerts.sweep finds it here).

One alert per dispatched transfer case with a check still pending past its due date, raised at
the dispatching depot on the dispatch document; it resolves itself once every overdue check of
the case has a result, or once the dispatch is reversed. One query whatever the number of cases.
"""

from __future__ import annotations

from collections import defaultdict

from alerts.models import AlertKind
from alerts.services import Subject
from alerts.sweep import SweepContext, detector
from diversion.models import VerificationKind
from diversion.selectors import verification_overdue


@detector(AlertKind.VERIFICATION_OVERDUE)
def verification_overdue_detector(ctx: SweepContext) -> list[Subject]:
    """Transfer cases with a pre- or post-delivery check pending past its due date."""
    rows = (
        verification_overdue(today=ctx.today)
        # A reversed dispatch is undone: its checks are cancelled, not overdue.
        .filter(case__dispatch_document__isnull=False, case__dispatch_document__reversal=None)
        .values("case_id", "case__depot_id", "case__dispatch_document_id", "kind", "due_on")
        .order_by("case_id", "due_on", "id")
    )
    by_case: dict[tuple[int, int, int], list[dict]] = defaultdict(list)
    for row in rows:
        key = (row["case_id"], row["case__depot_id"], row["case__dispatch_document_id"])
        by_case[key].append(row)
    labels = dict(VerificationKind.choices)
    subjects = []
    for (case_id, depot_id, document_id), checks in by_case.items():
        number = f"TC-{case_id:05d}"
        overdue = "; ".join(
            f"{labels[check['kind']]} due {check['due_on']:%Y-%m-%d}" for check in checks
        )
        subjects.append(
            Subject(
                depot_id=depot_id,
                document_id=document_id,
                message=f"Transfer case {number}: overdue {overdue}.",
                details={
                    "transfer_case": case_id,
                    "checks": [
                        {"kind": check["kind"], "due_on": check["due_on"].isoformat()}
                        for check in checks
                    ],
                },
            )
        )
    return subjects
