"""Profiles of recipients, lot labels, the trace page, tracing requests and training
allocations."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Upper
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.web import Refusal, page_of
from diversion import forms, profiling, selectors, services
from diversion.labels import lot_label
from diversion.models import (
    PartyKind,
    VerificationKind,
    VerificationResult,
)
from diversion.views.common import manages
from inventory.labels import scanned_lot
from inventory.models import Recipient
from inventory.models.ledger import DocumentKind
from inventory.selectors.ledger import lot_list

# --- Profiles ------------------------------------------------------------------------------------


class PeriodForm(django_forms.Form):
    start = django_forms.DateField(
        required=False,
        label=gettext_lazy("From"),
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )
    end = django_forms.DateField(
        required=False,
        label=gettext_lazy("To"),
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )


def _period(request) -> tuple[PeriodForm, date, date]:
    """The period asked for; by default the last 365 days."""
    form = PeriodForm(request.GET or None)
    end = timezone.localdate()
    start = end - timedelta(days=365)
    if form.is_bound and form.is_valid():
        end = form.cleaned_data["end"] or end
        start = form.cleaned_data["start"] or end - timedelta(days=365)
    return form, min(start, end), end


RECIPIENT_ROWS = 100


@require_GET
def profile_view(request):
    """Diversion-risk profiles: depots ranked by score, recipients by consumption, with trends
    and links down to the documents."""
    form, start, end = _period(request)
    depots, months = profiling.depot_profiles(user=request.user, start=start, end=end)
    recipients = profiling.recipient_profiles(user=request.user, start=start, end=end)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "depots": depots,
        "months": months,
        "recipients": recipients[:RECIPIENT_ROWS],
        "weights": profiling.DEPOT_WEIGHTS,
    }
    return render(request, "diversion/profile.html", context)


@require_GET
def recipient_profile_view(request, pk):
    """A recipient's consumption per type against its training allocation, and the issues and
    returns behind it (?type= narrows them to one ammunition type)."""
    selectors.require_register_reader(request.user)
    recipient = get_object_or_404(Recipient, pk=pk)
    form, start, end = _period(request)
    raw_type = request.GET.get("type") or ""
    if raw_type and not raw_type.isdigit():
        raise Http404(_("No such ammunition type."))
    type_id = int(raw_type) if raw_type else None
    profile = next(
        iter(
            profiling.recipient_profiles(
                user=request.user, start=start, end=end, recipient=recipient
            )
        ),
        None,
    )
    documents = profiling.recipient_documents(
        user=request.user,
        recipient=recipient,
        start=start,
        end=end,
        ammunition_type_id=type_id,
    )
    types = profile.types if profile else []
    context = {
        "recipient": recipient,
        "form": form,
        "start": start,
        "end": end,
        "types": types,
        "type_shown": next((t for t in types if t.type_id == type_id), None),
        "page": page_of(documents, request),
    }
    return render(request, "diversion/recipient_profile.html", context)


# --- Labels ------------------------------------------------------------------------------------


MAX_LABELS = 60


@require_GET
def lot_labels_view(request):
    """Printable labels of the lots named by ?lot= (repeated; lots are national reference, so
    anyone signed in may print them)."""
    ids = [raw for raw in request.GET.getlist("lot")[:MAX_LABELS] if raw.isdigit()]
    lots = list(lot_list(user=request.user).filter(pk__in=ids).order_by(Upper("lot_number"), "id"))
    if not lots:
        raise Http404(_("Name the lots to label."))
    return render(request, "diversion/labels.html", {"labels": [lot_label(lot) for lot in lots]})


# --- Trace and tracing requests ------------------------------------------------------------------


@require_GET
def trace_view(request):
    selectors.require_register_reader(request.user)
    query = scanned_lot((request.GET.get("lot_number") or "")[:200])[0][:80]
    lots = selectors.lot_trace(user=request.user, lot_number=query) if query else []
    kinds, checks, results, roles = (
        dict(DocumentKind.choices),
        dict(VerificationKind.choices),
        dict(VerificationResult.choices),
        dict(PartyKind.choices),
    )
    for lot in lots:
        for event in lot["events"]:
            event["kind_label"] = kinds.get(event["kind"], event["kind"])
            case = event["transfer_case"]
            for check in case["verifications"] if case else []:
                check["label"] = f"{checks[check['kind']]}: {results[check['result']]}"
            for party in case["parties"] if case else []:
                party["role_label"] = roles[party["role"]]
    return render(request, "diversion/trace.html", {"query": query, "lots": lots})


@require_GET
def tracing_request_list_view(request):
    rows = selectors.tracing_request_list(user=request.user)
    context = {"page": page_of(rows.order_by("-id"), request), "may_manage": manages(request.user)}
    return render(request, "diversion/tracing_request_list.html", context)


@require_http_methods(["GET", "POST"])
def tracing_request_new_view(request):
    if not manages(request.user):
        raise PermissionDenied
    form = forms.TracingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with Refusal(form) as refused:
            found = services.tracing_request_record(**form.cleaned_data, recorded_by=request.user)
        if not refused:
            return redirect("diversion:tracing_request_detail", found.pk)
    return render(request, "diversion/tracing_request_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def tracing_request_detail_view(request, pk):
    found = get_object_or_404(selectors.tracing_request_list(user=request.user), pk=pk)
    form = forms.AnswerTextForm(request.POST or None, initial={"answer": found.answer})
    if request.method == "POST":
        if not manages(request.user):
            raise PermissionDenied
        if form.is_valid():
            with Refusal(form) as refused:
                services.tracing_request_answer(
                    tracing_request=found, answered_by=request.user, **form.cleaned_data
                )
            if not refused:
                messages.success(request, _("Answer recorded."))
                return redirect("diversion:tracing_request_detail", found.pk)
    context = {"found": found, "form": form, "may_manage": manages(request.user)}
    return render(request, "diversion/tracing_request_detail.html", context)


# --- Training allocations ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def training_allocation_list_view(request):
    """Units' training allocations by year; officers set one (or change it) from the form."""
    rows = selectors.training_allocation_list(user=request.user)
    may_manage = manages(request.user)
    form = forms.TrainingAllocationForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            with Refusal(form) as refused:
                allocation = services.training_allocation_set(
                    **form.cleaned_data, set_by=request.user
                )
            if not refused:
                messages.success(
                    request,
                    _("Allocation set: %(recipient)s, %(type)s, %(year)s: %(quantity)s.")
                    % {
                        "recipient": allocation.recipient.code,
                        "type": allocation.ammunition_type.code,
                        "year": allocation.year,
                        "quantity": allocation.quantity,
                    },
                )
                return redirect("diversion:training_allocation_list")
    year = request.GET.get("year") or ""
    if year.isdigit():
        rows = rows.filter(year=int(year))
    rows = rows.order_by("-year", "recipient__code", "ammunition_type__code", "id")
    context = {
        "page": page_of(rows, request),
        "form": form,
        "may_manage": may_manage,
        "year": year if year.isdigit() else "",
    }
    return render(request, "diversion/training_allocation_list.html", context)


@require_GET
def training_allocation_detail_view(request, pk):
    allocation = get_object_or_404(selectors.training_allocation_list(user=request.user), pk=pk)
    context = {"allocation": allocation, "history": selectors.history_of(allocation)}
    return render(request, "diversion/training_allocation_detail.html", context)
