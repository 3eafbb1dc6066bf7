from django.contrib import admin

from alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
