"""Web UI of stock checks and incidents: plan, blind count sheet (print), count entry on a
tablet (htmx, one line at a time), review with variances, incidents and their monthly profile.

Views are thin: selectors read in the user's depot scope (outside it, 404), forms check shape,
the services decide and their refusals are shown as messages or form errors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.roles import Action
from core.scoping import can, require
from core.web import Refusal, apply_validation_error, filtered_list
from reports.kinds import builder_for
from stockchecks import forms, selectors, services
from stockchecks.filters import IncidentFilter, StockCheckFilter
from stockchecks.models import OPEN_STATUSES, StockCheckStatus

# --- Stock checks --------------------------------------------------------------------------------


@require_GET
def stock_check_list_view(request):
    rows = selectors.stock_check_list(user=request.user).order_by("-id")
    context = {"may_plan": can(request.user, Action.RECORD_MOVEMENT)}
    return filtered_list(request, StockCheckFilter, rows, "stockchecks/check_list.html", context)


@require_http_methods(["GET", "POST"])
def stock_check_plan_view(request):
    require(request.user, Action.RECORD_MOVEMENT)
    form = forms.PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # The form's fields are the service's keywords.
            check = services.stock_check_plan(planned_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Stock check %(number)s planned.") % {"number": check.number}
            )
            return redirect("stockchecks:check_detail", check.pk)
    return render(request, "stockchecks/plan.html", {"form": form})


def _check_or_404(request, pk):
    return get_object_or_404(selectors.stock_check_list(user=request.user), pk=pk)


def _may_read_report(user, kind: str) -> bool:
    builder = builder_for(kind)
    return builder is not None and builder.may_read(user)


@require_GET
def stock_check_detail(request, pk):
    """The check's status and actions; the lines with their variances when the user may see
    the book (an inspector reviewing), or blind."""
    check = _check_or_404(request, pk)
    user = request.user
    book = selectors.book_visible(user, check)
    depot_id = check.depot_id
    lines = selectors.stock_check_lines(stock_check=check)
    context = {
        "check": check,
        "lines": lines,
        "book_visible": book,
        "may_count": can(user, Action.RECORD_MOVEMENT, depot_id),
        "may_approve": can(user, Action.APPROVE, depot_id),
        "may_cancel": check.status in OPEN_STATUSES
        and (can(user, Action.RECORD_MOVEMENT, depot_id) or can(user, Action.APPROVE, depot_id)),
        "may_report": _may_read_report(user, "stock_check"),
        "reasons": forms.AdjustmentReason.choices,
        "adjustments": check.adjustments.order_by("id"),
        "incidents": selectors.stock_check_incidents(stock_check=check),
        "reject_form": forms.RejectForm(),
    }
    return render(request, "stockchecks/check_detail.html", context)


@require_GET
def stock_check_sheet(request, pk):
    """The printable blind count sheet: lot, type, storehouse and an empty box, no book."""
    check = _check_or_404(request, pk)
    if check.status != StockCheckStatus.COUNTING:
        raise Http404(_("The count sheet exists while the check is counting."))
    lines = selectors.stock_check_lines(stock_check=check)
    return render(request, "stockchecks/sheet.html", {"check": check, "lines": lines})


@require_http_methods(["GET", "POST"])
def stock_check_count_view(request, pk):
    """Count entry, one line at a time: an htmx POST answers with the line's row only."""
    check = _check_or_404(request, pk)
    require(request.user, Action.RECORD_MOVEMENT, check.depot_id)
    lines = selectors.stock_check_lines(stock_check=check)
    found_form = forms.FoundForm(stock_check=check)
    errors: dict[int, str] = {}
    if request.method == "POST":
        if "lot_number" in request.POST:
            found_form = forms.FoundForm(request.POST, stock_check=check)
            if found_form.is_valid():
                values = found_form.cleaned_data
                with Refusal(found_form) as refused:
                    services.stock_check_count(
                        stock_check=check, counted_by=request.user, lot=values["lot_number"],
                        storehouse=values["storehouse"], quantity=values["quantity"],
                    )  # fmt: skip
                if not refused:
                    messages.success(request, _("Found stock added as a line."))
                    return redirect("stockchecks:check_count", check.pk)
        else:
            form = forms.CountForm(request.POST)
            line = None
            if form.is_valid():
                line = lines.filter(pk=form.cleaned_data["line"]).first()
            if line is None:
                raise Http404(_("Not a line of this check."))
            with Refusal() as refused:
                services.stock_check_count(
                    stock_check=check, counted_by=request.user, lot=line.lot,
                    storehouse=line.storehouse, quantity=form.cleaned_data["quantity"],
                    note=form.cleaned_data["note"] or None,
                )  # fmt: skip
            if refused:
                errors[line.pk] = refused.text
            line = lines.get(pk=line.pk)
            if request.htmx:
                return render(
                    request,
                    "stockchecks/partials/count_row.html",
                    {
                        "line": line,
                        "check": check,
                        "error": errors.get(line.pk),
                        "saved": not errors,
                    },
                )
            if errors:
                messages.error(request, errors[line.pk])
            return redirect("stockchecks:check_count", check.pk)
    context = {"check": check, "lines": lines, "found_form": found_form}
    return render(request, "stockchecks/count.html", context)


