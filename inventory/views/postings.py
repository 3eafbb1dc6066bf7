"""Posting pages: receipt, issue, transfer dispatch and receipt, move, return, adjustment and its
approval. Each form is checked for shape, then the posting service posts or refuses; a refusal is
shown on the form (with what was typed) and nothing is written."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.roles import Action
from core.scoping import can, require
from core.web import Decision, Refusal, decision_views, error_summary, page_of
from inventory import forms
from inventory.models import Depot, Document, PendingLine, ReversalProposalStatus
from inventory.models.ledger import AdjustmentReason, DocumentKind, DocumentStatus
from inventory.selectors.ledger import (
    document_list,
    reversal_proposal_list,
    transfer_inbox,
    transfer_list,
)
from inventory.selectors.reference import ammunition_type_list
from inventory.services import posting


def _depot_of(form, lines: list[dict]) -> Depot | None:
    """The one depot of the lines' storehouses; an error on the form when they span several."""
    depots = {line["storehouse"].depot for line in lines}
    depots |= {line["to_storehouse"].depot for line in lines if line.get("to_storehouse")}
    if len(depots) != 1:
        form.add_error(None, _("All lines are in storehouses of one depot."))
        return None
    return depots.pop()


def _movements(lines):
    return [
        posting.Movement(line["lot"].pk, line["storehouse"].pk, line["quantity"]) for line in lines
    ]


def _receipt_lines(lines):
    return [
        posting.ReceiptLine(
            line["lot"] if isinstance(line["lot"], posting.NewLot) else line["lot"].pk,
            line["storehouse"].pk,
            line["quantity"],
        )
        for line in lines
    ]


def _move_lines(lines):
    return [
        posting.MoveLine(
            line["lot"].pk, line["storehouse"].pk, line["to_storehouse"].pk, line["quantity"]
        )
        for line in lines
    ]


def _return_header(header):
    """The return form names the issue the stock came from `issue_number` (its field on the
    page); the service calls it `source_issue`."""
    values = dict(header)
    values["source_issue"] = values.pop("issue_number")
    return values


@dataclass(frozen=True)
class PostingPage:
    """What differs between the posting pages: the form, the service `post` calls with the
    form's values, and `success`, naming the document in the message after the redirect."""

    title: Promise
    intro: Promise
    submit: Promise
    form_class: type[forms.PostingForm]
    line_form_class: type[forms.LotLineForm]
    service: Callable[..., Document]
    success: Promise
    lines: Callable[[list[dict]], list] = _movements
    header: Callable[[dict], dict] = dict

    def post(self, *, user, depot, header: dict, lines: list[dict]) -> Document:
        """Post the page's document: the header's fields are the service's keywords."""
        return self.service(
            depot=depot, lines=self.lines(lines), **self.header(header), posted_by=user
        )


