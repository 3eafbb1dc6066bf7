"""The surplus resources of /api/v1/ (included by stockpile.api_urls)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