@require_POST
def stock_check_line_note_view(request, pk):
    check = _check_or_404(request, pk)
    form = forms.LineNoteForm(request.POST)
    line = None
    if form.is_valid():
        line = check.lines.filter(pk=form.cleaned_data["line"]).first()
    if line is None:
        raise Http404(_("Not a line of this check."))
    with Refusal(request=request) as refused:
        services.stock_check_line_annotate(
            line=line, user=request.user, note=form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    if not refused:
        messages.success(request, _("Notes saved."))
    return redirect("stockchecks:check_detail", check.pk)


_ACTIONS = {
    "start": (
        lambda check, user, post: services.stock_check_start(stock_check=check, started_by=user)
    ),
    "submit": (
        lambda check, user, post: services.stock_check_submit(stock_check=check, submitted_by=user)
    ),
    "approve": (
        lambda check, user, post: services.stock_check_approve(stock_check=check, approved_by=user)
    ),
    "cancel": (
        lambda check, user, post: services.stock_check_cancel(stock_check=check, cancelled_by=user)
    ),
}


@require_POST
def stock_check_action_view(request, pk, name):
    check = _check_or_404(request, pk)
    with Refusal(request=request) as refused:
        if name == "reject":
            form = forms.RejectForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request, " ".join(str(e) for errs in form.errors.values() for e in errs)
                )
                return redirect("stockchecks:check_detail", check.pk)
            services.stock_check_reject(
                stock_check=check, rejected_by=request.user, note=form.cleaned_data["note"],
                recount=form.cleaned_data["recount"],
            )  # fmt: skip
        elif name in _ACTIONS:
            _ACTIONS[name](check, request.user, request.POST)
        else:
            raise Http404
    if not refused:
        messages.success(request, _("Stock check %(number)s: done.") % {"number": check.number})
    return redirect("stockchecks:check_detail", check.pk)


# --- Incidents -----------------------------------------------------------------------------------


def _may_report_incident(user) -> bool:
    """Whoever records movements or approves in some depot reports incidents."""
    return can(user, Action.RECORD_MOVEMENT) or can(user, Action.APPROVE)


@require_GET
def incident_list_view(request):
    rows = selectors.incident_list(user=request.user).order_by("-id")
    context = {"may_report": _may_report_incident(request.user)}
    return filtered_list(request, IncidentFilter, rows, "stockchecks/incident_list.html", context)


@require_http_methods(["GET", "POST"])
def incident_report_view(request):
    if not _may_report_incident(request.user):
        raise PermissionDenied(_("Your role does not allow this action here."))
    form = forms.IncidentReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        with Refusal(form) as refused:
            incident = services.incident_report(reported_by=request.user, **values)
        if not refused:
            messages.success(
                request, _("Incident %(number)s reported.") % {"number": incident.number}
            )
            return redirect("stockchecks:incident_detail", incident.pk)
    return render(request, "stockchecks/incident_report.html", {"form": form})


@require_http_methods(["GET", "POST"])
def incident_detail(request, pk):
    incident = get_object_or_404(selectors.incident_list(user=request.user), pk=pk)
    may_investigate = can(request.user, Action.APPROVE, incident.depot_id)
    initial = {
        "status": incident.status,
        "findings": incident.findings,
        "suspected_point_of_loss": incident.suspected_point_of_loss,
    }
    form = forms.IncidentUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, Action.APPROVE, incident.depot_id)
        if form.is_valid():
            with Refusal(form) as refused:
                services.incident_update(incident=incident, user=request.user, **form.cleaned_data)
            if not refused:
                messages.success(
                    request, _("Incident %(number)s updated.") % {"number": incident.number}
                )
                return redirect("stockchecks:incident_detail", incident.pk)
    context = {
        "incident": incident,
        "stock_check": (
            None
            if incident.stock_check_id is None
            else selectors.stock_check_list(user=request.user)
            .filter(pk=incident.stock_check_id)
            .first()
        ),
        "documents": incident.documents.order_by("id"),
        "form": form,
        "may_investigate": may_investigate,
    }
    return render(request, "stockchecks/incident_detail.html", context)


@require_GET
def incident_monthly_view(request):
    rows = list(selectors.incident_monthly(user=request.user)[:600])
    return render(request, "stockchecks/incident_monthly.html", {"rows": rows})
