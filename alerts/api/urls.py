"""The alert and job run resources of /api/v1/ (included by stockpile.api_urls)."""

from alerts.api.views import AlertViewSet, JobRunViewSet
from core.drf import ResourceRouter

router = ResourceRouter()
router.register("alerts", AlertViewSet, basename="alert")
router.register("job-runs", JobRunViewSet, basename="job-run")

urlpatterns = router.urls