PAGES = {
    "receipt": PostingPage(
        title=gettext_lazy("Record a receipt"),
        intro=gettext_lazy(
            "Stock arriving from a supplier, manufacturer or another state. For a lot not yet "
            "known in your depots, also give its ammunition type, manufacturer and date of "
            "manufacture."
        ),
        submit=gettext_lazy("Post receipt"),
        form_class=forms.ReceiptForm,
        line_form_class=forms.ReceiptLineForm,
        service=posting.receipt_post,
        lines=_receipt_lines,
        success=gettext_lazy("Receipt %(number)s posted."),
    ),
    "issue": PostingPage(
        title=gettext_lazy("Record an issue"),
        intro=gettext_lazy(
            "Stock leaving to a unit or agency of the register. Only issuable lots may be issued."
        ),
        submit=gettext_lazy("Post issue"),
        form_class=forms.IssueForm,
        line_form_class=forms.IssueLineForm,
        service=posting.issue_post,
        success=gettext_lazy("Issue %(number)s posted."),
    ),
    "transfer": PostingPage(
        title=gettext_lazy("Dispatch a transfer"),
        intro=gettext_lazy(
            "Stock sent to another depot: it leaves your stock now and is in transit until the "
            "other depot receives it."
        ),
        submit=gettext_lazy("Dispatch transfer"),
        form_class=forms.TransferForm,
        line_form_class=forms.TransferLineForm,
        service=posting.transfer_dispatch,
        success=gettext_lazy("Transfer %(number)s dispatched: in transit."),
    ),
    "move": PostingPage(
        title=gettext_lazy("Move stock between storehouses"),
        intro=gettext_lazy(
            "An internal move within one depot. The safe-storage rules of the destination apply."
        ),
        submit=gettext_lazy("Post move"),
        form_class=forms.MoveForm,
        line_form_class=forms.MoveLineForm,
        service=posting.move_post,
        lines=_move_lines,
        success=gettext_lazy("Internal move %(number)s posted."),
    ),
    "return": PostingPage(
        title=gettext_lazy("Record a return"),
        intro=gettext_lazy("Ammunition returned unused by a unit or agency."),
        submit=gettext_lazy("Post return"),
        form_class=forms.ReturnForm,
        line_form_class=forms.ReturnLineForm,
        service=posting.return_post,
        header=_return_header,
        success=gettext_lazy("Return %(number)s posted."),
    ),
    "adjustment": PostingPage(
        title=gettext_lazy("Propose an adjustment"),
        intro=gettext_lazy(
            "A correction of stock with a reason. It changes nothing until an inspector other "
            "than you approves it."
        ),
        submit=gettext_lazy("Submit for approval"),
        form_class=forms.AdjustmentForm,
        line_form_class=forms.AdjustmentLineForm,
        service=posting.adjustment_create,
        success=gettext_lazy(
            "Adjustment %(number)s recorded: it waits for an inspector's approval."
        ),
    ),
}


def _require_poster(user) -> None:
    """403 for a user who may record movements in no depot (the page would be of no use)."""
    if not can(user, Action.RECORD_MOVEMENT):
        raise PermissionDenied(_("Your role does not allow this action here."))


@require_http_methods(["GET", "POST"])
def posting_page(request, kind: str):
    page = PAGES.get(kind)
    if page is None:
        raise Http404
    user = request.user
    _require_poster(user)
    line_kwargs = {
        "lots": forms.lots_in_scope(user),
        "storehouses": forms.posting_storehouses(user),
        "search_url": reverse("inventory:lot_search"),
    }
    formset_class = forms.line_formset(page.line_form_class)
    data = request.POST if request.method == "POST" else None
    form = page.form_class(data, user=user)
    formset = formset_class(data, prefix="lines", form_kwargs=line_kwargs)
    if data is not None:
        form_ok = form.is_valid()
        if formset.is_valid() and form_ok:
            lines = [line.cleaned_data for line in formset.filled_forms()]
            depot = _depot_of(form, lines)
            if depot is not None:
                with Refusal(form) as refused:
                    document = page.post(
                        user=user, depot=depot, header=form.cleaned_data, lines=lines
                    )
                if not refused:
                    messages.success(request, page.success % {"number": document.number})
                    return redirect("inventory:document_detail", pk=document.pk)
    context = {
        "page": page,
        "kind": kind,
        "form": form,
        "formset": formset,
        "errors": error_summary(form, formset) if data is not None else [],
        "ammunition_types": (
            list(ammunition_type_list(user=user).only("code", "name"))
            if page.line_form_class.new_lot
            else []
        ),
    }
    return render(request, "inventory/posting_form.html", context, status=200)


# --- Transfers in ----------------------------------------------------------------------------


@require_GET
def transfer_inbox_view(request):
    """Consignments on their way to the user's depots."""
    rows = transfer_inbox(user=request.user).prefetch_related(None).order_by("occurred_on", "id")
    context = {
        "page": page_of(rows, request),
        "may_receive": can(request.user, Action.RECORD_MOVEMENT),
    }
    return render(request, "inventory/transfer_inbox.html", context)


EXTRA_ROWS_MAX = 10


@dataclass
class ReceiveGroup:
    """A dispatched line at the destination: its first row, then any extra rows that put other
    parts of it into other storehouses."""

    number: int
    sent_line: object
    rows: list
    errors: list

    @property
    def first(self):
        return self.rows[0]

    @property
    def extra_rows(self):
        return self.rows[1:]

    @property
    def extra_count(self) -> int:
        return len(self.rows) - 1

    @property
    def may_add(self) -> bool:
        return self.extra_count < EXTRA_ROWS_MAX


