"""Documents: the list, one document with its lines, its printable voucher, and reversal."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.roles import Action
from core.scoping import can, read_depot_ids, require
from core.web import Refusal, error_summary, page_of, render_page
from inventory.filters import DocumentFilter
from inventory.forms import ReverseForm, style_document_filter
from inventory.models import (
    Document,
    DocumentSource,
    LedgerLine,
    LineSource,
    PendingLine,
    ReversalProposal,
    ReversalProposalStatus,
)
from inventory.models.ledger import AdjustmentReason, DocumentKind, DocumentStatus
from inventory.selectors.ledger import document_list, transfer_list
from inventory.services.reversals import document_reverse

NEQ = DecimalField(max_digits=20, decimal_places=3)
REVERSIBLE = {
    DocumentStatus.POSTED,
    DocumentStatus.IN_TRANSIT,
    DocumentStatus.RECEIVED,
    DocumentStatus.RECEIVED_WITH_DISCREPANCY,
}

# Who signs a printed voucher, by kind (the poster's block is always first).
SIGNATURES = {
    DocumentKind.RECEIPT: [gettext_lazy("Received by"), gettext_lazy("Delivered by")],
    DocumentKind.OPENING_BALANCE: [gettext_lazy("Imported by"), gettext_lazy("Checked by")],
    DocumentKind.ISSUE: [gettext_lazy("Issued by"), gettext_lazy("Received by (recipient)")],
    DocumentKind.TRANSFER: [gettext_lazy("Dispatched by"), gettext_lazy("Carrier")],
    DocumentKind.TRANSFER_RECEIPT: [gettext_lazy("Received by"), gettext_lazy("Carrier")],
    DocumentKind.RETURN: [gettext_lazy("Received by"), gettext_lazy("Returned by")],
    DocumentKind.INTERNAL_MOVE: [gettext_lazy("Moved by"), gettext_lazy("Checked by")],
    DocumentKind.ADJUSTMENT: [gettext_lazy("Proposed by"), gettext_lazy("Counted or checked by")],
}
DEFAULT_SIGNATURES = [gettext_lazy("Posted by"), gettext_lazy("Checked by")]


def document_or_404(user, pk: int) -> Document:
    """A document of the user's depots, or a transfer addressed to one of them; else 404."""
    document = document_list(user=user).prefetch_related(None).filter(pk=pk).first()
    if document is None:
        document = transfer_list(user=user).prefetch_related(None).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def _lines(document: Document) -> list:
    """The document's lines (posted, or pending approval) with lot, type, storehouse and NEQ."""
    model = PendingLine if document.status == DocumentStatus.PENDING_APPROVAL else LedgerLine
    per_unit = Coalesce(F("lot__neq_per_unit_kg"), F("lot__ammunition_type__neq_per_unit_kg"))
    return list(
        model.objects.filter(document=document)
        .select_related("lot__ammunition_type", "storehouse")
        .annotate(neq_kg=ExpressionWrapper(F("quantity") * per_unit, output_field=NEQ))
        .order_by("id")
    )


def _related(user, document: Document) -> dict:
    """Documents linked to this one, each with whether the user may open it."""
    readable = read_depot_ids(user)

    def entry(other):
        if other is None:
            return None
        # As document_or_404 decides: the user's depots' documents, and transfers to them.
        link = (
            readable is None
            or other.depot_id in readable
            or (other.kind == DocumentKind.TRANSFER and other.destination_depot_id in readable)
        )
        return {"document": other, "link": link}

    receipt = None
    if document.kind == DocumentKind.TRANSFER:
        receipt = Document.objects.filter(transfer=document).first()
    return {
        "reverses": entry(document.reverses),
        "reversal": entry(getattr(document, "reversal", None)),
        "transfer_receipt": entry(receipt),
        "transfer": entry(document.transfer) if document.transfer_id else None,
        "source_issue": entry(document.source_issue) if document.source_issue_id else None,
    }


