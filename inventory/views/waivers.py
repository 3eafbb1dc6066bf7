"""Storage waivers (DESIGN.md §4): the list of the user's depots, and recording one.

Every reader sees the waivers of the storehouses in their depots; inspectors of the depot (or
national inspectors) and administrators record them through `waiver_create`, which checks the
role and scope again and keeps the waiver's history.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.roles import Action
from core.scoping import action_depot_ids, can, require
from core.web import Refusal, error_summary, page_of, render_page
from inventory import forms
from inventory.models import Waiver
from inventory.selectors.reference import storehouse_list, waiver_list
from inventory.services.reference import waiver_create


@require_GET
def waiver_list_view(request):
    """Waivers of the storehouses in the user's depots, newest first; in force or expired."""
    user = request.user
    filterset = forms.WaiverListFilter(
        request.GET, queryset=waiver_list(user=user), request=request
    )
    rows = filterset.qs if filterset.is_valid() else Waiver.objects.none()
    storehouse = filterset.form.cleaned_data.get("storehouse") if filterset.is_valid() else None
    waiver_depots = action_depot_ids(user, Action.RECORD_WAIVER)
    may_record_here = storehouse is not None and can(
        user, Action.RECORD_WAIVER, storehouse.depot_id
    )
    context = {
        "filter": filterset,
        "page": page_of(rows, request),
        "today": timezone.localdate(),
        "may_record": waiver_depots is None or bool(waiver_depots),
        "storehouse": storehouse,
        "may_record_here": may_record_here,
    }
    return render_page(
        request, "inventory/waiver_list.html", "inventory/partials/waiver_results.html", context
    )


@require_http_methods(["GET", "POST"])
def waiver_new(request):
    """Record a waiver; `?storehouse=` chooses the storehouse beforehand."""
    user = request.user
    require(user, Action.RECORD_WAIVER)
    initial = {}
    raw = request.GET.get("storehouse", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        storehouse = get_object_or_404(storehouse_list(user=user), pk=int(raw))
        require(user, Action.RECORD_WAIVER, storehouse.depot_id)
        initial["storehouse"] = storehouse
    data = request.POST if request.method == "POST" else None
    form = forms.WaiverForm(data, user=user, initial=initial)
    if data is not None and form.is_valid():
        with Refusal(form) as refused:
            waiver = waiver_create(**form.cleaned_data, recorded_by=user)
        if not refused:
            messages.success(
                request,
                _("Waiver recorded for storehouse %(storehouse)s until %(date)s: %(rule)s.")
                % {
                    "storehouse": waiver.storehouse,
                    "date": waiver.expires_on.isoformat(),
                    "rule": waiver.get_rule_display(),
                },
            )
            return redirect(f"{reverse('inventory:waiver_list')}?storehouse={waiver.storehouse_id}")
    context = {
        "form": form,
        "errors": error_summary(form) if data is not None else [],
    }
    return render(request, "inventory/waiver_form.html", context)
