"""The quantity-distance resources of /api/v1/ (included by stockpile.api_urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from qd.api import views

router = SimpleRouter()
router.register("exposed-sites", views.ExposedSiteViewSet, basename="exposed-site")

urlpatterns = [
    path("qd/distances/", views.QdDistancesApi.as_view(), name="qd-distances"),
    path("qd/assess/", views.QdAssessApi.as_view(), name="qd-assess"),
    path("storehouses/<int:pk>/qd/", views.StorehouseQdApi.as_view(), name="storehouse-qd"),
    path("licences/<int:pk>/from-qd/", views.LicenceFromQdApi.as_view(), name="licence-from-qd"),
    *router.urls,
]
