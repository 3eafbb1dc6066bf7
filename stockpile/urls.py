from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("stockpile.api_urls")),
    path("audit/", include("audit.urls")),
    path("", include("inventory.urls")),
    path("", include("alerts.urls")),
]

handler400 = "core.views.bad_request_handler"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error_handler"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
