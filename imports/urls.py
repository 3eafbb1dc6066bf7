"""The imports pages, mounted at /imports/ by stockpile/urls.py."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("new/", views.import_new, name="import_new"),
    path("help/", views.import_help, name="import_help"),
    path("export/", views.balances_export, name="balances_export"),
    path(
        "template/<str:kind>.<str:file_format>",
        views.import_template,
        name="import_template",
    ),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("<int:pk>/progress/", views.import_progress, name="import_progress"),
]
