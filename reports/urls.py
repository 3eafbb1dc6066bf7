"""The reports pages."""

app_name = "reports"

urlpatterns = []
