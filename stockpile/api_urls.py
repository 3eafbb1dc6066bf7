"""The REST API: /api/v1/ resources (each app's api/urls.py), the OpenAPI schema and its locally
served docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from alerts.api.urls import router as alerts
from audit.api.urls import router as audit
from inventory.api.urls import router as inventory
from stockchecks.api.urls import router as stockchecks
from surveillance.api.urls import router as surveillance

# The browsable root of /api/v1/ (and its format suffix) lists the resources it always has.
root = DefaultRouter()
for app_router in (inventory, stockchecks, alerts, audit, surveillance):
    root.registry.extend(app_router.registry)

urlpatterns = [
    *(
        path("v1/", include(f"{app}.api.urls"))
        for app in (
            "accounts",
            "surveillance",
            "qd",
            "inventory",
            "stockchecks",
            "alerts",
            "audit",
            "surplus",
            "reports",
            "diversion",
            "imports",
        )
    ),
    path("v1/", include([url for url in root.urls if url.name == root.root_view_name])),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
