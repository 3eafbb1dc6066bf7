"""Web UI of reports: request one, follow its progress (htmx polling), download it, verify one.

Views are thin: the selector reads what the user may read (outside it, 404), forms check shape,
the services decide and their refusals are shown on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.roles import Action
from core.scoping import can, require
from core.web import Refusal, apply_validation_error, filtered_list
from reports import forms, selectors, services
from reports.files import FORMATS, report_file_response
from reports.filters import ReportFilter
from reports.models import ReportStatus


@require_GET
def report_list(request):
    rows = selectors.report_list(user=request.user).order_by("-id")
    context = {"may_request": can(request.user, Action.REQUEST_REPORT)}
    return filtered_list(request, ReportFilter, rows, "reports/report_list.html", context)


@require_http_methods(["GET", "POST"])
def report_new(request):
    """The request form; ?kind=...&<parameter>=... preselects (links from other pages)."""
    require(request.user, Action.REQUEST_REPORT)
    # Any parameter: the fields of a kind another app registers exist once the kind is known.
    initial = dict(request.GET.items())
    form = forms.ReportRequestForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.report_request(
                kind=form.cleaned_data["kind"],
                parameters=form.parameters(),
                requested_by=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Report %(number)s requested.") % {"number": run.number})
            return redirect("reports:report_detail", run.pk)
    return render(request, "reports/report_form.html", {"form": form})


def _run_or_404(request, pk):
    return get_object_or_404(selectors.report_list(user=request.user), pk=pk)


@require_GET
def report_detail(request, pk):
    """The report's status; while it is queued or running, its status box polls itself."""
    run = _run_or_404(request, pk)
    context = {
        "run": run,
        "may_retry": run.status == ReportStatus.FAILED
        and can(request.user, Action.REQUEST_REPORT, run.depot_id),
    }
    template = "reports/report_detail.html"
    if getattr(request, "htmx", None) and not request.htmx.boosted:
        template = "reports/partials/report_status.html"
    return render(request, template, context)


@require_GET
def report_download(request, pk):
    run = _run_or_404(request, pk)
    file_format = request.GET.get("format", "pdf")
    if file_format not in FORMATS or run.status != ReportStatus.DONE:
        raise Http404(_("This report has no such file (yet)."))
    return report_file_response(run, request, file_format)


@require_POST
def report_retry(request, pk):
    run = _run_or_404(request, pk)
    with Refusal(request=request) as refused:
        services.report_retry(run=run, retried_by=request.user)
    if not refused:
        messages.success(request, _("Report %(number)s queued again.") % {"number": run.number})
    return redirect("reports:report_detail", run.pk)


@require_http_methods(["GET", "POST"])
def report_verify(request):
    """An auditor enters a report's number or uploads its PDF; the system says whether the
    ledger still matches what the report showed."""
    posted = request.method == "POST"
    form = forms.VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            result = services.report_verify(
                user=request.user,
                runs=selectors.report_list(user=request.user),
                number=(form.cleaned_data.get("number") or "").strip() or None,
                pdf_data=upload.read() if upload else None,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
    return render(request, "reports/verify.html", {"form": form, "result": result})
