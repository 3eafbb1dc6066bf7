from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("ledger/", views.ledger_view, name="ledger"),
    path("ledger/verify/", views.ledger_verify_view, name="ledger_verify"),
    path("ledger/verify/<str:token>/", views.ledger_progress_view, name="ledger_progress"),
    path("ledger/checkpoints.json", views.checkpoint_export_view, name="checkpoint_export"),
    path("log/", views.log_view, name="log"),
    path("log/export.csv", views.log_export_view, name="log_export"),
]
