"""Admin: rounds and groups are visible; codes and ballots are read-only (they change only through the
services, so that the one-vote-per-code and anonymity guarantees cannot be bypassed from here)."""

from django.contrib import admin

from ballots.models import Ballot, BallotCode, BallotRating, CodeBatch, RaterGroup, Round


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RaterGroupInline(admin.TabularInline):
    model = RaterGroup
    extra = 0
    fields = ["name", "planned_count", "weight", "by_department", "order"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "year", "status", "closes_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["year"]
    inlines = [RaterGroupInline]


@admin.register(CodeBatch)
class CodeBatchAdmin(ReadOnlyAdmin):
    list_display = ["group", "department", "count", "voided", "created_by", "created_at"]
    list_filter = ["group__round", "voided"]
    list_select_related = ["group", "department", "created_by"]


@admin.register(BallotCode)
class BallotCodeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "batch", "used"]
    list_filter = ["used", "batch__group__round"]
    list_select_related = ["batch__group", "batch__department"]


class BallotRatingInline(admin.TabularInline):
    model = BallotRating
    extra = 0
    fields = readonly_fields = ("department", "grade")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["group", "voter_department", "paper"]
    list_filter = ["group__round", "group", "paper"]
    list_select_related = ["group", "voter_department"]
    inlines = [BallotRatingInline]
    # Random ids carry no order; listing by group keeps it that way.
    ordering = ["group", "voter_department", "paper", "id"]
