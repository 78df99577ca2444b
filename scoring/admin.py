"""Schemes (rules as data), years and leadership's decisions in the admin. A frozen year (审定 and after)
is read-only here like everywhere else: its own form and every row hanging off it refuse changes."""

from django import forms
from django.contrib import admin, messages

from scoring.admin_frozen import FrozenYearInlineMixin, FrozenYearMixin
from scoring.catalogue import scheme_copy, scheme_is_locked
from scoring.models import (
    AssessmentYear,
    DemocraticScore,
    DiscretionaryAward,
    Rule,
    RuleCategory,
    RuleLevel,
    Scheme,
    Supervision,
    TieOrder,
    TieOrderEntry,
    YearDepartment,
    YearLeader,
)
from scoring.phases import PHASE_ACTIONS, year_allows


def _scheme_of(obj):
    if obj is None:
        return None
    return obj if isinstance(obj, Scheme) else obj.scheme


class LockedSchemeMixin:
    """A scheme used by an approved year is read-only (its years must re-score to the same numbers);
    copy it for a new year instead."""

    def _locked(self, obj) -> bool:
        scheme = _scheme_of(obj)
        return scheme is not None and scheme_is_locked(scheme)

    def has_add_permission(self, request, obj=None):
        # Inlines receive the parent scheme as obj.
        if obj is not None and self._locked(obj):
            return False
        return super().has_add_permission(request, *([obj] if isinstance(self, admin.options.InlineModelAdmin) else []))

    def has_change_permission(self, request, obj=None):
        if self._locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._locked(obj):
            return False
        return super().has_delete_permission(request, obj)


class RuleCategoryInline(LockedSchemeMixin, admin.TabularInline):
    model = RuleCategory
    extra = 0


class RuleInline(LockedSchemeMixin, admin.TabularInline):
    model = Rule
    extra = 0
    fields = ["code", "category", "kind", "text", "points", "max_points", "annual", "order"]
    show_change_link = True


@admin.register(Scheme)
class SchemeAdmin(LockedSchemeMixin, admin.ModelAdmin):
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]
    inlines = [RuleCategoryInline, RuleInline]
    actions = ["copy_schemes"]

    @admin.action(description="复制所选方案（用于新年度）", permissions=["add"])
    def copy_schemes(self, request, queryset):
        for scheme in queryset:
            copy = scheme_copy(scheme=scheme)
            self.message_user(
                request, f"已复制为新方案“{copy.name}”（{copy.code}），请修改代码和名称后使用。", messages.SUCCESS
            )


@admin.register(RuleCategory)
class RuleCategoryAdmin(LockedSchemeMixin, admin.ModelAdmin):
    list_display = ["code", "name", "scheme", "order"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]


class RuleLevelInline(LockedSchemeMixin, admin.TabularInline):
    """A bonus rule's levels and their points (e.g. 全总 +10, 省总 +8, 市总 +5), best first."""

    model = RuleLevel
    extra = 0
    fields = ["code", "name", "points", "order"]

    def _locked(self, obj) -> bool:  # the inline receives the rule
        return obj is not None and scheme_is_locked(obj.scheme)


@admin.register(Rule)
class RuleAdmin(LockedSchemeMixin, admin.ModelAdmin):
    list_display = ["code", "short_text", "category", "kind", "points", "annual", "recorder_label", "scheme"]
    list_filter = ["scheme", "category__name", "kind", "annual"]
    search_fields = ["code", "text"]
    list_select_related = ["category", "scheme"]
    autocomplete_fields = ["recorder_offices"]
    inlines = [RuleLevelInline]
    fieldsets = [
        (None, {"fields": ["scheme", "category", "code", "text", "kind", "unit", "order"]}),
        ("分值", {"fields": ["points", "max_points"], "description": "加分项目的各级别分值在下方“加分级别”中设定。"}),
        ("规则", {"fields": ["annual", "halve_when_shared", "reason_required"]}),
        ("负责录入", {"fields": ["recorder_offices", "recorder_label"]}),
    ]


class YearDepartmentInline(FrozenYearInlineMixin, admin.TabularInline):
    model = YearDepartment
    extra = 0
    autocomplete_fields = ["department"]


class YearLeaderInline(FrozenYearInlineMixin, admin.TabularInline):
    model = YearLeader
    extra = 0
    autocomplete_fields = ["leader"]


def _not_taking_part(department) -> str:
    return f"{department}未参加本年度考核，不能设为分管部室（请先将其加入该年度的参评部室）。"


class SupervisionForm(forms.ModelForm):
    """A vice chair supervises only a department taking part in the year (results ignore any other)."""

    def clean(self):
        data = super().clean()
        year, department = data.get("year"), data.get("department")
        if year is None or department is None:
            return data
        if not YearDepartment.objects.filter(year=year, department=department).exists():
            self.add_error("department", _not_taking_part(department))
        return data


# The prefix of the year page's 年度参评部室 inline (Django's default: the relation's accessor name).
YEAR_DEPARTMENTS_PREFIX = YearDepartment._meta.get_field("year").remote_field.get_accessor_name()


