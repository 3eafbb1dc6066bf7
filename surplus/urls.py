"""The surplus pages."""

app_name = "surplus"

urlpatterns = []
