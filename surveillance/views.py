"""The inspector's web UI (DESIGN.md §6, §8): the work list, the lot's surveillance page, and
the forms that record inspections, stability tests, condition changes, bans and constraints,
and shelf-life extensions.

Views are thin: reads go through surveillance.selectors in the user's scope (an object outside
it is a 404); a user whose role records nothing gets 403 on the forms; the services decide, and
every refusal (ValidationError, ApplicationError, PermissionDenied) is shown on the form with
nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.roles import Action
from core.scoping import action_depot_ids, scope
from core.web import attempt, error_summary, page_of, render_page
from inventory.forms import lots_in_scope
from inventory.labels import scanned_lot
from inventory.models import AmmunitionType, Balance
from inventory.selectors.bans import bans_binding
from inventory.selectors.ledger import book_hidden
from surveillance import forms, selectors, services
from surveillance.access import may_lift, may_record, require_lifter
from surveillance.files import attachment_response
from surveillance.models import InspectionAttachment

SEARCH_LIMIT = 15


def _require_recorder(user) -> None:
    """403 for a user who may record surveillance in no depot."""
    if not may_record(user):
        raise PermissionDenied(_("Your role does not allow this action here."))


def _lot_from_query(request, user, lots):
    """The lot named by ?lot=<id> (404 outside `lots`), or None."""
    raw = request.GET.get("lot", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(lots, pk=int(raw))


def _scoped_lot(user, pk: int):
    return get_object_or_404(
        lots_in_scope(user).select_related("ammunition_type", "condition", "parent"), pk=pk
    )


def _lot_page(lot) -> str:
    return reverse("surveillance:lot_detail", args=[lot.pk])


def _ban_names(ban) -> dict:
    """A ban or constraint as a message names it: its kind, and the lot or the type it binds."""
    subject = ban.lot.lot_number if ban.lot else ban.ammunition_type.code
    return {"kind": ban.get_kind_display().capitalize(), "subject": subject}


def _back_from_ban(ban):
    """The lot's page, or the list for a ban of a whole type."""
    return redirect(_lot_page(ban.lot) if ban.lot else reverse("surveillance:ban_list"))


def _form_page(request, template, form, data, context):
    context = {
        "form": form,
        "errors": error_summary(form) if data is not None else [],
        **context,
    }
    return render(request, template, context)


# --- Reading ---------------------------------------------------------------------------------


@require_GET
def work_list(request):
    """What falls due in the user's depots within the chosen horizon: overdue first."""
    user = request.user
    filter_form = forms.WorkListFilter(request.GET or None)
    horizon = 30
    if filter_form.is_valid() and filter_form.cleaned_data.get("horizon"):
        horizon = filter_form.cleaned_data["horizon"]
    today = timezone.localdate()
    items = selectors.work_list(user, today=today, horizon_days=horizon)
    bans = bans_binding(item.lot.pk for item in items)
    rows = [
        {
            "item": item,
            "overdue": item.due_on < today,
            "days": abs((item.due_on - today).days),
            "bans": bans.get(item.lot.pk, []),
        }
        for item in items
    ]
    context = {
        "filter": filter_form,
        "horizon": horizon,
        "rows": rows,
        "overdue_count": sum(1 for row in rows if row["overdue"]),
        "may_record": may_record(user),
        "today": today,
    }
    return render(request, "surveillance/work_list.html", context)


@require_GET
def lot_detail(request, pk: int):
    """A lot's surveillance: condition, due dates, bans, inspections, tests and its history."""
    user = request.user
    lot = _scoped_lot(user, pk)
    holdings = list(
        book_hidden(scope(Balance.objects.filter(lot=lot, quantity__gt=0), user), user)
        .select_related("storehouse", "depot")
        .order_by("depot__code", "storehouse__code")
    )
    attachments = InspectionAttachment.objects.order_by("id")
    inspections = list(
        selectors.inspection_list(user)
        .filter(lot=lot)
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )
    tests = list(selectors.stability_test_list(user).filter(lot=lot))
    bans = bans_binding([lot.pk]).get(lot.pk, [])
    recording = action_depot_ids(user, Action.RECORD_SURVEILLANCE)
    context = {
        "lot": lot,
        "holdings": holdings,
        "total": sum(b.quantity for b in holdings),
        "due": selectors.lot_due(lot),
        "bans": bans,
        "timeline": selectors.lot_timeline(user, lot),
        "inspections": inspections,
        "tests": tests,
        "may_record": may_record(user),
        "national": recording is None,
        "today": timezone.localdate(),
    }
    return render(request, "surveillance/lot_detail.html", context)


@require_GET
def attachment_download(request, pk: int):
    """An inspection's photo or scanned form, only to users whose scope covers the inspection's
    depot; always as a download with its stored type, never sniffed, never from MEDIA_URL."""
    attachment = get_object_or_404(
        scope(InspectionAttachment.objects.all(), request.user, depot_field="inspection__depot"),
        pk=pk,
    )
    return attachment_response(attachment, request)


