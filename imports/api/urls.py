"""The imports resources of /api/v1/ (included by stockpile.api_urls)."""

from rest_framework.routers import SimpleRouter

from imports.api.views import ImportViewSet

router = SimpleRouter()
router.register("imports", ImportViewSet, basename="import")

urlpatterns = router.urls
