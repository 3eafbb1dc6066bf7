"""Alert pages: the list of one's depots with filters and acknowledgement (htmx), and the job-run
list for administrators and auditors."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from alerts.filters import AlertFilter, JobRunFilter
from alerts.selectors import alert_list
from alerts.services import alert_acknowledge
from core.models import JobRun
from core.redirects import next_url
from core.roles import Action, Role
from core.scoping import require
from core.web import page_of, render_page

RESOLVED_CHOICES = [
    ("false", _("Open")),
    ("true", _("Resolved")),
    ("unknown", _("Open and resolved")),
]


def can_acknowledge(user) -> bool:
    """Anyone who reads alerts may acknowledge them, except a user who is only an auditor."""
    roles = user.role_set
    return bool(roles) and not roles <= {Role.AUDITOR}


def _alert_filter(request) -> AlertFilter:
    data = request.GET.copy()
    data.setdefault("resolved", "false")  # open alerts unless asked otherwise
    alerts = AlertFilter(data, queryset=alert_list(user=request.user), request=request)
    form = alerts.form
    form.fields["resolved"].label = _("Status")
    form.fields["resolved"].widget.choices = RESOLVED_CHOICES
    form.fields["depot"].label_from_instance = lambda depot: f"{depot.code} — {depot.name}"
    form.fields["depot"].empty_label = _("All")
    for name in ("kind", "severity"):
        form.fields[name].choices = [("", _("All")), *form.fields[name].choices[1:]]
    return alerts


@require_GET
def alert_list_view(request):
    alerts = _alert_filter(request)
    rows = alerts.qs if alerts.is_valid() else alert_list(user=request.user).none()
    context = {
        "filter": alerts,
        "page": page_of(rows, request),
        "can_acknowledge": can_acknowledge(request.user),
    }
    return render_page(
        request, "alerts/alert_list.html", "alerts/partials/alert_results.html", context
    )


@require_POST
def alert_acknowledge_view(request, pk: int):
    alert = alert_list(user=request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404
    back = next_url(request, "alerts:alert_list")
    alert_acknowledge(alert=alert, user=request.user)  # 403 for auditors
    if getattr(request, "htmx", None):
        alert = alert_list(user=request.user).get(pk=pk)
        return render(
            request,
            "alerts/partials/alert_row.html",
            {"alert": alert, "can_acknowledge": can_acknowledge(request.user)},
        )
    return redirect(back)


@require_GET
def job_run_list_view(request):
    require(request.user, Action.READ_AUDIT)
    runs = JobRunFilter(request.GET, queryset=JobRun.objects.order_by("-id"), request=request)
    runs.form.fields["outcome"].choices = [("", _("All")), *runs.form.fields["outcome"].choices[1:]]
    rows = runs.qs if runs.is_valid() else JobRun.objects.none()
    return render_page(
        request,
        "alerts/job_run_list.html",
        "alerts/partials/job_run_results.html",
        {"filter": runs, "page": page_of(rows, request)},
    )
