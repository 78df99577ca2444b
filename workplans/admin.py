from django.contrib import admin

from kaohe.admin_filters import ManyChoicesRelatedFilter
from scoring.admin_frozen import FrozenYearMixin
from workplans.models import BonusClaim, ClaimEvidence, MonthlyReport, PlanItem, SelfAssessment, SelfDeclaration


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    fk_name = "plan_report"
    extra = 0
    fields = readonly_fields = (
        "month",
        "title",
        "due_date",
        "outcome",
        "cause",
        "ledger_record",
        "t4_dismissed_reason",
    )
    can_delete = False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(FrozenYearMixin, admin.ModelAdmin):
    """Read-only for the administrator: heads write reports in the staff pages, vice chairs review them there;
    deletable only while the year is not frozen."""

    list_display = ["department", "year", "month", "status", "submitted_at", "reviewed_at"]
    list_filter = ["year", "status", ("department", ManyChoicesRelatedFilter)]
    list_select_related = ["department", "year"]
    inlines = [PlanItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SelfDeclarationInline(admin.TabularInline):
    model = SelfDeclaration
    extra = 0
    readonly_fields = ["rule", "quantity", "exempt_quantity", "points", "reason"]
    can_delete = False


class BonusClaimInline(admin.TabularInline):
    model = BonusClaim
    extra = 0
    readonly_fields = ["rule", "level", "title"]
    exclude = ["shared_with"]
    can_delete = False


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(FrozenYearMixin, admin.ModelAdmin):
    list_display = ["department", "year", "status", "submitted_at"]
    list_filter = ["year", "status"]
    list_select_related = ["department", "year"]
    inlines = [SelfDeclarationInline, BonusClaimInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClaimEvidence)
class ClaimEvidenceAdmin(FrozenYearMixin, admin.ModelAdmin):
    list_display = ["original_name", "claim", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["claim", "uploaded_by"]
    exclude = ["file"]

    def frozen_year_of(self, obj):
        return None if obj is None else obj.claim.assessment.year

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
