from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.models import JobRun
from core.roles import Role


class StockpileAdminSite(admin.AdminSite):
    """The Django admin, open to holders of the admin role (not to Django's is_staff flag)."""

    site_header = _("Stockpile administration")
    site_title = _("Stockpile administration")

    def has_permission(self, request):
        return request.user.is_active and request.user.has_role(Role.ADMIN)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Runs of the scheduled jobs: a record, viewed only."""

    list_display = ["name", "started_at", "finished_at", "outcome", "attempt"]
    list_filter = ["name", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
