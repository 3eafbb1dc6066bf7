"""Administrators keep the risk assessment checklist (versioned, with history); the register,
cases and assessments are managed on the diversion pages and only viewed here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from diversion.models import (
    ChecklistItem,
    ChecklistVersion,
    Party,
    PartyDocument,
    RiskAssessment,
    TracingRequest,
    TransferCase,
)


def _in_use(version) -> bool:
    return version is not None and RiskAssessment.objects.filter(checklist=version).exists()


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ["position", "code", "question", "guidance"]

    def has_change_permission(self, request, obj=None):
        return not _in_use(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _in_use(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(SimpleHistoryAdmin):
    """A version answered by an assessment is frozen: change the checklist by adding a version
    (new assessments use the latest version in force)."""

    list_display = ["version", "effective_from", "source"]
    inlines = [ChecklistItemInline]

    def has_change_permission(self, request, obj=None):
        return not _in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _in_use(obj) and super().has_delete_permission(request, obj)


class _Viewed(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(Party)
class PartyAdmin(_Viewed):
    list_display = ["name", "kind", "country", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]


@admin.register(PartyDocument)
class PartyDocumentAdmin(_Viewed):
    list_display = ["number", "kind", "party", "valid_from", "valid_until", "authentication_result"]
    list_select_related = ["party"]


@admin.register(TransferCase)
class TransferCaseAdmin(_Viewed):
    list_display = ["number", "depot", "consignee", "end_user", "status"]
    list_select_related = ["depot", "consignee", "end_user"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(_Viewed):
    list_display = ["number", "case", "status", "author", "approved_by", "expires_on"]
    list_select_related = ["case", "author", "approved_by"]


@admin.register(TracingRequest)
class TracingRequestAdmin(_Viewed):
    list_display = ["number", "reference", "requesting_authority", "lot_marking", "found_on"]
