"""The stock check and incident resources of /api/v1/ (included by stockpile.api_urls)."""

from core.drf import ResourceRouter
from stockchecks.api.views import IncidentViewSet, StockCheckViewSet

router = ResourceRouter()
router.register("stock-checks", StockCheckViewSet, basename="stock-check")
router.register("incidents", IncidentViewSet, basename="incident")

urlpatterns = router.urls
