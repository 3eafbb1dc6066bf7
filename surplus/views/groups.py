"""Groups of interchangeable ammunition types, whose requirement is met together."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.web import attempt, error_summary
from inventory.models import AmmunitionType
from surplus import forms, selectors, services
from surplus.views.common import (
    may_manage,
    require_manager,
    require_role,
)

# --- Groups of interchangeable types -----------------------------------------------------------


@require_GET
def group_list(request):
    """The groups and their types; national reference facts every role reads."""
    require_role(request.user)
    groups = list(selectors.group_list())
    context = {"groups": groups, "may_manage": may_manage(request.user)}
    return render(request, "surplus/group_list.html", context)


@require_http_methods(["GET", "POST"])
def group_new(request):
    require_manager(request.user)
    data = request.POST if request.method == "POST" else None
    form = forms.GroupForm(data)
    if data is not None and form.is_valid():
        group = attempt(
            form, lambda: services.group_create(created_by=request.user, **form.cleaned_data)
        )
        if group is not None:
            messages.success(request, _("Group %(code)s created.") % {"code": group.code})
            return redirect("surplus:group_detail", group.pk)
    context = {"form": form, "errors": error_summary(form) if data is not None else []}
    return render(request, "surplus/group_form.html", context)


def _group_page(request, group, form=None, status=200):
    context = {
        "group": group,
        "subject_url": reverse("surplus:subject", args=[f"g{group.pk}"]),
        "members": list(selectors.group_members(group)),
        "history": selectors.group_history(group),
        "requirement": selectors.requirement_current(as_of=timezone.localdate())
        .filter(group=group)
        .first(),
        "may_manage": may_manage(request.user),
        "form": form or forms.GroupMemberForm(),
        "errors": error_summary(form) if form is not None else [],
    }
    return render(request, "surplus/group_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def group_detail(request, pk: int):
    """A group: its types, its requirement in force, the history; officers add a type (POST)."""
    require_role(request.user)
    group = get_object_or_404(selectors.group_list(), pk=pk)
    if request.method == "GET":
        return _group_page(request, group)
    require_manager(request.user)
    form = forms.GroupMemberForm(request.POST)
    if form.is_valid():
        member = attempt(
            form,
            lambda: services.group_member_add(
                group=group,
                ammunition_type=form.cleaned_data["ammunition_type"],
                added_by=request.user,
            ),
        )
        if member is not None:
            messages.success(
                request,
                _("%(type)s is now in the group %(group)s.")
                % {"type": member.ammunition_type.code, "group": group.code},
            )
            return redirect("surplus:group_detail", group.pk)
    return _group_page(request, group, form, status=400)


@require_http_methods(["POST"])
def group_member_remove(request, pk: int, type_pk: int):
    require_manager(request.user)
    group = get_object_or_404(selectors.group_list(), pk=pk)
    ammunition_type = get_object_or_404(AmmunitionType, pk=type_pk)
    try:
        services.group_member_remove(
            group=group, ammunition_type=ammunition_type, removed_by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(type)s is no longer in the group %(group)s.")
            % {"type": ammunition_type.code, "group": group.code},
        )
    return redirect("surplus:group_detail", group.pk)
