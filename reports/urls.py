"""The reports pages, mounted at /reports/ by stockpile/urls.py."""

from django.urls import path

from reports import book_views, views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("new/", views.report_new, name="report_new"),
    path("verify/", views.report_verify, name="report_verify"),
    path("book/", book_views.storehouse_book_view, name="storehouse_book"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
    path("<int:pk>/retry/", views.report_retry, name="report_retry"),
]
