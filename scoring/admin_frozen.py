"""The admin's rule for frozen years (审定 and after): what belongs to one is read-only there, like everywhere
else. Used by every app's admin whose rows hang off a year."""

from scoring.models import AssessmentYear, TieOrder, TieOrderEntry


def year_of(obj):
    """The assessment year an admin object belongs to, or None."""
    if obj is None:
        return None
    if isinstance(obj, AssessmentYear):
        return obj
    if isinstance(obj, TieOrderEntry):
        return obj.tie_order.year
    return getattr(obj, "year", None)


class FrozenYearMixin:
    """Refuse change and delete of anything belonging to a frozen year; `frozen_year_of` finds an object's year.

    Django's bulk delete asks `has_delete_permission` for every object it would delete, so the action is refused
    as the delete page is."""

    def frozen_year_of(self, obj):
        return year_of(obj)

    def has_change_permission(self, request, obj=None):
        year = self.frozen_year_of(obj)
        if year is not None and year.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        year = self.frozen_year_of(obj)
        if year is not None and year.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A new row may not be hung off a frozen year either (the add form offers only open years).
        frozen = AssessmentYear.FROZEN_PHASES
        if db_field.name == "year":
            kwargs["queryset"] = AssessmentYear.objects.exclude(phase__in=frozen)
        elif db_field.name == "tie_order":
            kwargs["queryset"] = TieOrder.objects.exclude(year__phase__in=frozen)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FrozenYearInlineMixin:
    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)
