"""Disposal plans: drafting, approval, execution, closing, and their destruction certificates."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.roles import Action
from core.scoping import can, scope
from core.web import attempt, error_summary, page_of
from inventory.models import Depot, Lot
from reports.services import report_request
from surplus import computation, forms, selectors, services
from surplus.models import (
    DESTRUCTION_METHODS,
    PlanStatus,
)
from surplus.views.common import (
    add_months,
    may_manage,
    query_string,
    require_manager,
    require_role,
)

# --- Disposal plans ------------------------------------------------------------------------


@require_GET
def plan_list(request):
    require_role(request.user)
    plans = selectors.disposal_plan_list(request.user)
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        plans = plans.filter(status=status)
    context = {
        "page": page_of(plans, request),
        "status": status,
        "statuses": PlanStatus.choices,
        "may_manage": may_manage(request.user),
    }
    return render(request, "surplus/plan_list.html", context)


@require_http_methods(["GET", "POST"])
def plan_new(request):
    """Draft a plan for one depot; `?depot=&lot=` fills the lines from the lot's holdings."""
    user = request.user
    require_manager(user)
    raw_depot = request.POST.get("depot") or request.GET.get("depot", "")
    if not raw_depot.isdigit():
        depots = list(scope(Depot.objects.all(), user, depot_field="pk").order_by("code"))
        return render(request, "surplus/plan_depot.html", {"depots": depots})
    depot = get_object_or_404(scope(Depot.objects.all(), user, depot_field="pk"), pk=int(raw_depot))
    lot = None
    raw_lot = request.GET.get("lot", "")
    if raw_lot.isdigit():
        lot = Lot.objects.filter(pk=int(raw_lot)).first()
    data = request.POST if request.method == "POST" else None
    today = timezone.localdate()
    form = forms.PlanForm(
        data,
        initial={
            "scheduled_from": today,
            "scheduled_until": add_months(today, 1),
            "method": "open_detonation",
        },
    )
    formset = forms.PlanLineFormSet(
        data,
        depot=depot,
        prefix="lines",
        initial=forms.plan_initial_lines(depot, lot) if data is None else None,
    )
    if data is not None and form.is_valid() and formset.is_valid():
        lines = [
            services.PlanLineInput(
                f.cleaned_data["lot"].pk,
                f.cleaned_data["storehouse"].pk,
                f.cleaned_data["quantity"],
            )
            for f in formset.forms
            if f.cleaned_data.get("lot") is not None
        ]
        plan = attempt(
            form,
            lambda: services.disposal_plan_create(
                depot=depot, lines=lines, created_by=user, **form.cleaned_data
            ),
        )
        if plan is not None:
            messages.success(
                request,
                _("Plan %(number)s drafted: another officer approves it.")
                % {"number": plan.number},
            )
            return redirect("surplus:plan_detail", pk=plan.pk)
    context = {
        "form": form,
        "formset": formset,
        "depot": depot,
        "errors": error_summary(form, formset=formset) if data is not None else [],
    }
    return render(request, "surplus/plan_form.html", context)


def _plan(request, pk: int):
    return get_object_or_404(selectors.disposal_plan_detail(request.user), pk=pk)


def _plan_page(request, plan, form=None):
    """The plan page; after a refused POST, again with that `form` showing why (after a refused
    approval the approve form shows for the plan's author too, with the two-person rule's
    refusal; after any other refused form it stays hidden from the author, as on GET)."""
    user = request.user
    may_execute = (
        plan.status == PlanStatus.APPROVED
        and not plan.is_transfer
        and can(user, Action.RECORD_MOVEMENT, plan.depot_id)
    )
    posted = type(form)
    context = {
        "plan": plan,
        "may_manage": may_manage(user),
        "may_approve": may_manage(user)
        and plan.status == PlanStatus.DRAFT
        and (posted is forms.ApproveForm or plan.created_by_id != user.pk),
        "may_execute": may_execute,
        "approve_form": form if posted is forms.ApproveForm else forms.ApproveForm(),
        "close_form": form if posted is forms.CloseForm else forms.CloseForm(),
        "execution_form": form
        if posted is forms.ExecutionForm
        else (forms.ExecutionForm(plan=plan) if may_execute else None),
        "errors": error_summary(form) if form is not None else [],
    }
    return render(request, "surplus/plan_detail.html", context)


@require_GET
def plan_detail(request, pk: int):
    require_role(request.user)
    return _plan_page(request, _plan(request, pk))


