"""The REST API: /api/v1/ resources, the OpenAPI schema and its locally served docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenCreateApi, TokenDestroyAllApi, TokenDestroyApi
from alerts.api import AlertViewSet, JobRunViewSet
from audit.api import AuditEventViewSet, LedgerCheckpointViewSet, LedgerVerificationViewSet
from inventory.api import ledger
from inventory.api import reversals as reversal_api
from inventory.api.reference import (
    AmmunitionTypeViewSet,
    DepotViewSet,
    LicenceViewSet,
    RecipientViewSet,
    StorehouseViewSet,
    WaiverViewSet,
)
from stockchecks.api.views import IncidentViewSet, StockCheckViewSet
from surveillance.api import views as surveillance

router = DefaultRouter()
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
    "reversal-proposals", reversal_api.ReversalProposalViewSet, basename="reversal-proposal"
)
router.register("stock-checks", StockCheckViewSet, basename="stock-check")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("alerts", AlertViewSet, basename="alert")
router.register("job-runs", JobRunViewSet, basename="job-run")
router.register("ledger-verification", LedgerVerificationViewSet, basename="ledger-verification")
router.register("ledger-checkpoints", LedgerCheckpointViewSet, basename="ledger-checkpoint")
router.register("audit-log", AuditEventViewSet, basename="audit-log")
router.register("inspections", surveillance.InspectionViewSet, basename="inspection")
router.register("stability-tests", surveillance.StabilityTestViewSet, basename="stability-test")
router.register(
    "condition-changes", surveillance.ConditionChangeViewSet, basename="condition-change"
)
router.register("bans", surveillance.BanViewSet, basename="ban")
router.register(
    "shelf-life-extensions", surveillance.ShelfLifeExtensionViewSet, basename="shelf-life-extension"
)

urlpatterns = [
    path("v1/auth/token/", TokenCreateApi.as_view(), name="api-token"),
    path("v1/auth/logout/", TokenDestroyApi.as_view(), name="api-logout"),
    path("v1/auth/logout-all/", TokenDestroyAllApi.as_view(), name="api-logout-all"),
    path(
        "v1/surveillance/work-list/",
        surveillance.WorkListApi.as_view(),
        name="api-surveillance-work-list",
    ),
    path(
        "v1/lots/<int:pk>/surveillance/",
        surveillance.LotSurveillanceApi.as_view(),
        name="api-lot-surveillance",
    ),
    path("v1/", include("qd.api.urls")),
    path("v1/", include(router.urls)),
    path("v1/", include("surplus.api.urls")),
    path("v1/", include("reports.api.urls")),
    path("v1/", include("diversion.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
