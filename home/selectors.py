"""Reads for the home page: today's work of each role as counts, each the count of what a list
page shows under one of its filters (the owning apps' selectors do the scoping)."""

from datetime import date

from accounts.models import User
from core.roles import Role
from inventory.models import ReversalProposalStatus
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.selectors.ledger import document_list, reversal_proposal_list, transfer_inbox
from stockchecks.models import StockCheckStatus
from stockchecks.selectors import incident_unresolved_list, stock_check_list
from surveillance.selectors import work_list_counts

SURVEILLANCE_HORIZON = 30  # days: the work list's default period


def adjustments_pending_count(user: User) -> int:
    """Adjustments of the user's depots waiting for approval (one query)."""
    return (
        document_list(user=user)
        .filter(kind=DocumentKind.ADJUSTMENT, status=DocumentStatus.PENDING_APPROVAL)
        .count()
    )


def home_counts(user: User, *, today: date) -> dict[str, int]:
    """The counts of the work waiting for the user's clerk and inspector roles in their depots:
    one query per count, whatever the data; an empty dict for the other roles."""
    roles = user.role_set
    counts: dict[str, int] = {}
    if Role.CLERK in roles or Role.INSPECTOR in roles:
        counts["adjustments_pending"] = adjustments_pending_count(user)
    if Role.CLERK in roles:
        counts["transfers_to_receive"] = transfer_inbox(user=user).count()
        counts["checks_counting"] = (
            stock_check_list(user=user).filter(status=StockCheckStatus.COUNTING).count()
        )
    if Role.INSPECTOR in roles:
        due, overdue = work_list_counts(user, today=today, horizon_days=SURVEILLANCE_HORIZON)
        counts["surveillance_due"] = due
        counts["surveillance_overdue"] = overdue
        counts["reversals_pending"] = (
            reversal_proposal_list(user=user)
            .filter(status=ReversalProposalStatus.PENDING_APPROVAL)
            .count()
        )
        counts["incidents_unresolved"] = incident_unresolved_list(user=user).count()
    return counts
