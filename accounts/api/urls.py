"""The sign-in resources of /api/v1/ (included by stockpile.api_urls)."""

from django.urls import path

from accounts.api.views import TokenCreateApi, TokenDestroyAllApi, TokenDestroyApi

urlpatterns = [
    path("auth/token/", TokenCreateApi.as_view(), name="api-token"),
    path("auth/logout/", TokenDestroyApi.as_view(), name="api-logout"),
    path("auth/logout-all/", TokenDestroyAllApi.as_view(), name="api-logout-all"),
]