def _typed(data, form_class, prefix: str) -> dict:
    """What was typed in a form's fields, as its initial values (to show it again unbound)."""
    return {
        name: data[f"{prefix}-{name}"]
        for name in form_class.base_fields
        if f"{prefix}-{name}" in data
    }


def _receive_groups(transfer, data, storehouses, *, add_row: str):
    """The receive page's rows: bound to `data`, or, when a row is being added, unbound and
    showing what was typed (so that nothing is validated yet)."""
    sent_lines = list(
        transfer.lines.select_related("lot__ammunition_type", "storehouse").order_by("id")
    )
    lot_sent: dict[int, int] = defaultdict(int)
    for line in sent_lines:
        lot_sent[line.lot_id] -= line.quantity
    choices = list(storehouses[:2])
    only = choices[0] if len(choices) == 1 else None
    bound = data if not add_row else None
    groups = []
    for number, line in enumerate(sent_lines, start=1):
        raw = (data or {}).get(f"line-{line.pk}-extra", "0")
        extra = min(int(raw) if raw.isdigit() else 0, EXTRA_ROWS_MAX)
        if add_row == str(line.pk) and extra < EXTRA_ROWS_MAX:
            extra += 1
        rows = []
        for index in range(extra + 1):
            prefix = f"line-{line.pk}" if index == 0 else f"line-{line.pk}-{index}"
            if data is not None and bound is None:
                initial = _typed(data, forms.ReceiveLineForm, prefix)
            elif index == 0:
                initial = {"quantity": -line.quantity, "storehouse": only}
            else:
                initial = {}
            rows.append(
                forms.ReceiveLineForm(
                    bound,
                    prefix=prefix,
                    sent_line=line,
                    storehouses=storehouses,
                    extra=index > 0,
                    lot_sent=lot_sent[line.lot_id],
                    initial=initial,
                )
            )
        if add_row == str(line.pk):
            rows[-1].fields["storehouse"].widget.attrs["autofocus"] = True
        groups.append(ReceiveGroup(number=number, sent_line=line, rows=rows, errors=[]))
    return groups, lot_sent


def _received_movements(groups, lot_sent) -> list | None:
    """The receipt's movements, one per lot and storehouse; None (and errors on the groups)
    when more of a lot is received than was sent."""
    received: dict[tuple[int, int], int] = {}
    per_lot: dict[int, int] = defaultdict(int)
    for group in groups:
        for row in group.rows:
            quantity = row.cleaned_data["quantity"]
            if quantity:
                key = (group.sent_line.lot_id, row.cleaned_data["storehouse"].pk)
                received[key] = received.get(key, 0) + quantity
                per_lot[group.sent_line.lot_id] += quantity
    ok = True
    for group in groups:
        lot_id = group.sent_line.lot_id
        if per_lot[lot_id] > lot_sent[lot_id]:
            ok = False
            group.errors.append(
                _(
                    "%(received)s of lot %(lot)s are entered as received, but %(sent)s were "
                    "sent: record a surplus with a separate receipt."
                )
                % {
                    "received": per_lot[lot_id],
                    "lot": group.sent_line.lot.lot_number,
                    "sent": lot_sent[lot_id],
                }
            )
    if not ok:
        return None
    return [
        posting.Movement(lot_id, storehouse_id, quantity)
        for (lot_id, storehouse_id), quantity in received.items()
    ]


def _receive_errors(form, groups) -> list[dict]:
    labelled = []
    for group in groups:
        label = _("Line %(number)s") % {"number": group.number}
        labelled.append((label, group.errors))
        for index, row in enumerate(group.rows, start=1):
            labelled.append(
                (
                    label
                    if index == 1
                    else _("Line %(number)s, part %(part)s")
                    % {"number": group.number, "part": index},
                    row,
                )
            )
    return error_summary(form, labelled=labelled)


