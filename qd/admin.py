from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qd.models import ExposedSite, ExposedSiteDistance


class ExposedSiteDistanceInline(admin.TabularInline):
    model = ExposedSiteDistance
    extra = 0
    autocomplete_fields = ["storehouse"]


@admin.register(ExposedSite)
class ExposedSiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "depot"]
    list_filter = ["kind", "depot"]
    search_fields = ["name"]
    inlines = [ExposedSiteDistanceInline]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ExposedSiteDistance)
class ExposedSiteDistanceAdmin(SimpleHistoryAdmin):
    list_display = ["exposed_site", "storehouse", "distance_m"]
    list_filter = ["exposed_site__depot"]
