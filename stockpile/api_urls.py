"""The REST API: /api/v1/ resources, the OpenAPI schema and its locally served docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenCreateApi, TokenDestroyApi
from inventory.api.views import DepotViewSet

router = DefaultRouter()
router.register("depots", DepotViewSet, basename="depot")

urlpatterns = [
    path("v1/auth/token/", TokenCreateApi.as_view(), name="api-token"),
    path("v1/auth/logout/", TokenDestroyApi.as_view(), name="api-logout"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