class SupervisionFormSet(forms.BaseInlineFormSet):
    """The year page's supervisions: each of a department taking part in the year as this same save leaves it,
    since the page's 年度参评部室 inline may add or remove departments with them."""

    def clean(self):
        super().clean()
        taking_part = self._departments_after_save()
        for form in self.forms:
            department = form.cleaned_data.get("department") if hasattr(form, "cleaned_data") else None
            if department is None or form.cleaned_data.get("DELETE"):
                continue
            if department.pk not in taking_part:
                form.add_error("department", _not_taking_part(department))

    def _departments_after_save(self) -> set[int]:
        """The departments the page's 年度参评部室 inline submits (those not marked for deletion); the saved
        ones when the page submits none."""
        prefix = YEAR_DEPARTMENTS_PREFIX
        try:
            total = min(int(self.data[f"{prefix}-TOTAL_FORMS"]), forms.formsets.DEFAULT_MAX_NUM)
        except (KeyError, ValueError):
            saved = YearDepartment.objects.filter(year_id=self.instance.pk) if self.instance.pk else []
            return {row.department_id for row in saved}
        submitted = (self.data.get(f"{prefix}-{i}-department", "") for i in range(total) if not self._deleted(i))
        return {int(pk) for pk in submitted if pk.isdigit()}

    def _deleted(self, i: int) -> bool:
        return bool(self.data.get(f"{YEAR_DEPARTMENTS_PREFIX}-{i}-DELETE"))


class SupervisionInline(FrozenYearInlineMixin, admin.TabularInline):
    model = Supervision
    formset = SupervisionFormSet
    extra = 0
    autocomplete_fields = ["leader", "department"]


@admin.register(AssessmentYear)
class AssessmentYearAdmin(FrozenYearMixin, admin.ModelAdmin):
    list_display = ["year", "title", "scheme", "phase", "results_published"]
    list_filter = ["phase", "scheme"]
    search_fields = ["title", "year"]
    list_select_related = ["scheme"]
    inlines = [YearDepartmentInline, YearLeaderInline, SupervisionInline]

    def get_readonly_fields(self, request, obj=None):
        # A new year starts in 准备; phase moves go through the workflow pages (each recorded with who and when),
        # never a bare edit, not even on the add form (a year added as 已通报 would be frozen with no approval).
        # Results are published by the 公示 step of the workflow, likewise.
        return [*super().get_readonly_fields(request, obj), "phase", "results_published"]


def _supervisions_of(year_departments) -> list[str]:
    """The supervisions that would lose their department if these entries left their years."""
    supervisions = Supervision.objects.none()
    for entry in year_departments:
        supervisions |= Supervision.objects.filter(year_id=entry.year_id, department_id=entry.department_id)
    return [
        f"{s.year.year}年度 {s.leader.name}分管{s.department.name}（请先在该年度页面取消分管）"
        for s in supervisions.select_related("year", "leader", "department")
    ]


class YearDepartmentForm(forms.ModelForm):
    """A department a vice chair supervises in the year stays in it: the supervision goes first."""

    def clean_department(self):
        department = self.cleaned_data["department"]
        entry = self.instance
        if entry.pk and department.pk != entry.department_id and _supervisions_of([entry]):
            raise forms.ValidationError("该部室在本年度有分管副主席，不能改为其他部室；请先在该年度页面取消分管。")
        return department


@admin.register(YearDepartment)
class YearDepartmentAdmin(FrozenYearMixin, admin.ModelAdmin):
    form = YearDepartmentForm
    list_display = ["year", "department", "headcount", "order"]
    list_filter = ["year"]
    search_fields = ["department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["year", "department"]

    def get_deleted_objects(self, objs, request):
        # Django's delete page (and the bulk delete action) refuses while anything listed as protected remains:
        # a supervised department's supervision is, as on the year's own page.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *_supervisions_of(objs)]


@admin.register(YearLeader)
class YearLeaderAdmin(FrozenYearMixin, admin.ModelAdmin):
    list_display = ["year", "leader", "order"]
    list_filter = ["year"]
    search_fields = ["leader__name"]
    autocomplete_fields = ["leader"]
    list_select_related = ["year", "leader"]


@admin.register(Supervision)
class SupervisionAdmin(FrozenYearMixin, admin.ModelAdmin):
    form = SupervisionForm
    list_display = ["year", "leader", "department"]
    list_filter = ["year", "leader"]
    search_fields = ["leader__name", "department__name"]
    autocomplete_fields = ["leader", "department"]
    list_select_related = ["year", "leader", "department"]


@admin.register(DemocraticScore)
class DemocraticScoreAdmin(FrozenYearMixin, admin.ModelAdmin):
    """Democratic scores entered directly follow the year's phase (scoring.phases: 评分 and 民主测评)."""

    list_display = ["year", "department", "score"]
    list_filter = ["year"]
    search_fields = ["department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["year", "department"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not year_allows(obj.year, "democratic_scores"):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not year_allows(obj.year, "democratic_scores"):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "year":  # a new score only for a year whose phase takes one
            kwargs["queryset"] = AssessmentYear.objects.filter(phase__in=PHASE_ACTIONS["democratic_scores"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DecisionReadOnlyMixin:
    """Leadership's tie orders and discretionary awards are shown here, never written: they are made on the
    approval screen (workflow), which checks the phase (公示), the acting leader and, with the scoring core,
    that the tie exists and the department is eligible — checks a bare admin form would bypass."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TieOrderEntryInline(DecisionReadOnlyMixin, admin.TabularInline):
    model = TieOrderEntry
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(TieOrder)
class TieOrderAdmin(DecisionReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "year", "decided_by", "decided_at"]
    list_filter = ["year"]
    search_fields = ["reason", "entries__department__name"]
    inlines = [TieOrderEntryInline]
    list_select_related = ["year", "decided_by"]


@admin.register(TieOrderEntry)
class TieOrderEntryAdmin(DecisionReadOnlyMixin, admin.ModelAdmin):
    list_display = ["tie_order", "position", "department"]
    list_filter = ["tie_order__year"]
    search_fields = ["department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["tie_order__year", "department"]


@admin.register(DiscretionaryAward)
class DiscretionaryAwardAdmin(DecisionReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "department", "amount", "granted_by", "granted_at"]
    list_filter = ["year"]
    search_fields = ["department__name", "reason"]
    autocomplete_fields = ["department"]
    list_select_related = ["year", "department", "granted_by"]
