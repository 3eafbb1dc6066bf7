"""Web UI of stock checks and incidents. Mounted at the site root by stockpile/urls.py."""

from django.urls import path

from stockchecks import views

app_name = "stockchecks"

urlpatterns = [
    path("stock-checks/", views.stock_check_list_view, name="check_list"),
    path("stock-checks/new/", views.stock_check_plan_view, name="check_plan"),
    path("stock-checks/<int:pk>/", views.stock_check_detail, name="check_detail"),
    path("stock-checks/<int:pk>/sheet/", views.stock_check_sheet, name="check_sheet"),
    path("stock-checks/<int:pk>/count/", views.stock_check_count_view, name="check_count"),
    path("stock-checks/<int:pk>/notes/", views.stock_check_line_note_view, name="check_notes"),
    path("stock-checks/<int:pk>/<slug:name>/", views.stock_check_action_view, name="check_action"),
    path("incidents/", views.incident_list_view, name="incident_list"),
    path("incidents/new/", views.incident_report_view, name="incident_report"),
    path("incidents/monthly/", views.incident_monthly_view, name="incident_monthly"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
]
