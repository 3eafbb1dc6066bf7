"""National requirements, and snapshots of the surplus taken now or nightly."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.scoping import read_depot_ids
from core.web import attempt, error_summary, page_of
from surplus import forms, selectors, services
from surplus.exports import Column, Table
from surplus.models import SnapshotStatus
from surplus.views.common import (
    LIST_LIMIT,
    REQUIREMENT_COLUMNS,
    SUBJECT_COLUMNS,
    figures,
    may_manage,
    query_string,
    require_manager,
    require_role,
    tables_page,
)

# --- Requirements --------------------------------------------------------------------------


@require_GET
def requirement_list(request):
    """The requirement in force for each subject today, and every version ever set."""
    require_role(request.user)
    today = timezone.localdate()
    current = list(selectors.requirement_current(as_of=today))
    tables = {}
    columns = REQUIREMENT_COLUMNS

    def values(r):
        return [r.subject_label, *figures(r, columns[1:-1]), r.set_by.username]

    def link(r):
        if r.ammunition_type_id:
            return reverse("surplus:subject", args=[f"t{r.ammunition_type_id}"])
        return reverse("surplus:subject", args=[f"g{r.group_id}"])

    table = Table("current", _("In force today"), columns)
    for r in sorted(current, key=lambda r: r.subject_label):
        table.add(values(r), links={"subject": link(r)})
    tables["current"] = table
    page = page_of(selectors.requirement_list(), request)
    table = Table(
        "history", _("Every version set, newest first"), [*columns, Column("set_at", _("Set at"))]
    )
    for r in page.rows:
        table.add(
            [*values(r), timezone.localtime(r.set_at).strftime("%Y-%m-%d %H:%M")],
            links={"subject": link(r)},
        )
    tables["history"] = table
    context = {
        "tables": tables,
        "page": page,
        "may_manage": may_manage(request.user),
        "query": query_string(request),
    }
    return tables_page(request, "surplus/requirement_list.html", context, "requirements")


@require_http_methods(["GET", "POST"])
def requirement_new(request):
    """Set a new version of a subject's requirement (officers)."""
    require_manager(request.user)
    initial = {"effective_from": timezone.localdate()}
    code = request.GET.get("subject", "").strip()[:40]
    if code:
        initial["subject"] = code
    data = request.POST if request.method == "POST" else None
    form = forms.RequirementForm(data, initial=initial)
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        subject = values.pop("subject")
        requirement = attempt(
            form, lambda: services.requirement_set(set_by=request.user, **subject, **values)
        )
        if requirement is not None:
            messages.success(
                request,
                _("Requirement of %(subject)s set: version %(version)d, %(total)s from %(day)s.")
                % {
                    "subject": requirement.subject_label,
                    "version": requirement.version,
                    "total": f"{requirement.total:,}",
                    "day": requirement.effective_from.isoformat(),
                },
            )
            return redirect("surplus:dashboard")
    context = {"form": form, "errors": error_summary(form) if data is not None else []}
    return render(request, "surplus/requirement_form.html", context)


# --- Snapshots -----------------------------------------------------------------------------

# The subject columns the snapshot page does not show.
SNAPSHOT_LEAVES_OUT = frozenset({"suspended", "in_transit", "margin"})


@require_http_methods(["GET", "POST"])
def snapshot_list(request):
    """Snapshots with their status and progress; officers take one now."""
    require_role(request.user)
    if request.method == "POST":
        require_manager(request.user)
        snapshot = services.snapshot_queue(requested_by=request.user)
        messages.success(request, _("Snapshot queued: its progress shows below."))
        return redirect("surplus:snapshot_detail", pk=snapshot.pk)
    page = page_of(selectors.snapshot_list(), request)
    return render(
        request,
        "surplus/snapshot_list.html",
        {"page": page, "may_manage": may_manage(request.user)},
    )


@require_GET
def snapshot_detail(request, pk: int):
    """A snapshot's progress (the page polls it with htmx while it runs), then its totals."""
    require_role(request.user)
    snapshot = get_object_or_404(selectors.snapshot_list(), pk=pk)
    running = snapshot.status in (SnapshotStatus.QUEUED, SnapshotStatus.RUNNING)
    htmx = getattr(request, "htmx", None)
    if htmx:
        context = {"snapshot": snapshot, "running": running}
        return render(request, "surplus/partials/snapshot_status.html", context)
    stored = [c for c in SUBJECT_COLUMNS[3:] if c.key not in SNAPSHOT_LEAVES_OUT]
    table = Table(
        "rows",
        _("Stored figures"),
        [SUBJECT_COLUMNS[0], Column("depot", _("Depot")), *stored],
    )
    rows = selectors.snapshot_rows(request.user, snapshot)
    if read_depot_ids(request.user) is None:
        rows = rows.filter(depot__isnull=True)
    for row in rows[: LIST_LIMIT * 10]:
        subject = row.ammunition_type or row.group
        table.add(
            [
                subject.code if subject else "",
                row.depot.code if row.depot else _("national"),
                *figures(row, stored),
            ]
        )
    context = {"snapshot": snapshot, "running": running, "tables": {"rows": table}, "query": "?"}
    stem = f"surplus-snapshot-{snapshot.taken_on.isoformat()}"
    return tables_page(request, "surplus/snapshot_detail.html", context, stem)
