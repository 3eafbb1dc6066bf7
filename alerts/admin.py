from django.contrib import admin

from alerts.models import Alert
from core.admin import ReadOnlyAdminMixin
from core.models import JobRun


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Alerts are raised and resolved by the jobs and acknowledged by users: viewed only here."""

    list_display = [
        "kind",
        "severity",
        "depot",
        "message",
        "first_seen",
        "last_seen",
        "resolved_at",
    ]
    list_filter = ["kind", "severity", "depot"]
    search_fields = ["message"]
    list_select_related = ["depot"]
    readonly_fields = [field.name for field in Alert._meta.fields]


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Runs of the scheduled jobs: a record, viewed only. (Registered here rather than in
    core/admin.py, which defines the admin site itself and is imported while the site is built.)"""

    list_display = ["name", "started_at", "finished_at", "outcome", "attempt"]
    list_filter = ["name", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in JobRun._meta.fields]
