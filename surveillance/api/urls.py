"""The surveillance resources of /api/v1/ (included by stockpile.api_urls)."""

from django.urls import path

from core.drf import ResourceRouter
from surveillance.api import views

router = ResourceRouter()
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("stability-tests", views.StabilityTestViewSet, basename="stability-test")
router.register("condition-changes", views.ConditionChangeViewSet, basename="condition-change")
router.register("bans", views.BanViewSet, basename="ban")
router.register(
    "shelf-life-extensions", views.ShelfLifeExtensionViewSet, basename="shelf-life-extension"
)

urlpatterns = [
    path("surveillance/work-list/", views.WorkListApi.as_view(), name="api-surveillance-work-list"),
    path(
        "lots/<int:pk>/surveillance/",
        views.LotSurveillanceApi.as_view(),
        name="api-lot-surveillance",
    ),
    *router.urls,
]
