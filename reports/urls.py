"""The reports pages, mounted at /reports/ by stockpile/urls.py."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("new/", views.report_new, name="report_new"),
    path("verify/", views.report_verify, name="report_verify"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
    path("<int:pk>/retry/", views.report_retry, name="report_retry"),
]
