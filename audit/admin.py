"""The audit log and the ledger's checkpoints and verifications, viewed only (append-only)."""

from django.contrib import admin

from audit.models import AuditEvent, LedgerCheckpoint, LedgerVerification
from core.admin import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_repr", "detail"]
    date_hierarchy = "at"


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["taken_at", "depot", "line_count", "head_hash"]
    list_filter = ["depot"]
    list_select_related = ["depot"]


@admin.register(LedgerVerification)
class LedgerVerificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "ok", "lines_checked", "depots_checked", "requested_by"]
    list_filter = ["ok"]