def _plan_action(request, pk, form_class, call, done):
    """POST of one of the plan page's forms: the plan page again with the error, or redirect."""
    plan = _plan(request, pk)
    form = form_class(request.POST, **({"plan": plan} if form_class is forms.ExecutionForm else {}))
    result = None
    if form.is_valid():
        result = attempt(form, lambda: call(plan, form))
    if result is not None:
        messages.success(request, done(result))
        return redirect("surplus:plan_detail", pk=plan.pk)
    return _plan_page(request, plan, form)


def _officer_action(request, pk, form_class, service, done: str):
    """An officer's approval or closing of a plan: the form's fields are the service's keywords,
    and `done` the message naming the plan's %(number)s."""
    _plan(request, pk)
    require_manager(request.user)
    return _plan_action(
        request,
        pk,
        form_class,
        lambda plan, form: service(plan=plan, **form.cleaned_data),
        lambda plan: done % {"number": plan.number},
    )


@require_http_methods(["POST"])
def plan_approve(request, pk: int):
    approve = partial(services.disposal_plan_approve, approved_by=request.user)
    return _officer_action(request, pk, forms.ApproveForm, approve, _("Plan %(number)s approved."))


@require_http_methods(["POST"])
def plan_close(request, pk: int):
    close = partial(services.disposal_plan_close, closed_by=request.user)
    return _officer_action(request, pk, forms.CloseForm, close, _("Plan %(number)s closed."))


@require_http_methods(["POST"])
def plan_execute(request, pk: int):
    plan = _plan(request, pk)
    if not can(request.user, Action.RECORD_MOVEMENT, plan.depot_id):
        raise PermissionDenied(_("Your role does not allow this action here."))

    def execute(plan, form):
        lines = form.line_inputs()
        if not lines:
            raise ValidationError(_("Give the quantity disposed of for at least one line."))
        return services.disposal_execute(
            plan=plan,
            lines=lines,
            executed_on=form.cleaned_data["executed_on"],
            witnesses=form.cleaned_data["witnesses"],
            executed_by=request.user,
            note=form.cleaned_data["note"],
        )

    return _plan_action(
        request,
        pk,
        forms.ExecutionForm,
        execute,
        lambda execution: (
            _("Executed: document %(document)s posted, certificate %(number)s.")
            % {"document": execution.document.number, "number": execution.certificate_number}
        ),
    )


@require_GET
def certificate(request, pk: int):
    """The destruction (or training-use) certificate of one execution, printable."""
    require_role(request.user)
    execution = get_object_or_404(selectors.execution_list(request.user), pk=pk)
    lines = []
    total_neq = 0
    for line in execution.lines.all():
        lot = line.plan_line.lot
        per_unit = lot.neq_per_unit_kg or lot.ammunition_type.neq_per_unit_kg
        neq = (line.quantity * per_unit).quantize(computation._KG)
        total_neq += neq
        lines.append({"line": line, "lot": lot, "neq": neq})
    context = {
        "execution": execution,
        "plan": execution.plan,
        "lines": lines,
        "total_quantity": sum(item["line"].quantity for item in lines),
        "total_neq": total_neq,
        "destruction": execution.plan.method in DESTRUCTION_METHODS,
    }
    return render(request, "surplus/certificate.html", context)


def _request_report(request, kind: str, parameters: dict, back: str):
    """Request a PDF of this app's kinds and show the report's page (the reports request form
    has no fields for them: docs/surplus.md). A refusal comes back as a message on `back`."""

    try:
        run = report_request(kind=kind, parameters=parameters, requested_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(message for message in exc.messages))
        return redirect(back)
    return redirect("reports:report_detail", run.pk)


@require_http_methods(["POST"])
def certificate_pdf(request, pk: int):
    """The certificate as a report (PDF, digests); an execution outside the scope is a 404."""
    require_role(request.user)
    execution = get_object_or_404(selectors.execution_list(request.user), pk=pk)
    return _request_report(
        request,
        "destruction_certificate",
        {"execution": execution.pk},
        reverse("surplus:certificate", args=[execution.pk]),
    )


@require_http_methods(["POST"])
def report_pdf(request):
    """The national surplus report with the dashboard's depot or region filter."""
    require_role(request.user)
    parameters = {}
    depot, region = request.POST.get("depot", ""), request.POST.get("region", "").strip()
    if depot:
        parameters["depot"] = depot
    elif region:
        parameters["region"] = region
    return _request_report(
        request, "surplus", parameters, reverse("surplus:dashboard") + query_string(request)
    )
