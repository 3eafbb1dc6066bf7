from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class StockpileAdminSite(admin.AdminSite):
    """The Django admin, open to holders of the admin role (not to Django's is_staff flag)."""

    site_header = _("Stockpile administration")
    site_title = _("Stockpile administration")

    def has_permission(self, request):
        return request.user.is_active and request.user.has_role(Role.ADMIN)


class ReadOnlyAdminMixin:
    """Viewing only: no add, change or delete, whoever asks. For the records that change only
    through the services (which check roles, scope and vetting and audit the change) or never."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