@require_GET
def stability_test_detail(request, pk: int):
    """A recorded test and what the policy made of it: category, action, next test."""
    test = get_object_or_404(selectors.stability_test_list(request.user), pk=pk)
    changes = list(selectors.condition_change_list(request.user).filter(stability_test=test))
    context = {"test": test, "lot": test.lot, "changes": changes}
    return render(request, "surveillance/stability_test_detail.html", context)


@require_GET
def ban_list_view(request):
    """Bans and constraints in force that the user may read; lifted ones with ?lifted=1."""
    user = request.user
    lifted = request.GET.get("lifted") == "1"
    rows = selectors.ban_list(user).filter(lifted_at__isnull=not lifted)
    context = {
        "page": page_of(rows, request),
        "lifted": lifted,
        "may_record": may_record(user),
        "may_lift": may_lift(user),
    }
    return render(request, "surveillance/ban_list.html", context)


@require_GET
def lot_search(request):
    """Lots in stock in the depots where the user records surveillance whose number contains
    ?q= (any letter case; a scanned label `lot|type` narrows by the type too): the picks of a
    form's search-as-you-type, or a page of them."""
    user = request.user
    _require_recorder(user)
    query = request.GET.get("q") or request.GET.get("lot_number") or ""
    query, type_code = scanned_lot(query[:200])  # typed, or scanned from a lot label
    query = query[:80]
    rows = []
    if query:
        balances = Balance.objects.filter(lot__lot_number__icontains=query, quantity__gt=0)
        if type_code:
            balances = balances.filter(lot__ammunition_type__code__iexact=type_code)
        balances = scope(balances, user, action=Action.RECORD_SURVEILLANCE)
        rows = list(
            balances.select_related(
                "lot__ammunition_type", "lot__condition", "storehouse", "depot"
            ).order_by("lot__lot_number", "lot_id", "depot__code", "storehouse__code")[
                :SEARCH_LIMIT
            ]
        )
        bans = bans_binding(row.lot_id for row in rows)
        for row in rows:
            row.bans = bans.get(row.lot_id, [])
    context = {"query": query, "rows": rows, "limit": SEARCH_LIMIT}
    return render_page(
        request, "surveillance/lot_search.html", "surveillance/partials/lot_picks.html", context
    )


# --- Recording -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def inspection_new(request):
    """Record an inspection (IATG 07.20), with photos or scanned forms."""
    user = request.user
    _require_recorder(user)
    lots = forms.recordable_lots(user)
    lot = _lot_from_query(request, user, lots)
    data = request.POST if request.method == "POST" else None
    form = forms.InspectionForm(
        data,
        request.FILES if data is not None else None,
        user=user,
        lots=lots,
        lot=lot,
        search_url=reverse("surveillance:lot_search"),
    )
    if data is not None and form.is_valid():
        condition = form.cleaned_data["condition"].code
        inspection = attempt(
            form,
            lambda: services.inspection_record(
                **form.keyword_values(), condition=condition, inspector=user
            ),
        )
        if inspection is not None:
            messages.success(
                request,
                _(
                    "%(kind)s of lot %(lot)s recorded: condition %(condition)s, next inspection "
                    "due %(due)s."
                )
                % {
                    "kind": capfirst(inspection.get_kind_display()),
                    "lot": inspection.lot.lot_number,
                    "condition": inspection.condition_id,
                    "due": inspection.next_due_on.isoformat(),
                },
            )
            return redirect(_lot_page(inspection.lot))
    return _form_page(request, "surveillance/inspection_form.html", form, data, {"lot": lot})


@require_http_methods(["GET", "POST"])
def stability_test_new(request):
    """Record a propellant stability test (IATG 07.10); the policy table decides the rest."""
    user = request.user
    _require_recorder(user)
    lots = forms.recordable_lots(user).filter(ammunition_type__contains_propellant=True)
    lot = _lot_from_query(request, user, forms.recordable_lots(user))
    data = request.POST if request.method == "POST" else None
    form = forms.StabilityTestForm(
        data, user=user, lots=lots, lot=lot, search_url=reverse("surveillance:lot_search")
    )
    if data is not None and form.is_valid():
        test = attempt(
            form, lambda: services.stability_test_record(**form.keyword_values(), tested_by=user)
        )
        if test is not None:
            messages.success(
                request,
                _("Stability test of lot %(lot)s recorded: %(category)s — %(action)s.")
                % {
                    "lot": test.lot.lot_number,
                    "category": test.get_category_display(),
                    "action": test.action,
                },
            )
            return redirect("surveillance:stability_test_detail", pk=test.pk)
    return _form_page(
        request,
        "surveillance/stability_test_form.html",
        form,
        data,
        {"lot": lot, "pass_fail": forms.PASS_FAIL},
    )


