"""The diversion pages."""

app_name = "diversion"

urlpatterns = []
