"""Stock checks are worked through their pages and the API; here they are read (incidents are
inventory's models, read in its admin)."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from stockchecks.models import StockCheck


@admin.register(StockCheck)
class StockCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "depot", "storehouse", "kind", "status", "planned_by", "approved_by"]
    list_filter = ["status", "kind", "depot"]
    list_select_related = ["depot", "storehouse", "planned_by", "approved_by"]
