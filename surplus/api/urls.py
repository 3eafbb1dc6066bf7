"""The surplus resources of /api/v1/ (included by stockpile.api_urls)."""

from rest_framework.routers import SimpleRouter

from surplus.api import views

router = SimpleRouter()
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("requirement-groups", views.GroupViewSet, basename="requirement-group")
router.register("surplus", views.SurplusViewSet, basename="surplus")
router.register("surplus-snapshots", views.SnapshotViewSet, basename="surplus-snapshot")
router.register("disposal-plans", views.DisposalPlanViewSet, basename="disposal-plan")

urlpatterns = router.urls
