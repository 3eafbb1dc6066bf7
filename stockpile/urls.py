from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from home import views as home_views

# Each app's pages: under its own name, or (the ledger, stock checks, alerts) at the root.
urlpatterns = [
    path("", home_views.home, name="home"),
    path("depot/", home_views.depot_choose, name="depot_focus"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("stockpile.api_urls")),
    *(
        path(f"{app}/", include(f"{app}.urls"))
        for app in (
            "accounts",
            "surveillance",
            "audit",
            "surplus",
            "reports",
            "diversion",
            "qd",
            "imports",
        )
    ),
    *(path("", include(f"{app}.urls")) for app in ("inventory", "stockchecks", "alerts")),
]

handler400 = "core.views.bad_request_handler"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error_handler"

# MEDIA_ROOT is never served as such, not even in DEBUG: it holds inspection attachments, which
# a view streams only to readers of their depot (surveillance.views).
