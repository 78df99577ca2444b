"""The procedure's records in the admin: read-only history, except re-opening, which the admin performs here."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from kaohe.admin_filters import ManyChoicesRelatedFilter
from scoring.models import AssessmentYear
from workflow import services
from workflow.models import Approval, Objection, ObjectionFile, PhaseTransition, Publicity, Reopening


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every step of the procedure stays on record: nobody edits or deletes it here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PhaseTransition)
class PhaseTransitionAdmin(ReadOnlyAdmin):
    list_display = ["year", "from_phase", "to_phase", "moved_by", "moved_at", "note"]
    list_filter = ["year", "to_phase"]
    list_select_related = ["year", "moved_by"]


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ["year", "start", "days", "started_by", "created_at"]
    list_select_related = ["year", "started_by"]


class ObjectionFileInline(admin.TabularInline):
    model = ObjectionFile
    fields = readonly_fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["year", "department", "rule_code", "status", "decision", "raised_by", "raised_at", "answered_by"]
    list_filter = ["year", "status", "decision", ("department", ManyChoicesRelatedFilter)]
    list_select_related = ["year", "department", "raised_by", "answered_by"]
    search_fields = ["reason", "answer"]
    inlines = [ObjectionFileInline]

    @admin.display(description="考核项目")
    def rule_code(self, obj: Objection) -> str:
        return obj.record_before.get("rule", "")


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = [
        "year",
        "meeting_date",
        "minutes_ref",
        "approved_by",
        "approved_at",
        "announced_at",
        "superseded_at",
    ]
    list_filter = ["year"]
    list_select_related = ["year", "approved_by"]


@admin.register(Reopening)
class ReopeningAdmin(admin.ModelAdmin):
    """Adding a re-opening here is the admin's action that re-opens an approved year (via the service)."""

    list_display = ["year", "reason", "reopened_by", "reopened_at", "from_phase"]
    list_select_related = ["year", "reopened_by"]
    fields = ["year", "reason"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "year":
            frozen = AssessmentYear.FROZEN_PHASES
            kwargs["queryset"] = AssessmentYear.objects.filter(phase__in=frozen)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(form_self):
            data = original_clean(form_self)
            year, reason = data.get("year"), data.get("reason", "")
            if year is not None and not form_self.errors:
                try:
                    form_self.instance = services.year_reopen(year, reason, request.user)
                except (ValidationError, PermissionDenied) as exc:
                    raise ValidationError(getattr(exc, "messages", [str(exc)])) from None
            return data

        form.clean = clean
        return form

    def save_model(self, request, obj, form, change):
        # The service has already created the row (in clean, so that a refusal shows on the form).
        messages.info(request, f"{obj.year}已重新开启，回到公示阶段。")

    def save_related(self, request, form, formsets, change):
        pass
