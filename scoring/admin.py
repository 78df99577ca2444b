"""Schemes (rules as data), years and leadership's decisions in the admin. A frozen year (审定 and after)
is read-only here like everywhere else: its own form and every row hanging off it refuse changes."""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property

from scoring.admin_frozen import FrozenYearInlineMixin, FrozenYearMixin
from scoring.catalogue import scheme_copy, scheme_copy_names, scheme_is_locked
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


# --- the scheme designer -----------------------------------------------------------------------------------
# The scheme's page holds the whole scheme: its categories (a table) and its rules (one box each), saved together
# in one transaction (the admin's own). A rule names its category by code, among the categories this same page
# submits, so a new scheme is made whole in one save; a bonus rule's levels are one line of text in its box.

LEVELS_HELP = (
    "仅“加分”项目填写：每个级别写成“名称=分值”，用分号“；”隔开，分值高的在前，如 全总=10；省总=8；市总=5。"
    "级别代码（台帐记录保存的）与名称不同时写成“代码:名称=分值”，如 national:全总=10；已有级别请保留其代码。"
)
DESIGNER_HELP = (
    "在本页一次设定整个方案：先在“考核类别”中列出类别（代码如 T、S），再在“考核项目”中逐项填写，"
    "每个项目从上方的类别中选择所属类别；全部填好后点“保存”，一次保存。"
    "项目类型决定须填的分值：固定扣分填“每单位分值”，酌情扣分填“酌情扣分上限”，加分填“加分级别及分值”，否决项目不填分值。"
)
LOCKED_NOTE = (
    "该方案已用于审定（或已通报、归档）的年度，只能查看，不能修改，以保证往年得分不变。"
    "新年度如需调整，请在方案列表中勾选本方案，选择动作“复制为新年度方案”，再修改复制出的方案。"
)

# The prefix of the scheme page's 考核类别 inline (Django's default: the relation's accessor name).
CATEGORIES_PREFIX = RuleCategory._meta.get_field("scheme").remote_field.get_accessor_name()
LEVEL_SEPARATOR = re.compile(r"[；;\n]")
LEVEL_FIELD_LENGTH = RuleLevel._meta.get_field("code").max_length or 20
LEVEL_MAX_POINTS = Decimal("9999.99")  # the column's six digits, two of them decimals


def levels_format(levels) -> str:
    """A rule's levels as the designer's one line of text (LEVELS_HELP): `名称=分值`, `代码:名称=分值` when the code
    is not the name."""

    def one(level) -> str:
        points = format(level.points.normalize(), "f")
        return f"{level.name}={points}" if level.code == level.name else f"{level.code}:{level.name}={points}"

    return "；".join(one(level) for level in levels)


def levels_parse(text: str, codes_by_name: dict[str, str] | None = None) -> list[tuple[str, str, Decimal]]:
    """The designer's line of levels (LEVELS_HELP) as (code, name, points), best first; a ValidationError with
    every mistake, in Chinese. A level written without a code keeps the code `codes_by_name` gives its name (the
    rule's present levels), else its code is its name."""

    codes_by_name = codes_by_name or {}
    errors: list[str] = []
    levels: list[tuple[str, str, Decimal]] = []
    for piece in LEVEL_SEPARATOR.split(text):
        item = piece.strip()
        if not item:
            continue
        head, equals, value = item.replace("＝", "=").partition("=")
        code, colon, name = head.replace("：", ":").partition(":")
        if not colon:
            code, name = "", code
        code, name, value = code.strip(), name.strip(), value.strip()
        if not equals or "=" in value or ":" in name or not name or not value or (colon and not code):
            errors.append(f"“{item}”写法有误：每个级别写成“名称=分值”或“代码:名称=分值”，级别之间用分号“；”隔开。")
            continue
        code = code or codes_by_name.get(name, name)
        if len(name) > LEVEL_FIELD_LENGTH:
            errors.append(f"级别名称“{name}”过长（最多 {LEVEL_FIELD_LENGTH} 个字）。")
        if len(code) > LEVEL_FIELD_LENGTH or any(c.isspace() for c in code):
            errors.append(f"级别代码“{code}”须不含空格，且最多 {LEVEL_FIELD_LENGTH} 个字符。")
        try:
            points = Decimal(value)
        except InvalidOperation:
            errors.append(f"级别“{name}”的分值“{value}”不是数字。")
            continue
        if not points.is_finite():
            errors.append(f"级别“{name}”的分值“{value}”不是数字。")
        elif points < 0:
            errors.append(f"级别“{name}”的分值不能为负数（加分项目的分值写正数）。")
        elif points > LEVEL_MAX_POINTS:
            errors.append(f"级别“{name}”的分值不能超过 {LEVEL_MAX_POINTS}。")
        elif points != points.quantize(Decimal("0.01")):
            errors.append(f"级别“{name}”的分值最多两位小数。")
        if code in {c for c, _, _ in levels}:
            errors.append(f"级别代码“{code}”重复。")
        elif name in {n for _, n, _ in levels}:
            errors.append(f"级别名称“{name}”重复。")
        levels.append((code, name, points))
    if errors:
        raise ValidationError(errors)
    return levels


