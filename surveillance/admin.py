"""Administrators edit the surveillance policy (with history); the records are viewed only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from surveillance.models import (
    Inspection,
    InspectionInterval,
    ShelfLifeExtension,
    StabilityMethodPolicy,
    StabilityPolicyBand,
    StabilityTest,
)


@admin.register(StabilityPolicyBand)
class StabilityPolicyBandAdmin(SimpleHistoryAdmin):
    """The stability policy table (DESIGN.md §8): a national authority's decision, so every
    change is kept ("History") and reaches the audit log."""

    list_display = [
        "category",
        "min_remaining_pct",
        "max_remaining_pct",
        "condition",
        "action",
        "retest_months",
        "dispose_within_days",
    ]


@admin.register(StabilityMethodPolicy)
class StabilityMethodPolicyAdmin(SimpleHistoryAdmin):
    """One row per test method: what a pass on it may conclude (DESIGN.md §8)."""

    list_display = ["method", "pass_category", "pass_retest_months", "pass_action", "source"]


@admin.register(InspectionInterval)
class InspectionIntervalAdmin(SimpleHistoryAdmin):
    list_display = ["ammunition_type", "months"]
    list_select_related = ["ammunition_type"]
    autocomplete_fields = ["ammunition_type"]


class _RecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Inspections, tests and decisions are recorded through the inspector's pages and the API
    (the services apply the policy); here they are read."""


@admin.register(Inspection)
class InspectionAdmin(_RecordAdmin):
    list_display = ["lot", "depot", "kind", "inspected_on", "condition", "inspector"]
    list_filter = ["kind", "depot"]
    list_select_related = ["lot", "depot", "inspector"]


@admin.register(StabilityTest)
class StabilityTestAdmin(_RecordAdmin):
    list_display = ["lot", "depot", "sampled_on", "method", "remaining_pct", "category"]
    list_filter = ["category", "method", "depot"]
    list_select_related = ["lot", "depot"]


@admin.register(ShelfLifeExtension)
class ShelfLifeExtensionAdmin(_RecordAdmin):
    list_display = ["lot", "previous_expires_on", "new_expires_on", "decided_by", "decided_at"]
    list_select_related = ["lot", "decided_by"]