@require_http_methods(["GET", "POST"])
def condition_change_new(request, pk: int):
    """Change a lot's condition: a condition-change document in every depot holding it."""
    user = request.user
    lot = _scoped_lot(user, pk)
    _require_recorder(user)
    data = request.POST if request.method == "POST" else None
    form = forms.ConditionChangeForm(data, user=user, lot=lot)
    if data is not None and form.is_valid():
        values = form.cleaned_data
        documents = attempt(
            form,
            lambda: services.condition_change_post(
                lot=lot, condition=values["condition"].code, posted_by=user, **form.keyword_values()
            ),
        )
        if documents is not None:
            messages.success(
                request,
                _("Lot %(lot)s is now in condition %(condition)s (%(documents)s).")
                % {
                    "lot": lot.lot_number,
                    "condition": values["condition"].code,
                    "documents": ", ".join(document.number for document in documents),
                },
            )
            return redirect(_lot_page(lot))
    return _form_page(request, "surveillance/condition_change_form.html", form, data, {"lot": lot})


@require_http_methods(["GET", "POST"])
def ban_new(request):
    """Impose a ban or a constraint on a lot (?lot=) or, nationally, a whole type (?type=)."""
    user = request.user
    _require_recorder(user)
    national = action_depot_ids(user, Action.RECORD_SURVEILLANCE) is None
    lots = forms.recordable_lots(user)
    lot = _lot_from_query(request, user, lots)
    ammunition_type = None
    raw = request.GET.get("type", "")
    if raw and lot is None:
        if not raw.isdigit():
            raise Http404
        ammunition_type = get_object_or_404(AmmunitionType, pk=int(raw))
        if not national:
            raise PermissionDenied(_("Only a national inspector bans a whole type."))
    data = request.POST if request.method == "POST" else None
    form = forms.BanForm(
        data,
        user=user,
        lots=lots,
        lot=lot,
        national=national,
        ammunition_type=ammunition_type,
        search_url=reverse("surveillance:lot_search"),
    )
    if data is not None and form.is_valid():
        ban = attempt(form, lambda: services.ban_impose(**form.keyword_values(), imposed_by=user))
        if ban is not None:
            messages.success(
                request,
                _("%(kind)s imposed on %(subject)s (%(reference)s).")
                % {**_ban_names(ban), "reference": ban.reference},
            )
            return _back_from_ban(ban)
    context = {"lot": lot, "ammunition_type": ammunition_type, "national": national}
    return _form_page(request, "surveillance/ban_form.html", form, data, context)


@require_http_methods(["GET", "POST"])
def ban_lift_view(request, pk: int):
    """Lift a ban or constraint in force, with the reason."""
    user = request.user
    ban = get_object_or_404(selectors.ban_list(user), pk=pk)
    require_lifter(user)
    if ban.lifted_at is not None:
        messages.info(
            request, _("This %(kind)s was lifted already.") % {"kind": ban.get_kind_display()}
        )
        return _back_from_ban(ban)
    data = request.POST if request.method == "POST" else None
    form = forms.BanLiftForm(data)
    if data is not None and form.is_valid():
        lifted = attempt(
            form,
            lambda: services.ban_lift(ban=ban, reason=form.cleaned_data["reason"], lifted_by=user),
        )
        if lifted is not None:
            messages.success(request, _("%(kind)s on %(subject)s lifted.") % _ban_names(ban))
            return _back_from_ban(ban)
    return _form_page(request, "surveillance/ban_lift_form.html", form, data, {"ban": ban})


@require_http_methods(["GET", "POST"])
def shelf_life_extend_view(request, pk: int):
    """Extend a lot's expiry on the strength of one of its inspections or stability tests."""
    user = request.user
    lot = _scoped_lot(user, pk)
    require_lifter(user)
    recording = (
        None
        if services.may_decide_nationally(user)
        else action_depot_ids(user, Action.RECORD_SURVEILLANCE)
    )
    inspections = selectors.inspection_list(user).filter(lot=lot)
    tests = selectors.stability_test_list(user).filter(lot=lot)
    if recording is not None:
        inspections = inspections.filter(depot_id__in=recording)
        tests = tests.filter(depot_id__in=recording)
    data = request.POST if request.method == "POST" else None
    form = forms.ShelfLifeExtensionForm(data, inspections=list(inspections), tests=list(tests))
    if data is not None and form.is_valid():
        extension = attempt(
            form,
            lambda: services.shelf_life_extend(lot=lot, decided_by=user, **form.keyword_values()),
        )
        if extension is not None:
            messages.success(
                request,
                _("Shelf life of lot %(lot)s extended to %(day)s.")
                % {"lot": lot.lot_number, "day": extension.new_expires_on.isoformat()},
            )
            return redirect(_lot_page(lot))
    context = {"lot": lot, "has_evidence": bool(form.evidence)}
    return _form_page(request, "surveillance/extension_form.html", form, data, context)
