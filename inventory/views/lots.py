"""Splitting part of a lot into a child lot with its own condition (DESIGN.md §5, §7)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.roles import Action
from core.scoping import DepotIds, action_depot_ids
from core.web import Refusal, error_summary
from inventory import forms
from inventory.models import Balance, Document, Lot
from inventory.models.ledger import DocumentKind
from inventory.selectors.ledger import book_hidden
from inventory.services import posting

# Clerks split on an inspector's finding; inspectors split when they condemn part of a lot.
SPLIT_ACTIONS = (Action.RECORD_MOVEMENT, Action.RECORD_SURVEILLANCE)


def split_depot_ids(user) -> DepotIds:
    """Depots where the user may split a lot (None: every depot)."""
    granted = [action_depot_ids(user, action) for action in SPLIT_ACTIONS]
    if any(ids is None for ids in granted):
        return None
    return frozenset().union(*granted)


def split_holdings(user, lot: Lot, depot_ids: DepotIds) -> QuerySet[Balance]:
    """The lot's stock in the storehouses where the user may split it (not those they are
    counting blind)."""
    rows = book_hidden(Balance.objects.filter(lot=lot, quantity__gt=0), user)
    if depot_ids is not None:
        rows = rows.filter(depot_id__in=depot_ids)
    return rows.select_related("storehouse__depot").order_by("depot__code", "storehouse__code")


@require_http_methods(["GET", "POST"])
def lot_split_view(request, pk: int):
    """Split part of a lot (in one or more storehouses of one depot) into a child lot."""
    user = request.user
    lot = get_object_or_404(
        forms.lots_in_scope(user).select_related("ammunition_type", "condition"), pk=pk
    )
    depot_ids = split_depot_ids(user)
    if depot_ids is not None and not depot_ids:
        raise PermissionDenied(_("Your role does not allow this action here."))
    holdings = list(split_holdings(user, lot, depot_ids))
    if not holdings:
        messages.info(
            request,
            _("Lot %(lot)s has no stock in your storehouses: there is nothing to split.")
            % {"lot": lot.lot_number},
        )
        return redirect("inventory:lot_card", pk=lot.pk)
    data = request.POST if request.method == "POST" else None
    form = forms.LotSplitForm(data, lot=lot, holdings=holdings)
    if data is not None and form.is_valid():
        values = form.cleaned_data
        # A better condition than the lot's is an inspector's: a PermissionDenied shown there.
        with Refusal(form, denied="condition") as refused:
            child = posting.lot_split(
                lot=lot,
                quantities=form.quantities(),
                suffix=values["suffix"],
                condition=values["condition"].code,
                occurred_on=values["occurred_on"],
                posted_by=user,
                reason=values["reason"],
            )
        if not refused:
            document = (
                Document.objects.filter(kind=DocumentKind.LOT_SPLIT, lines__lot=child)
                .only("number")
                .first()
            )
            messages.success(
                request,
                _(
                    "Lot split %(number)s posted: %(quantity)s units of %(lot)s are now "
                    "lot %(child)s."
                )
                % {
                    "number": document.number if document else "",
                    "quantity": sum(form.quantities().values()),
                    "lot": lot.lot_number,
                    "child": child.lot_number,
                },
            )
            return redirect("inventory:lot_card", pk=child.pk)
    context = {
        "lot": lot,
        "form": form,
        "holdings": holdings,
        "errors": error_summary(form) if data is not None else [],
    }
    return render(request, "inventory/lot_split.html", context)
