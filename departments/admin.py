"""Departments, leaders and roles in the admin; the users' roles are edited inline on the user."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from departments.models import Department, Leader, Membership, Organisation
from kaohe.admin_filters import ManyChoicesRelatedFilter


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The one organisation: added once, then only changed (never deleted: every document names it)."""

    list_display = ["full_name", "short_name", "document_prefix"]
    fieldsets = [
        ("名称", {"fields": ["full_name", "short_name"]}),
        (
            "公文",
            {"fields": ["issuer_mark", "document_prefix", "main_recipients", "copy_recipients", "printing_office"]},
        ),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "user", "order"]
    list_filter = ["role"]
    search_fields = ["name", "user__username", "user__first_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "department"]
    list_filter = ["role", ("department", ManyChoicesRelatedFilter)]
    search_fields = ["user__username", "user__first_name", "department__name"]
    autocomplete_fields = ["user", "department"]
    list_select_related = ["user", "department"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["department"]
    verbose_name = "角色"
    verbose_name_plural = "考核系统角色"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class KaoheUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, MembershipInline]
    list_display = ["username", "first_name", "is_staff", "is_superuser", "is_active", "last_login"]
