"""The reference data and ledger resources of /api/v1/ (included by stockpile.api_urls)."""

from core.drf import ResourceRouter
from inventory.api import ledger, reversals
from inventory.api.reference import (
    AmmunitionTypeViewSet,
    DepotViewSet,
    LicenceViewSet,
    RecipientViewSet,
    StorehouseViewSet,
    WaiverViewSet,
)

router = ResourceRouter()
router.register("depots", DepotViewSet, basename="depot")
router.register("storehouses", StorehouseViewSet, basename="storehouse")
router.register("licences", LicenceViewSet, basename="licence")
router.register("ammunition-types", AmmunitionTypeViewSet, basename="ammunition-type")
router.register("recipients", RecipientViewSet, basename="recipient")
router.register("waivers", WaiverViewSet, basename="waiver")
router.register("lots", ledger.LotViewSet, basename="lot")
router.register("stock", ledger.StockViewSet, basename="stock")
router.register("receipts", ledger.ReceiptViewSet, basename="receipt")
router.register("issues", ledger.IssueViewSet, basename="issue")
router.register("returns", ledger.ReturnViewSet, basename="return")
router.register("moves", ledger.MoveViewSet, basename="move")
router.register("transfers", ledger.TransferViewSet, basename="transfer")
router.register("adjustments", ledger.AdjustmentViewSet, basename="adjustment")
router.register("documents", ledger.DocumentViewSet, basename="document")
router.register(
    "reversal-proposals", reversals.ReversalProposalViewSet, basename="reversal-proposal"
)

urlpatterns = router.urls
