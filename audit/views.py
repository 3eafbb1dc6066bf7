"""Auditor pages: ledger verification with its checkpoints, and the audit log (with CSV export).
Auditors and admins only; everyone else gets 403."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.exports import audit_log_csv
from audit.filters import AuditEventFilter
from audit.models import AuditAction
from audit.selectors import (
    audit_event_list,
    checkpoint_list,
    verification_list,
)
from audit.services import (
    audit_record,
    checkpoint_export,
    ledger_verification_progress,
    ledger_verification_queue,
)
from core.net import client_ip
from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import can, require
from core.web import page_of, render_page


@require_GET
def ledger_view(request):
    require(request.user, Action.READ_AUDIT)
    context = {
        "verifications": verification_list(request.user)[:20],
        "checkpoints": checkpoint_list(request.user)[:50],
        "can_verify": can(request.user, Action.VERIFY_LEDGER),
        **(_job(request, request.GET["job"]) if request.GET.get("job") else {"job": None}),
    }
    return render_page(request, "audit/ledger.html", "audit/ledger.html", context)


@require_POST
def ledger_verify_view(request):
    """Queue a verification (403 unless auditor or admin, 429 over the limit) and show the
    ledger page, which follows its progress."""
    token = ledger_verification_queue(requested_by=request.user)
    messages.info(request, _("Ledger verification started: its progress is shown below."))
    return redirect(f"{reverse('audit:ledger')}?job={token}")


@require_GET
def ledger_progress_view(request, token: str):
    """The progress of a queued verification (htmx polls it), then its result."""
    require(request.user, Action.READ_AUDIT)
    return render(request, "audit/partials/verification_progress.html", _job(request, token))


def _job(request, token: str) -> dict:
    state = ledger_verification_progress(token=token, user=request.user)
    if state is None:
        return {"job": None}
    record = None
    if state["verification"] is not None:
        record = verification_list(request.user).filter(pk=state["verification"]).first()
    return {"job": {"token": token, **state, "record": record}}


@require_GET
def checkpoint_export_view(request):
    rate_limit(request.user, RateScope.EXPORT)
    checkpoints = checkpoint_list(request.user)
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        object_type="audit.ledgercheckpoint",
        detail="checkpoint export",
        ip_address=client_ip(request),
    )
    response = HttpResponse(
        json.dumps(checkpoint_export(checkpoints), indent=1), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ledger-checkpoints-{stamp}.json"'
    return response


def _log_filter(request) -> AuditEventFilter:
    events = AuditEventFilter(request.GET, queryset=audit_event_list(request.user), request=request)
    events.form.fields["action"].choices = [
        ("", _("All")),
        *events.form.fields["action"].choices[1:],
    ]
    return events


@require_GET
def log_view(request):
    events = _log_filter(request)
    rows = events.qs if events.is_valid() else events.queryset.none()
    return render_page(
        request,
        "audit/log.html",
        "audit/partials/log_results.html",
        {"filter": events, "page": page_of(rows, request), "query": request.GET.urlencode()},
    )


@require_GET
def log_export_view(request):
    events = _log_filter(request)
    if not events.is_valid():
        return HttpResponse(status=400, content=_("Invalid filters."))
    return audit_log_csv(request, events.qs)
