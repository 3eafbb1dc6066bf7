"""The web kit every app's views share (CONVENTIONS.md "Web UI"): one page of a list without a
COUNT, the page-or-partial answer to htmx, and refusals shown on the form that asked.

Services refuse with an `ApplicationError` (the state forbids it) or a Django `ValidationError`
(a value is wrong, possibly naming its field). A view shows either in one way, through `Refusal`,
so that every form keeps what the user typed and shows why nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError

PAGE_SIZE = 50
MAX_PAGE = 10_000
NOT_ALLOWED = "Your role does not allow this action here."


# --- Lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def page_of(queryset, request, size: int = PAGE_SIZE) -> Page:
    """One page of `queryset` from `?page=`, with no COUNT: size + 1 rows are fetched."""
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() else 1
    number = max(1, min(number, MAX_PAGE))
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size)


def render_page(request, template: str, partial: str, context: dict):
    """The whole page, or only its partial for an htmx request (not for a boosted link)."""
    htmx = getattr(request, "htmx", None)
    response = render(request, partial if htmx and not htmx.boosted else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def filtered(filter_class, request, rows):
    """The list's FilterSet bound to `?…` and the rows it keeps (all of them when unbound or
    invalid: a bad filter shows its errors above the whole list)."""
    filterset = filter_class(request.GET or None, queryset=rows, request=request)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else rows)


def filtered_list(request, filter_class, rows, template: str, context: dict | None = None):
    """A list page `<app>/<name>_list.html`: its FilterSet as `filter` and one page of the rows
    it keeps as `page`, besides `context`; an htmx request gets the partial of the results alone,
    `<app>/partials/<name>_results.html` (see `render_page`)."""
    filterset, rows = filtered(filter_class, request, rows)
    app, name = template.removesuffix("_list.html").rsplit("/", 1)
    partial = f"{app}/partials/{name}_results.html"
    context = {"filter": filterset, "page": page_of(rows, request), **(context or {})}
    return render_page(request, template, partial, context)


def the_one(matches: list, *, none: str, several: str):
    """The one of `matches` (fetch two to tell), else a field's ValidationError saying `none` or
    `several` (a number that names no record, or more than one)."""
    if not matches:
        raise ValidationError(none)
    if len(matches) > 1:
        raise ValidationError(several)
    return matches[0]


# --- Refusals ------------------------------------------------------------------------------------


def refusal_text(exc: ApplicationError | ValidationError) -> str:
    """A refusal in one line, for a message or a single error."""
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on a field it names, else on top."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def show_refusal(form: forms.Form, exc: ApplicationError | ValidationError) -> None:
    """Show a service's refusal on the form: field errors next to their fields, the rest on top."""
    if isinstance(exc, ValidationError):
        apply_validation_error(form, exc)
    else:
        form.add_error(None, exc.message)


class Refusal:
    """Catches a service's refusal in a `with` block and shows it; true once something was refused.

        with Refusal(form) as refused:
            party = services.party_create(**form.cleaned_data, created_by=request.user)
        if not refused:
            return redirect("diversion:party_detail", party.pk)

    With a form, the refusal is shown on it (see `show_refusal`); with only `request`, it becomes
    an error message; with neither, the view reads `refused.text` and says it its own way.
    `denied=True` also shows a PermissionDenied on the form (a role that may not do this one
    thing here), or next to the field named by `denied`; otherwise it stays a 403.
    """

    def __init__(self, form: forms.Form | None = None, *, request=None, denied: bool | str = False):
        self.form = form
        self.request = request
        self.denied = denied
        self.exc: Exception | None = None

    def __bool__(self) -> bool:
        return self.exc is not None

    @property
    def text(self) -> str:
        if isinstance(self.exc, PermissionDenied):
            return str(self.exc) or _(NOT_ALLOWED)
        return refusal_text(self.exc) if self.exc is not None else ""

    def __enter__(self) -> Refusal:
        return self

    def __exit__(self, kind, exc, traceback) -> bool:
        if isinstance(exc, PermissionDenied) and self.denied and self.form is not None:
            self.exc = exc
            field = self.denied if isinstance(self.denied, str) else None
            self.form.add_error(field, self.text)
            return True
        if not isinstance(exc, ApplicationError | ValidationError):
            return False
        self.exc = exc
        if self.form is not None:
            show_refusal(self.form, exc)
        elif self.request is not None:
            messages.error(self.request, self.text)
        return True


def attempt(form: forms.Form, call, *, denied: bool | str = True):
    """Run a service; its refusal becomes an error on the form and None is returned."""
    with Refusal(form, denied=denied) as refused:
        result = call()
    return None if refused else result


@dataclass(frozen=True)
class Decision:
    """A second person's approval or rejection of something waiting for one: its two services
    (taking the subject's keywords and `approved_by` or `rejected_by`), and the error message
    shown when they refuse, with %(number)s, %(decision)s and %(message)s."""

    approve: Callable
    reject: Callable
    failure: str

    def take(self, request, *, approve: bool, number: str, **subject) -> tuple[bool, object]:
        """(True, what the service returned), or (False, None) and the refusal as a message."""
        user = request.user
        with Refusal() as refused:
            if approve:
                result = self.approve(**subject, approved_by=user)
            else:
                result = self.reject(**subject, rejected_by=user)
        if refused:
            decision = _("approved") if approve else _("rejected")
            values = {"number": number, "decision": decision, "message": refused.text}
            messages.error(request, self.failure % values)
            return False, None
        return True, result


def decision_views(decide: Callable) -> tuple[Callable, Callable]:
    """The approve view and the reject view of a decision, POST only, each calling
    `decide(request, pk, approve=...)`."""

    @require_POST
    def approve_view(request, pk: int):
        return decide(request, pk, approve=True)

    @require_POST
    def reject_view(request, pk: int):
        return decide(request, pk, approve=False)

    return approve_view, reject_view


def error_summary(
    form: forms.Form | None = None, formset=None, lines=None, labelled=None
) -> list[dict]:
    """Every error on the page, in page order, for the summary on top: label, message, anchor.

    `lines` are numbered "Line 1", "Line 2"...; `labelled` are (label, form or list of
    messages) pairs, shown in that order after them."""
    items = []

    def collect(one_form, prefix=""):
        for name, errors in one_form.errors.items():
            for error in errors:
                if name == NON_FIELD_ERRORS:
                    items.append({"label": prefix.rstrip(", "), "message": error, "anchor": ""})
                else:
                    items.append(
                        {
                            "label": f"{prefix}{one_form[name].label}",
                            "message": error,
                            "anchor": one_form[name].id_for_label,
                        }
                    )

    if form is not None:
        collect(form)
    numbered = list(enumerate(lines or [], start=1))
    if formset is not None:
        items.extend({"label": "", "message": e, "anchor": ""} for e in formset.non_form_errors())
        numbered = [
            (number, line)
            for number, line in enumerate(formset.forms, start=1)
            if not (formset.can_delete and formset._should_delete_form(line))
        ]
    for number, line in numbered:
        collect(line, prefix=_("Line %(number)s, ") % {"number": number})
    for label, one in labelled or []:
        if isinstance(one, forms.Form):
            collect(one, prefix=f"{label}, ")
        else:
            items.extend({"label": label, "message": message, "anchor": ""} for message in one)
    return items
