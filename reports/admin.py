from django.contrib import admin

from reports.models import ReportBuild
from scoring.admin_frozen import FrozenYearMixin


@admin.register(ReportBuild)
class ReportBuildAdmin(FrozenYearMixin, admin.ModelAdmin):
    """Background builds, read-only: they are made from the reports page, never edited; deleted only while their
    year is open (an approved year's files stay as they were made)."""

    list_display = ["year", "kind", "status", "progress", "step", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "kind", "year"]
    list_select_related = ["year", "requested_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