def levels_write(rule: Rule, levels: list[tuple[str, str, Decimal]]) -> None:
    """Make the rule's levels these, in this order; a level keeping its code keeps its row."""
    present = {level.code: level for level in RuleLevel.objects.filter(rule=rule)}
    for order, (code, name, points) in enumerate(levels, start=1):
        level = present.pop(code, None) or RuleLevel(rule=rule, code=code)
        level.name, level.points, level.order = name, points, order
        level.save()
    RuleLevel.objects.filter(pk__in=[level.pk for level in present.values()]).delete()


def levels_in_use(rule: Rule) -> set[str]:
    """The level codes that rows of the apps above (ledger records, bonus claims) give for this rule: every model
    with a foreign key to Rule and a `level` field, found through the relation, since scoring imports none of
    them. Such a level may not go: its records would no longer score. History rows (a key without a database
    constraint) are not records."""

    used: set[str] = set()
    for relation in Rule._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ManyToOneRel) or not isinstance(relation.field, models.ForeignKey):
            continue
        key, model = relation.field, relation.field.model
        constrained = getattr(key, "db_constraint", True)  # an attribute django-stubs lacks
        if not constrained or "level" not in {field.name for field in model._meta.get_fields()}:
            continue
        rows = model._default_manager.filter(**{key.name: rule}).exclude(level="")
        used.update(rows.values_list("level", flat=True).distinct())
    return used


def _not_negative(value: Decimal | None, message: str) -> Decimal | None:
    if value is not None and value < 0:
        raise ValidationError(message)
    return value


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["code", "name", "regulation_title", "description", "full_score"]
        help_texts = {"code": "英文字母、数字、连字符，如 district-2024；年度台帐和导出文件用它识别方案。"}
        widgets = {
            "name": forms.TextInput(attrs={"size": 60}),
            "regulation_title": forms.TextInput(attrs={"size": 60}),
            "description": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }

    def clean_full_score(self):
        full_score = self.cleaned_data["full_score"]
        if full_score is not None and full_score <= 0:
            raise ValidationError("满分须大于 0。")
        return full_score


class CategoryForm(forms.ModelForm):
    class Meta:
        model = RuleCategory
        fields = ["code", "name", "cap", "bonus_cap", "order"]
        help_texts = {"code": "如 T；考核项目按代码选择所属类别。", "order": "数字小的排在前面。"}
        widgets = {"code": forms.TextInput(attrs={"size": 6}), "name": forms.TextInput(attrs={"size": 24})}

    def clean_cap(self):
        return _not_negative(self.cleaned_data["cap"], "扣分上限不能为负数。")

    def clean_bonus_cap(self):
        return _not_negative(self.cleaned_data["bonus_cap"], "加分上限不能为负数。")


def _kept(form) -> bool:
    """A row that this save keeps: filled in (or saved before), and not marked for deletion."""
    if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
        return False
    return form.instance.pk is not None or form.has_changed()


class CategoryFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            code = form.cleaned_data.get("code") if _kept(form) else None
            if code in seen:
                form.add_error("code", f"类别代码“{code}”重复。")
            elif code:
                seen.add(code)
        super().clean()
        if not any(_kept(form) for form in self.forms):
            raise ValidationError("方案至少须有一个考核类别。")


class RuleForm(forms.ModelForm):
    """A rule in the designer: its category by code (among the page's categories) and its levels as text."""

    # Which points field each kind of rule takes (the others stay empty), as in docs/scoring.md §7.
    KIND_FIELD = {
        Rule.Kind.DEDUCTION: "points",
        Rule.Kind.DISCRETIONARY: "max_points",
        Rule.Kind.BONUS: "levels_text",
        Rule.Kind.VETO: None,
    }

    category_code = forms.ChoiceField(
        label="所属类别",
        help_text="从上方“考核类别”中选择。",
        error_messages={
            "required": "请选择所属类别。",
            "invalid_choice": "类别“%(value)s”不在本方案的考核类别中：请从上方“考核类别”中选择，或先添加该类别。",
        },
    )
    levels_text = forms.CharField(
        label="加分级别及分值",
        required=False,
        help_text=LEVELS_HELP,
        widget=forms.TextInput(attrs={"size": 70}),
    )

    class Meta:
        model = Rule
        fields = [
            "code",
            "kind",
            "order",
            "text",
            "unit",
            "points",
            "max_points",
            "annual",
            "halve_when_shared",
            "reason_required",
            "recorder_offices",
            "recorder_label",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 90})}
        help_texts = {
            "code": "如 T1，在本方案内不重复。",
            "unit": "如 每项、每人次、年度。",
            "points": "仅“固定扣分”项目填写：每单位扣多少分（正数）。",
            "max_points": "仅“酌情扣分”项目填写：每单位最多扣多少分，具体分值录入时酌定。",
            "halve_when_shared": "加分项目由多个部室共同获得时，各得一半分值。",
            "reason_required": "录入时须填写理由。",
            "recorder_label": "考核表上显示的负责部门，如 组织部。",
            "order": "数字小的排在前面。",
        }

    def __init__(self, *args: Any, category_choices: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels: list[tuple[str, str, Decimal]] = []
        if "category_code" not in self.fields:  # a read-only view: nothing to prepare
            return
        cast(forms.ChoiceField, self.fields["category_code"]).choices = [("", "---------"), *category_choices]
        if self.instance.pk is not None:
            self.fields["category_code"].initial = self.instance.category.code
            self.fields["levels_text"].initial = levels_format(self.instance.levels.all())

    def clean_points(self):
        return _not_negative(self.cleaned_data["points"], "分值不能为负数（扣分项目的分值写正数）。")

    def clean_max_points(self):
        return _not_negative(self.cleaned_data["max_points"], "扣分上限不能为负数。")

    def clean_levels_text(self):
        text = self.cleaned_data["levels_text"]
        known = {level.name: level.code for level in self.instance.levels.all()} if self.instance.pk else {}
        self.levels = levels_parse(text, known)
        return text

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        label = Rule.Kind(kind).label
        wanted = self.KIND_FIELD[Rule.Kind(kind)]
        for name in ("points", "max_points", "levels_text"):
            if name != wanted and name not in self.errors and data.get(name) not in (None, ""):
                self.add_error(name, f"“{label}”项目不填{self.fields[name].label}，请留空。")
        # Deductions without points and discretionary rules without a maximum are refused by Rule.clean.
        if wanted == "levels_text" and "levels_text" not in self.errors and not self.levels:
            self.add_error("levels_text", "加分项目须至少设定一个加分级别，如：全总=10；省总=8；市总=5。")
        if self.instance.pk is not None and "levels_text" not in self.errors:
            self._keep_levels_in_use(kept={code for code, _, _ in self.levels} if wanted == "levels_text" else set())
        return data

    def _keep_levels_in_use(self, kept: set[str]) -> None:
        present = {level.code: level.name for level in self.instance.levels.all()}
        removed = set(present) - kept
        used = levels_in_use(self.instance) if removed else set()
        for code in (code for code in present if code in removed & used):  # best first
            self.add_error(
                "levels_text",
                f"级别“{present[code]}”（代码 {code}）已有记录使用，不能删除或更改代码；可以修改其名称和分值。",
            )

    def _update_errors(self, errors):
        # Rule.clean sees a field that failed the form's own check (a negative points) as empty: the field's
        # own message is the one to show, not also "须设定".
        if hasattr(errors, "error_dict"):
            errors = ValidationError({k: v for k, v in errors.error_dict.items() if k not in self._errors})
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def save(self, commit=True):
        # The page's categories are saved before its rules (the inlines' order), so the code names a row now.
        code = self.cleaned_data["category_code"]
        self.instance.category = RuleCategory.objects.get(scheme=self.instance.scheme, code=code)
        return super().save(commit)

    def _save_m2m(self):
        super()._save_m2m()
        if {"kind", "levels_text"} & set(self.changed_data):
            levels_write(self.instance, self.levels)


def _submitted_categories(data) -> list[tuple[str, str]] | None:
    """The categories (code, name) the scheme page submits, less those marked for deletion; None when it
    submits none."""
    prefix = CATEGORIES_PREFIX
    try:
        total = min(int(data[f"{prefix}-TOTAL_FORMS"]), forms.formsets.DEFAULT_MAX_NUM)
    except (KeyError, ValueError):
        return None
    rows = []
    for i in range(total):
        code = data.get(f"{prefix}-{i}-code", "").strip()
        if code and not data.get(f"{prefix}-{i}-DELETE"):
            rows.append((code, data.get(f"{prefix}-{i}-name", "").strip()))
    return rows


class RuleFormSet(forms.BaseInlineFormSet):
    """The scheme page's rules: each in one of the categories as this same save leaves them."""

    @cached_property
    def category_choices(self) -> list[tuple[str, str]]:
        rows = _submitted_categories(self.data) if self.is_bound else None
        if rows is None:
            saved = RuleCategory.objects.filter(scheme_id=self.instance.pk) if self.instance.pk else []
            rows = [(category.code, category.name) for category in saved]
        return [(code, f"{code} {name}".strip()) for code, name in rows]

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "category_choices": self.category_choices}

    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            code = form.cleaned_data.get("code") if _kept(form) else None
            if code in seen:
                form.add_error("code", f"项目代码“{code}”重复。")
            elif code:
                seen.add(code)
        super().clean()


