from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("stockpile.api_urls")),
    path("surveillance/", include("surveillance.urls")),
    path("audit/", include("audit.urls")),
    path("surplus/", include("surplus.urls")),
    path("reports/", include("reports.urls")),
    path("diversion/", include("diversion.urls")),
    path("qd/", include("qd.urls")),
    path("", include("inventory.urls")),
    path("", include("stockchecks.urls")),
    path("", include("alerts.urls")),
]

handler400 = "core.views.bad_request_handler"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error_handler"

# MEDIA_ROOT is never served as such, not even in DEBUG: it holds inspection attachments, which
# a view streams only to readers of their depot (surveillance.views).
