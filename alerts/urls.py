from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.alert_list_view, name="alert_list"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("job-runs/", views.job_run_list_view, name="job_run_list"),
]