@require_http_methods(["GET", "POST"])
def transfer_receive_view(request, pk: int):
    """Receive a transfer: each dispatched line prefilled; the clerk picks where it goes and
    enters what actually arrived (less is a transit discrepancy). A line may be split across
    several storehouses: "Add a storehouse" adds a row for another part of the same lot."""
    user = request.user
    transfer = transfer_list(user=user).prefetch_related(None).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    if getattr(transfer, "reversal", None) is not None:
        messages.info(
            request,
            _("Transfer %(number)s was cancelled: there is nothing to receive.")
            % {"number": transfer.number},
        )
        return redirect("inventory:document_detail", pk=transfer.pk)
    if transfer.status != DocumentStatus.IN_TRANSIT:
        messages.info(
            request,
            _("Transfer %(number)s is %(status)s: there is nothing to receive.")
            % {"number": transfer.number, "status": transfer.get_status_display()},
        )
        return redirect("inventory:document_detail", pk=transfer.pk)
    require(user, Action.RECORD_MOVEMENT, transfer.destination_depot_id)
    storehouses = forms.posting_storehouses(user).filter(depot=transfer.destination_depot)
    data = request.POST if request.method == "POST" else None
    add_row = (data or {}).get("add_row", "")
    groups, lot_sent = _receive_groups(transfer, data, storehouses, add_row=add_row)
    if add_row:
        form = forms.ReceiveForm(
            initial={name: data[name] for name in forms.ReceiveForm.base_fields if name in data}
        )
    else:
        form = forms.ReceiveForm(data)
    posted = data is not None and not add_row
    if posted:
        # Validate every row, so that each shows its errors.
        rows_valid = [row.is_valid() for group in groups for row in group.rows]
        if form.is_valid() and all(rows_valid):
            movements = _received_movements(groups, lot_sent)
            if movements is not None:
                with Refusal(form) as refused:
                    receipt = posting.transfer_receive(
                        transfer=transfer, lines=movements, **form.cleaned_data, posted_by=user
                    )
                if not refused:
                    transfer.refresh_from_db(fields=["status"])
                    messages.success(
                        request,
                        _("Transfer receipt %(receipt)s posted: transfer %(number)s is %(status)s.")
                        % {
                            "receipt": receipt.number,
                            "number": transfer.number,
                            "status": transfer.get_status_display(),
                        },
                    )
                    return redirect("inventory:document_detail", pk=receipt.pk)
    context = {
        "transfer": transfer,
        "form": form,
        "groups": groups,
        "lines": [group.first for group in groups],
        "errors": _receive_errors(form, groups) if posted else [],
    }
    return render(request, "inventory/transfer_receive.html", context)


# --- Adjustments awaiting approval -----------------------------------------------------------


def _pending_adjustments(user):
    return (
        document_list(user=user)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "pending_lines",
                queryset=PendingLine.objects.select_related(
                    "lot__ammunition_type", "storehouse"
                ).order_by("id"),
            )
        )
        .filter(kind=DocumentKind.ADJUSTMENT, status=DocumentStatus.PENDING_APPROVAL)
    )


@require_GET
def adjustments_pending(request):
    """Adjustments waiting for an inspector's approval, oldest first."""
    require(request.user, Action.APPROVE)
    rows = _pending_adjustments(request.user).order_by("id")
    page = page_of(rows, request, size=25)
    reasons = dict(AdjustmentReason.choices)
    for document in page.rows:
        document.reason_label = reasons.get(document.reason, document.reason)
    pending_reversals = (
        reversal_proposal_list(user=request.user)
        .filter(status=ReversalProposalStatus.PENDING_APPROVAL)
        .count()
    )
    return render(
        request,
        "inventory/adjustments_pending.html",
        {"page": page, "pending_reversals": pending_reversals},
    )


DECISION = Decision(
    approve=posting.adjustment_approve,
    reject=posting.adjustment_reject,
    failure=gettext_lazy("Adjustment %(number)s was not %(decision)s: %(message)s"),
)


def _decide(request, pk: int, *, approve: bool):
    user = request.user
    document = get_object_or_404(
        document_list(user=user).prefetch_related(None).filter(kind=DocumentKind.ADJUSTMENT),
        pk=pk,
    )
    require(user, Action.APPROVE, document.depot_id)
    done, _result = DECISION.take(
        request, approve=approve, number=document.number, document=document
    )
    if done:
        messages.success(
            request,
            (
                _("Adjustment %(number)s approved and posted.")
                if approve
                else _("Adjustment %(number)s rejected.")
            )
            % {"number": document.number},
        )
    return redirect("inventory:adjustments_pending")


adjustment_approve_view, adjustment_reject_view = decision_views(_decide)
