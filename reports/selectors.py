"""Reads of report runs, limited to what the user may read (core.scoping and the kind's roles).

A report about a depot is read by those whose scope covers that depot; a national report (no
depot) by national readers only; a kind may narrow its readers further (a stock check report
shows the book, which clerks never see).
"""

from django.db.models import QuerySet

from accounts.models import User
from core.scoping import scope
from reports.kinds import unreadable_kinds
from reports.models import ReportRun


def report_list(*, user: User) -> QuerySet[ReportRun]:
    if not user.is_authenticated:  # the schema generator asks with an anonymous user
        return ReportRun.objects.none()
    runs = scope(ReportRun.objects.select_related("depot", "requested_by"), user)
    hidden = unreadable_kinds(user)
    return runs.exclude(kind__in=hidden) if hidden else runs
