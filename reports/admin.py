"""Report runs, viewed only: they are records, never edited nor deleted."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from reports.models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "depot", "status", "progress", "page_count", "requested_by",
                    "requested_at"]  # fmt: skip
    list_filter = ["kind", "status", "depot"]
    list_select_related = ["depot", "requested_by"]
    search_fields = ["number"]
    date_hierarchy = "requested_at"
