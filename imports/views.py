"""The imports pages (issue 19): upload → a preview of every row with its result, errors
highlighted → confirm; progress for files posted in the background; the templates, the help
page and a depot's balances in the import's format."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.roles import Action
from core.scoping import can, scope
from core.web import Refusal, page_of
from imports import exports, selectors, services
from imports.forms import BalancesExportForm, ImportForm
from imports.models import ImportKind, ImportStatus
from imports.opening import COLUMNS
from imports.parsing import FileProblem, read_sheet
from imports.reference import REFERENCE
from inventory.models import Depot

# Past this many rows a preview shows every row with an error and the first clean ones only.
PREVIEW_ROWS = 2000


def _may_import(user) -> bool:
    return can(user, Action.RECORD_MOVEMENT) or can(user, Action.MANAGE_REFERENCE)


def _readable_depots(user):
    return scope(Depot.objects.order_by("code"), user, depot_field="pk")


def import_list(request):
    runs = page_of(selectors.import_list(user=request.user), request)
    return render(
        request,
        "imports/import_list.html",
        {
            "page": runs,
            "may_import": _may_import(request.user),
            "export_form": BalancesExportForm(depots=_readable_depots(request.user)),
            "kinds": ImportKind.choices,
        },
    )


def _shown(preview: list[dict]) -> tuple[list[dict], int]:
    """The rows a preview shows, and how many clean rows it leaves out."""
    if len(preview) <= PREVIEW_ROWS:
        return preview, 0
    shown = [r for r in preview if r["errors"]] or []
    clean = [r for r in preview if not r["errors"]]
    shown = sorted(shown + clean[: max(0, PREVIEW_ROWS - len(shown))], key=lambda r: r["row"])
    return shown, len(preview) - len(shown)


def _file_errors(errors: list[dict]) -> list[dict]:
    return [e for e in errors if e["row"] is None]


def import_new(request):
    if not _may_import(request.user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )
    context = {"form": form}
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.max_upload_bytes():
            form.add_error("file", _("The file is too large: split it into several files."))
        else:
            with Refusal(form, denied=True) as refused:
                outcome = services.import_submit(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    depot=form.cleaned_data.get("depot"),
                    file_name=upload.name or "upload",
                    data=upload.read(),
                    reference=form.cleaned_data["reference"],
                    keep_for_confirmation=True,
                )
            if not refused:
                if outcome.run is not None:
                    return redirect("imports:import_detail", outcome.run.pk)
                rows, hidden = _shown(outcome.preview)
                context |= {
                    "rejected": outcome,
                    "file_errors": _file_errors(outcome.errors),
                    "columns": _columns(form.cleaned_data["kind"], outcome.preview),
                    "preview": rows,
                    "hidden": hidden,
                    "error_count": len(outcome.errors),
                }
    return render(
        request, "imports/import_new.html", context, status=400 if "rejected" in context else 200
    )


def _columns(kind: str, preview: list[dict]) -> list[str]:
    return COLUMNS if kind == ImportKind.OPENING_BALANCES else REFERENCE[kind].columns


def _run_or_404(request, pk: int):
    return get_object_or_404(selectors.import_list(user=request.user).defer(None), pk=pk)


def import_detail(request, pk: int):
    run = _run_or_404(request, pk)
    context = {"run": run, "progress": services.import_progress(run)}
    if run.status == ImportStatus.VALIDATED and run.content is not None:
        try:
            sheet = read_sheet(bytes(run.content), file_name=run.file_name)
        except FileProblem:
            sheet = None
        if sheet is not None:
            preview = [
                {
                    "row": int(values["__row__"]),
                    "cells": [values.get(name, "") for name in sheet.columns],
                    "errors": [],
                }
                for values in sheet.rows
            ]
            rows, hidden = _shown(preview)
            context |= {"columns": sheet.columns, "preview": rows, "hidden": hidden}
        context["may_confirm"] = run.created_by_id == request.user.pk
    if run.status == ImportStatus.REJECTED:
        context["file_errors"] = run.errors
    return render(request, "imports/import_detail.html", context)


@require_POST
def import_confirm(request, pk: int):
    run = _run_or_404(request, pk)
    with Refusal(request=request, denied=False) as refused:
        outcome = services.import_confirm(run=run, user=request.user)
    if not refused:
        if outcome.status == ImportStatus.IMPORTED:
            messages.success(
                request,
                _("%(rows)s rows imported: %(documents)s opening-balance documents posted.")
                % {"rows": outcome.rows, "documents": len(outcome.run.documents)},
            )
        elif outcome.status == ImportStatus.REJECTED:
            messages.error(request, _("The import was refused: nothing was written."))
    return redirect("imports:import_detail", run.pk)


@require_GET
def import_progress(request, pk: int):
    run = _run_or_404(request, pk)
    return render(
        request,
        "imports/partials/progress.html",
        {"run": run, "progress": services.import_progress(run)},
    )


@require_GET
def import_template(request, kind: str, file_format: str):
    if kind not in ImportKind.values or file_format not in exports.FORMATS:
        raise Http404
    return exports.template_response(kind, file_format)


@require_GET
def import_help(request):
    return render(
        request,
        "imports/help.html",
        {"reference": REFERENCE, "may_reference": can(request.user, Action.MANAGE_REFERENCE)},
    )


@require_GET
def balances_export(request):
    form = BalancesExportForm(request.GET, depots=_readable_depots(request.user))
    if not form.is_valid():
        raise Http404
    return exports.balances_export_response(
        request, form.cleaned_data["depot"], form.cleaned_data["format"]
    )