class RuleCategoryInline(LockedSchemeMixin, admin.TabularInline):
    model = RuleCategory
    form = CategoryForm
    formset = CategoryFormSet
    extra = 0


class RuleInline(LockedSchemeMixin, admin.StackedInline):
    model = Rule
    form = RuleForm
    formset = RuleFormSet
    extra = 0
    autocomplete_fields = ["recorder_offices"]
    show_change_link = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("code", "category_code", "kind", "order"),
                    "text",
                    ("unit", "points", "max_points"),
                    "levels_text",
                    ("annual", "halve_when_shared", "reason_required"),
                    ("recorder_offices", "recorder_label"),
                ]
            },
        )
    ]

    def get_queryset(self, request):
        rules = super().get_queryset(request).select_related("category")
        return rules.prefetch_related("levels", "recorder_offices").order_by("category__order", "order", "id")

    # What a read-only view (a locked scheme) shows for the form's own fields.
    @admin.display(description="所属类别")
    def category_code(self, rule):
        return str(rule.category)

    @admin.display(description="加分级别及分值")
    def levels_text(self, rule):
        return levels_format(rule.levels.all()) or "—"


class SchemeCopyForm(forms.Form):
    """The code and name of a scheme's copy for a new year."""

    code = forms.SlugField(
        label="新方案代码",
        max_length=Scheme._meta.get_field("code").max_length,
        help_text="英文字母、数字、连字符，如 district-2024。",
        error_messages={"invalid": "方案代码只能用英文字母、数字、连字符“-”和下划线“_”。"},
    )
    name = forms.CharField(
        label="新方案名称",
        max_length=Scheme._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Scheme.objects.filter(code=code).exists():
            raise ValidationError(f"方案代码“{code}”已被使用，请换一个。")
        return code


@admin.register(Scheme)
class SchemeAdmin(LockedSchemeMixin, admin.ModelAdmin):
    """The scheme designer: the scheme, its categories, rules and bonus levels on one page, in one save."""

    form = SchemeForm
    list_display = ["code", "name", "used_by", "state", "created_at"]
    search_fields = ["code", "name"]
    inlines = [RuleCategoryInline, RuleInline]
    actions = ["copy_schemes"]
    fieldsets = [
        (
            None,
            {
                "fields": ["code", "name", "regulation_title", "description", "full_score"],
                "description": DESIGNER_HELP,
            },
        )
    ]

    class Media:
        js = ["scoring/scheme_designer.js"]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and self._locked(obj):  # read-only: no instructions for filling it in
            return [(None, {"fields": [*self.fieldsets[0][1]["fields"], "plan_shortfall_rule"]})]
        if obj is None:  # the scheme's rules are chosen from once they are saved
            return super().get_fieldsets(request, obj)
        return [*self.fieldsets, ("月度计划", {"fields": ["plan_shortfall_rule"]})]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan_shortfall_rule":
            # Only the edited scheme's own fixed deductions (Scheme.clean refuses any other).
            scheme_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Rule.objects.filter(scheme_id=scheme_id, kind=Rule.Kind.DEDUCTION)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        frozen = AssessmentYear.objects.filter(scheme=OuterRef("pk"), phase__in=AssessmentYear.FROZEN_PHASES)
        return super().get_queryset(request).annotate(locked=Exists(frozen)).prefetch_related("years")

    @admin.display(description="使用年度")
    def used_by(self, scheme):
        return "、".join(str(year.year) for year in sorted(scheme.years.all(), key=lambda y: y.year)) or "—"

    @admin.display(description="状态")
    def state(self, scheme):
        return "已锁定（有审定年度，只读）" if scheme.locked else "可修改"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        scheme = self.get_object(request, unquote(object_id))
        if request.method == "GET" and scheme is not None and scheme.locked:
            self.message_user(request, LOCKED_NOTE, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="复制为新年度方案", permissions=["add"])
    def copy_schemes(self, request, queryset):
        """An intermediate page asks for the copy's code and name (offered for the next year), then copies."""
        schemes = list(queryset[:2])
        if len(schemes) != 1:
            self.message_user(request, "请只勾选一个方案进行复制。", messages.WARNING)
            return None
        [scheme] = schemes
        if "apply" in request.POST:
            form = SchemeCopyForm(request.POST, prefix="copy")
            if form.is_valid():
                copy = scheme_copy(scheme=scheme, code=form.cleaned_data["code"], name=form.cleaned_data["name"])
                self.message_user(
                    request, f"已复制为新方案“{copy.name}”（{copy.code}），可在本页修改后用于新年度。", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:scoring_scheme_change", args=[copy.pk]))
        else:
            code, name = scheme_copy_names(scheme)
            form = SchemeCopyForm(initial={"code": code, "name": name}, prefix="copy")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "复制为新年度方案",
            "scheme": scheme,
            "categories": scheme.categories.count(),
            "rules": scheme.rules.count(),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/scoring/scheme/copy_for_year.html", context)


@admin.register(RuleCategory)
class RuleCategoryAdmin(LockedSchemeMixin, admin.ModelAdmin):
    list_display = ["code", "name", "scheme", "order"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]


class RuleLevelFormSet(forms.BaseInlineFormSet):
    """The rule page's levels: a bonus rule has at least one, another kind none."""

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if _kept(form)]
        if self.instance.kind == Rule.Kind.BONUS and not kept:
            raise ValidationError("加分项目须至少设定一个加分级别。")
        if self.instance.kind in Rule.Kind.values and self.instance.kind != Rule.Kind.BONUS and kept:
            raise ValidationError(f"“{Rule.Kind(self.instance.kind).label}”项目不设加分级别，请删除下列级别。")


class RuleLevelInline(LockedSchemeMixin, admin.TabularInline):
    """A bonus rule's levels and their points (e.g. 全总 +10, 省总 +8, 市总 +5), best first."""

    model = RuleLevel
    formset = RuleLevelFormSet
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
