"""Web UI of the ledger. Mounted at the site root by stockpile/urls.py."""

from django.urls import path

from inventory.views import documents, lots, postings, reversals, stock, waivers

app_name = "inventory"

urlpatterns = [
    path("stock/", stock.stock_list, name="stock_list"),
    path("lots/search/", stock.lot_search, name="lot_search"),
    path("lots/<int:pk>/card/", stock.lot_card, name="lot_card"),
    path("lots/<int:pk>/split/", lots.lot_split_view, name="lot_split"),
    path("waivers/", waivers.waiver_list_view, name="waiver_list"),
    path("waivers/new/", waivers.waiver_new, name="waiver_new"),
    path("documents/", documents.document_list_view, name="document_list"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/print/", documents.document_print, name="document_print"),
    path("documents/<int:pk>/reverse/", documents.document_reverse_view, name="document_reverse"),
    # One form page for each kind of movement (receipts/new/ is receipt_new, ...).
    *(
        path(f"{kind}s/new/", postings.posting_page, {"kind": kind}, name=f"{kind}_new")
        for kind in postings.PAGES
    ),
    path("transfers/inbox/", postings.transfer_inbox_view, name="transfer_inbox"),
    path("transfers/<int:pk>/receive/", postings.transfer_receive_view, name="transfer_receive"),
    path("adjustments/pending/", postings.adjustments_pending, name="adjustments_pending"),
    path(
        "adjustments/<int:pk>/approve/", postings.adjustment_approve_view, name="adjustment_approve"
    ),
    path("adjustments/<int:pk>/reject/", postings.adjustment_reject_view, name="adjustment_reject"),
    path("reversals/pending/", reversals.reversals_pending, name="reversals_pending"),
    path("reversals/<int:pk>/approve/", reversals.reversal_approve_view, name="reversal_approve"),
    path("reversals/<int:pk>/reject/", reversals.reversal_reject_view, name="reversal_reject"),
]
