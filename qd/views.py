"""The QD pages (DESIGN.md §13): a calculator any signed-in user can use, and each storehouse's
QD page with its site sketch; administrators generate the licence from QD and print it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.roles import Action
from core.scoping import can, require
from core.web import error_summary
from inventory.selectors.reference import storehouse_list
from qd import rules, services
from qd.forms import CALCULATOR_ROWS, CalculatorForm
from qd.selectors import storehouse_qd
from qd.sketch import required_by_kind, sketch
from reports.services import report_request


def _kind_rows(required_by_key: dict[str, int | None]) -> list[dict]:
    tables = rules.qd_tables()
    return [
        {"kind": kind, "label": tables.site_labels[kind], "key": key, "m": required_by_key[key]}
        for kind, key in tables.site_kinds.items()
    ]


@require_GET
def calculator(request):
    """Distances per site kind for one division and NEQ, or a mix (aggregated per §4)."""
    form = CalculatorForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        assessed = rules.assess_contents(form.cleaned_data["contents"])
        problems = [
            _("%(neq)s kg assessed as HD %(d)s is beyond the tables' range (%(cap)s kg).")
            % {"neq": a.neq_kg, "d": a.division, "cap": cap}
            for a in assessed
            if (cap := rules.qd_tables().divisions[a.division].max_neq_kg) and a.neq_kg > cap
        ]
        if problems:
            for problem in problems:
                form.add_error(None, problem)
        else:
            result = {"assessed": assessed, "rows": _kind_rows(rules.mixed_distances(assessed))}
    rows = [(form[f"division_{n}"], form[f"neq_{n}"]) for n in range(1, CALCULATOR_ROWS + 1)]
    return render(
        request,
        "qd/calculator.html",
        {
            "form": form,
            "rows": rows,
            "result": result,
            "errors": error_summary(form) if form.is_bound else [],
            "storehouses": storehouse_list(user=request.user).filter(is_active=True),
            "rounding": rules.qd_tables().rounding,
        },
    )


@require_GET
def storehouse_detail(request, pk: int):
    storehouse = get_object_or_404(storehouse_list(user=request.user), pk=pk)
    qd = storehouse_qd(storehouse)
    limits = qd.limits
    required = required_by_kind(limits, storehouse.kind) if limits else {}
    drawing = sketch(qd.sites, required)
    divisions = [
        {
            "division": division,
            "permitted": permitted.neq_kg,
            "governing": permitted.governing,
            "licensed": division in limits,
            "limit": limits.get(division),
            "beyond": division in qd.beyond,
        }
        for division, permitted in qd.permitted.items()
    ]
    return render(
        request,
        "qd/storehouse.html",
        {
            "storehouse": storehouse,
            "qd": qd,
            "divisions": divisions,
            "sketch": drawing,
            "may_manage": can(request.user, Action.MANAGE_REFERENCE, storehouse.depot_id),
            "may_report": can(request.user, Action.REQUEST_REPORT, storehouse.depot_id),
        },
    )


@require_POST
def licence_from_qd(request, pk: int):
    storehouse = get_object_or_404(storehouse_list(user=request.user), pk=pk)
    require(request.user, Action.MANAGE_REFERENCE, storehouse.depot_id)
    qd = storehouse_qd(storehouse)
    if qd.licence is None:
        messages.error(request, _("This storehouse has no licence in force to generate from QD."))
    else:
        try:
            services.licence_from_qd(licence=qd.licence, generated_by=request.user)
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Licence %(number)s now has the limits its exposed sites permit.")
                % {"number": qd.licence.number},
            )
    return redirect(reverse("qd:storehouse", args=[storehouse.pk]))


@require_POST
def licence_print(request, pk: int):
    """Request the explosive limit licence PDF of the storehouse's licence in force."""

    storehouse = get_object_or_404(storehouse_list(user=request.user), pk=pk)
    qd = storehouse_qd(storehouse)
    if qd.licence is None:
        messages.error(request, _("This storehouse has no licence in force to print."))
        return redirect(reverse("qd:storehouse", args=[storehouse.pk]))
    try:
        run = report_request(
            kind="explosive_licence",
            parameters={"licence": qd.licence.pk},
            requested_by=request.user,
        )
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        return redirect(reverse("qd:storehouse", args=[storehouse.pk]))
    return redirect(reverse("reports:report_detail", args=[run.pk]))
