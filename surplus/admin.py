"""Administrators keep the groups of interchangeable types (with history); requirements, plans
and snapshots are viewed only (they change through the surplus services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from surplus.models import (
    DisposalExecution,
    DisposalPlan,
    GroupMember,
    InterchangeableGroup,
    Requirement,
    SurplusSnapshot,
)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 1
    autocomplete_fields = ["ammunition_type"]


@admin.register(InterchangeableGroup)
class InterchangeableGroupAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [GroupMemberInline]


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "effective_from", "version", "approval_reference", "set_by"]
    list_select_related = ["ammunition_type", "group", "set_by"]


@admin.register(DisposalPlan)
class DisposalPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "depot", "method", "status", "created_by", "approved_by"]
    list_select_related = ["depot", "created_by", "approved_by"]


@admin.register(DisposalExecution)
class DisposalExecutionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["certificate_number", "plan", "executed_on", "executed_by"]
    list_select_related = ["plan", "executed_by"]


@admin.register(SurplusSnapshot)
class SurplusSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["taken_on", "status", "progress", "rows_written"]
