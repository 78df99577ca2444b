from django.contrib import admin

from notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Read-only: notices are made by the worklist and `send_reminders`."""

    list_display = ["created_at", "user", "year", "kind", "title", "deadline", "read_at", "emailed_at"]
    list_filter = ["kind", "year"]
    search_fields = ["title", "user__username"]
    list_select_related = ["user", "year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