def _shortfalls(document: Document, lines: list, related: dict) -> list[dict]:
    """For a transfer received short: each lot sent, received and missing."""
    entry = related.get("transfer_receipt")
    if document.status != DocumentStatus.RECEIVED_WITH_DISCREPANCY or entry is None:
        return []
    received = dict(
        LedgerLine.objects.filter(document=entry["document"])
        .values_list("lot_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    sent: dict[int, list] = {}
    for line in lines:
        sent.setdefault(line.lot_id, [line.lot, 0])[1] -= line.quantity
    return [
        {"lot": lot, "sent": quantity, "received": received.get(lot_id, 0)}
        | {"missing": quantity - received.get(lot_id, 0)}
        for lot_id, (lot, quantity) in sent.items()
        if quantity > received.get(lot_id, 0)
    ]


def _detail_context(request, document: Document, reverse_form=None) -> dict:
    user = request.user
    reversed_already = getattr(document, "reversal", None) is not None
    pending_reversal = (
        document.reversal_proposals.filter(status=ReversalProposalStatus.PENDING_APPROVAL)
        .select_related("proposed_by")
        .first()
    )
    may_reverse = (
        can(user, Action.RECORD_MOVEMENT, document.depot_id)
        and document.kind != DocumentKind.REVERSAL
        and not reversed_already
        and pending_reversal is None
        and document.status in REVERSIBLE
    )
    may_receive = (
        document.kind == DocumentKind.TRANSFER
        and document.status == DocumentStatus.IN_TRANSIT
        and not reversed_already
        and can(user, Action.RECORD_MOVEMENT, document.destination_depot_id)
    )
    may_decide = (
        document.kind == DocumentKind.ADJUSTMENT
        and document.status == DocumentStatus.PENDING_APPROVAL
        and can(user, Action.APPROVE, document.depot_id)
    )
    lines = _lines(document)
    related = _related(user, document)
    if may_reverse and reverse_form is None:
        reverse_form = ReverseForm()
    return {
        "document": document,
        "lines": lines,
        "total_neq": sum((abs(line.neq_kg) for line in lines), Decimal(0)),
        "related": related,
        "shortfalls": _shortfalls(document, lines, related),
        "may_reverse": may_reverse,
        "may_receive": may_receive,
        "may_decide": may_decide,
        "pending_reversal": pending_reversal,
        "may_decide_reversal": pending_reversal is not None
        and can(user, Action.APPROVE, document.depot_id),
        "own_document": document.posted_by_id == user.pk,
        "reason_label": dict(AdjustmentReason.choices).get(document.reason, document.reason),
        "reverse_form": reverse_form,
        "errors": error_summary(reverse_form) if reverse_form is not None else [],
        "source": _source(document),
    }


def _source(document: Document) -> dict | None:
    """Where an opening balance came from: the file, and each line's row in it (DESIGN.md §14)."""
    if document.kind != DocumentKind.OPENING_BALANCE:
        return None
    return {
        "file": DocumentSource.objects.filter(document=document).first(),
        "rows": LineSource.objects.filter(line__document=document)
        .select_related("line__lot", "line__storehouse")
        .order_by("line_id"),
    }


@require_GET
def document_list_view(request):
    """Documents of the user's depots, newest first, filtered like the API's document list."""
    filterset = DocumentFilter(
        request.GET,
        queryset=document_list(user=request.user).prefetch_related(None),
        request=request,
    )
    style_document_filter(filterset.form)
    rows = filterset.qs.order_by("-id") if filterset.is_valid() else Document.objects.none()
    context = {"filter": filterset, "page": page_of(rows, request)}
    return render_page(
        request, "inventory/document_list.html", "inventory/partials/document_results.html", context
    )


@require_GET
def document_detail(request, pk: int):
    document = document_or_404(request.user, pk)
    return render(request, "inventory/document_detail.html", _detail_context(request, document))


@require_GET
def document_print(request, pk: int):
    """The voucher to print and sign: marking, header, lines, signature blocks."""
    document = document_or_404(request.user, pk)
    context = _detail_context(request, document)
    context["signatures"] = SIGNATURES.get(document.kind, DEFAULT_SIGNATURES)
    return render(request, "inventory/document_print.html", context)


@require_POST
def document_reverse_view(request, pk: int):
    """Reverse a document (once, with a reason): the service posts its exact opposite."""
    user = request.user
    document = document_or_404(user, pk)
    require(user, Action.RECORD_MOVEMENT, document.depot_id)
    form = ReverseForm(request.POST)
    if form.is_valid():
        with Refusal(form) as refused:
            reversal = document_reverse(
                document=document, reason=form.cleaned_data["reason"], posted_by=user
            )
        if not refused:
            if isinstance(reversal, ReversalProposal):
                messages.success(
                    request,
                    _(
                        "Reversal of %(number)s proposed. It takes stock off the books, so it is "
                        "posted only when an inspector other than you approves it."
                    )
                    % {"number": document.number},
                )
                return redirect("inventory:document_detail", pk=document.pk)
            messages.success(
                request,
                _("Reversal %(reversal)s posted: document %(number)s is reversed.")
                % {"reversal": reversal.number, "number": document.number},
            )
            return redirect("inventory:document_detail", pk=reversal.pk)
    context = _detail_context(request, document, reverse_form=form)
    return render(request, "inventory/document_detail.html", context)
