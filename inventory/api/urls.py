"""The reference data and ledger resources of /api/v1/ (included by stockpile.api_urls)."""

from core.drf import ResourceRouter
from inventory.api import ledger, reference, reversals

router = ResourceRouter()
router.register("depots", reference.DepotViewSet, basename="depot")
router.register("storehouses", reference.StorehouseViewSet, basename="storehouse")
router.register("licences", reference.LicenceViewSet, basename="licence")
router.register("ammunition-types", reference.AmmunitionTypeViewSet, basename="ammunition-type")
router.register("recipients", reference.RecipientViewSet, basename="recipient")
router.register("waivers", reference.WaiverViewSet, basename="waiver")
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
