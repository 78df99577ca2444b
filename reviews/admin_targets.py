"""Target items (目标管理, docs/scoring.md §7) in the admin: the review lead allots each department's target items
and their points (by hand or from a workbook), the review group records against them. Who may do what is the
access package's (`may_enter_targets`, `may_record_target`); a frozen year is read-only (FrozenYearMixin); writes
go through reviews.services; every list of a year's targets says what is wrong with its allotment
(`reviews.selectors.target_allotment_problems`). Imported from the end of reviews/admin.py."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

import access
from departments.models import Department
from kaohe.admin_filters import ManyChoicesRelatedFilter
from kaohe.admin_history import ReadOnlyHistoryAdmin
from kaohe.downloads import attachment, download_name
from kaohe.xlsx import SheetRowsError
from reviews import services
from reviews.models import TargetRecord
from reviews.selectors import target_allotment_problems
from reviews.targets_xlsx import targets_import, targets_template
from scoring.admin_frozen import FrozenYearMixin
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, RuleCategory, Target
from scoring.phases import year_allows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR_PARAMETER = "year__id__exact"  # Django's name for the year filter's value


def _open_years():
    return AssessmentYear.objects.select_related("scheme").exclude(phase__in=AssessmentYear.FROZEN_PHASES)


def _year_of_request(request) -> AssessmentYear | None:
    """The year a list is showing: its year filter's, else the latest year with target items, else the latest."""
    years = AssessmentYear.objects.select_related("scheme").order_by("-year")
    chosen = request.GET.get(YEAR_PARAMETER, "")
    if chosen.isdigit():
        return years.filter(pk=int(chosen)).first()
    return years.filter(targets__isnull=False).first() or years.first()


def _target_categories(year: AssessmentYear):
    """The categories of the year's scheme that may hold target items: all but those holding only veto rules."""
    scored = spec_from_db(year.scheme).score_categories
    return RuleCategory.objects.filter(scheme_id=year.scheme_id, code__in=scored).order_by("order", "id")


def _year_departments(year: AssessmentYear):
    return Department.objects.filter(year_entries__year=year).order_by("year_entries__order", "id")


class YearFilter(admin.RelatedFieldListFilter):
    """The year, newest first."""

    def field_choices(self, field, request, model_admin):
        return [(year.pk, str(year)) for year in AssessmentYear.objects.order_by("-year")]


class YearDepartmentFilter(ManyChoicesRelatedFilter):
    """The departments of the year in view, in the year's order (a drop-down past 30 of them)."""

    def field_choices(self, field, request, model_admin):
        year = _year_of_request(request)
        return [] if year is None else [(d.pk, d.name) for d in _year_departments(year)]


class YearCategoryFilter(admin.RelatedFieldListFilter):
    """The categories of the year in view that may hold target items."""

    def field_choices(self, field, request, model_admin):
        year = _year_of_request(request)
        return [] if year is None else [(c.pk, str(c)) for c in _target_categories(year)]


def _field_errors(form: forms.BaseForm, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """A service's ValidationError on the form, each message next to its field (`fields` renames them); a field
    that failed already keeps its own message."""
    failed = set(form.errors)
    for field, messages_of in exc.message_dict.items():
        field = (fields or {}).get(field, field)
        if field in failed:
            continue
        for message in messages_of:
            form.add_error(field if field in form.fields else None, message)


# ---------------------------------------------------------------------------------------------------------
# 目标项目: the allotment


class TargetForm(forms.ModelForm):
    """A target item: the year's departments and the categories of its scheme that may hold targets; the rules
    of docs/scoring.md §7 through services.target_validate, each message next to its field."""

    class Meta:
        model = Target
        fields = ["year", "department", "category", "code", "name", "points", "order"]

    class Media:
        js = ["reviews/ledger_year.js"]  # a new target: choosing the year reloads the form with its choices

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "department" not in self.fields:  # a read-only view
            return
        year = self._year()
        if self.instance.pk:
            self.fields["year"].disabled = True
        if year is None:
            self.fields["department"].queryset = Department.objects.none()
            self.fields["category"].queryset = RuleCategory.objects.none()
        else:
            self.fields["department"].queryset = _year_departments(year)
            self.fields["category"].queryset = _target_categories(year)
            if not self.instance.pk and not self.is_bound:
                self.initial.setdefault("year", year.pk)
        self.fields["department"].help_text = "只列出参加该年度考核的部室。"
        self.fields["category"].help_text = "只列出该年度考核方案中可设立目标项目的类别（否决项目类别除外）。"
        self.fields["order"].required = False
        self.fields["order"].help_text = "留空则排在该年度已有目标项目之后。"
        if not self.instance.pk:
            self.initial.pop("order", None)

    def _year(self) -> AssessmentYear | None:
        if self.instance.pk:
            return self.instance.year
        raw: Any = self.data.get(self.add_prefix("year")) or self.initial.get("year")
        if raw:
            return AssessmentYear.objects.select_related("scheme").filter(pk=getattr(raw, "pk", raw)).first()
        return _open_years().order_by("-year").first()

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year") or (self.instance.year if self.instance.pk else None)
        if year is None or "year" in self.errors:
            return cleaned
        if year.is_frozen:
            raise ValidationError(f"{year}已审定，数据只读。")
        try:
            services.target_validate(
                year=year,
                department=cleaned.get("department"),
                category=cleaned.get("category"),
                code=cleaned.get("code") or "",
                name=cleaned.get("name") or "",
                points=cleaned.get("points"),
                exclude=self.instance if self.instance.pk else None,
            )
        except ValidationError as exc:
            _field_errors(self, exc)
        return cleaned


class TargetImportForm(forms.Form):
    year = forms.ModelChoiceField(label="年度", queryset=_open_years().order_by("-year"))
    file = forms.FileField(label="目标项目 Excel 文件", help_text="按“目标项目导入模板.xlsx”填写的 .xlsx 文件。")

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.KAOHE_IMPORT_MAX_BYTES
        if file.size > limit:
            raise ValidationError(f"文件超过 {limit // (1 << 20)} MB，请分批导入。")
        return file


class _ReviewGroupAdmin(admin.ModelAdmin):
    """Seen by the review group and leadership (staff accounts); written by those `may_write` allows, in a year
    whose phase allows the ledger's writes."""

    def may_write(self, user) -> bool:
        raise NotImplementedError

    def has_module_permission(self, request):
        return access.sees_all_departments(request.user) and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return access.sees_all_departments(request.user) and request.user.is_staff

    def has_add_permission(self, request):
        return self.may_write(request.user) and request.user.is_staff

    def has_change_permission(self, request, obj=None):
        if not (self.may_write(request.user) and request.user.is_staff):
            return False
        return obj is None or year_allows(obj.year, "ledger")

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class TargetAdmin(FrozenYearMixin, _ReviewGroupAdmin):
    form = TargetForm
    change_list_template = "admin/reviews/target/change_list.html"
    list_display = ["code", "name", "department", "category", "points", "records_link", "year_number"]
    list_display_links = ["code", "name"]
    list_filter = [("year", YearFilter), ("department", YearDepartmentFilter), ("category", YearCategoryFilter)]
    list_select_related = ["department", "category", "year"]
    search_fields = ["code", "name", "department__name"]
    ordering = ["-year__year", "order", "id"]
    list_per_page = 100

    class Media:
        css = {"all": ["css/kaohe-admin.css"]}

    def may_write(self, user) -> bool:
        return access.may_enter_targets(user)

    @admin.display(description="年度", ordering="year__year")
    def year_number(self, obj):
        return obj.year.year

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(record_count=Count("records"))

    def get_list_display(self, request):
        # Who may record against the targets gets a link to a new record on each row.
        shown = super().get_list_display(request)
        if access.may_record_target(request.user):
            return shown
        return [name if name != "records_link" else "records_count" for name in shown]

    @admin.display(description="扣分记录", ordering="record_count")
    def records_link(self, obj):
        added = reverse("admin:reviews_targetrecord_add") + f"?target={obj.pk}"
        return format_html('<span class="kh-nowrap">{} · <a href="{}">录入</a></span>', self.records_count(obj), added)

    @admin.display(description="扣分记录", ordering="record_count")
    def records_count(self, obj):
        listed = (
            reverse("admin:reviews_targetrecord_changelist")
            + f"?{YEAR_PARAMETER}={obj.year_id}&target__id__exact={obj.pk}"
        )
        return format_html('<a href="{}">{} 条</a>', listed, obj.record_count)

    def changelist_view(self, request, extra_context=None):
        year = _year_of_request(request)
        extra_context = {
            **(extra_context or {}),
            "targets_year": year,
            "can_import": access.may_enter_targets(request.user) and request.user.is_staff,
        }
        if year is not None:
            extra_context["allotment_problems"] = target_allotment_problems(year)
            extra_context["allotment_full_score"] = year.scheme.full_score
            extra_context["year_has_targets"] = year.targets.exists()
        return super().changelist_view(request, extra_context)

    # --- writes go through the services ---------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        values = {
            "department": data["department"],
            "category": data["category"],
            "code": data["code"],
            "name": data["name"],
            "points": data["points"],
            "order": data.get("order"),
        }
        saved = (
            services.target_update(target=obj, **values)
            if change
            else services.target_create(year=data["year"], **values)
        )
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def delete_model(self, request, obj):
        services.target_delete(target=obj)

    def delete_queryset(self, request, queryset):
        for target in queryset.select_related("year"):
            if not self.has_delete_permission(request, target):
                raise PermissionDenied
            services.target_delete(target=target)

    # --- the Excel template and import -----------------------------------------------------------------
    def get_urls(self):
        own = [
            path("import/", self._entering(self.import_view), name="scoring_target_import"),
            path(
                "import/template/<int:year_id>/",
                self.admin_site.admin_view(self.template_view),
                name="scoring_target_template",
            ),
        ]
        return own + super().get_urls()

    def _entering(self, view):
        """An admin view for those who may enter targets only: anyone else signed in is refused (403), not sent
        to the admin's login page."""
        admin_view = self.admin_site.admin_view(view)

        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(
                    request.get_full_path(), reverse("admin:login", current_app=self.admin_site.name)
                )
            if not (access.may_enter_targets(request.user) and request.user.is_staff):
                raise PermissionDenied
            return admin_view(request, *args, **kwargs)

        return guarded

    def import_view(self, request: HttpRequest) -> HttpResponse:
        errors: list[tuple[int, str]] = []
        year = _year_of_request(request)
        if request.method == "POST":
            form = TargetImportForm(request.POST, request.FILES)
            if form.is_valid():
                year = form.cleaned_data["year"]
                try:
                    created = targets_import(year=year, data=form.cleaned_data["file"].read(), user=request.user)
                except SheetRowsError as exc:
                    errors = exc.errors
                    self.message_user(request, f"导入失败：{len(errors)} 处错误，未导入任何目标项目。", messages.ERROR)
                except ValidationError as exc:
                    self.message_user(request, "；".join(exc.messages), messages.ERROR)
                else:
                    self.message_user(request, f"已导入 {len(created)} 个目标项目。", messages.SUCCESS)
                    changelist = reverse("admin:scoring_target_changelist")
                    return HttpResponseRedirect(f"{changelist}?{YEAR_PARAMETER}={year.pk}")
        else:
            open_year = year if year is not None and not year.is_frozen else None
            form = TargetImportForm(initial={"year": open_year})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "从 Excel 导入目标项目",
            "form": form,
            "errors": errors,
            "template_year": year,
        }
        return TemplateResponse(request, "admin/reviews/target/import.html", context)

    def template_view(self, request, year_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = get_object_or_404(AssessmentYear.objects.select_related("scheme"), pk=year_id)
        response = HttpResponse(targets_template(year), content_type=XLSX)
        return attachment(response, download_name("目标项目导入模板", "xlsx", year=year.year))


# ---------------------------------------------------------------------------------------------------------
# 目标项目记录: deductions and 立项工作没有开展 against the allotment


class TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year.year} · {obj.department.name} · {obj}"


class TargetRecordForm(forms.ModelForm):
    """A record against a target item of an open year; the rules of docs/scoring.md §7
    (`engine.target_record_problems`, through services.target_record_validate), each message next to its field."""

    target = TargetChoiceField(
        label="目标项目",
        queryset=Target.objects.none(),
        help_text="只列出未审定年度的目标项目。",
    )

    class Meta:
        model = TargetRecord
        fields = ["target", "date", "points", "not_started", "reason", "description"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "target" not in self.fields:  # a read-only view
            return
        targets = Target.objects.select_related("year", "department", "category").order_by(
            "-year__year", "department__order", "order", "id"
        )
        if self.instance.pk:
            self.fields["target"].queryset = targets.filter(year_id=self.instance.year_id)
        else:
            self.fields["target"].queryset = targets.exclude(year__phase__in=AssessmentYear.FROZEN_PHASES)
            chosen = self.initial.get("target")
            target = targets.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
            if target is not None and not self.is_bound:
                # A record of a past year (the demo's, an import's) is dated in that year.
                today = datetime.date.today()
                self.initial["date"] = (
                    today if today.year == target.year.year else datetime.date(target.year.year, 12, 31)
                )
        self.fields["points"].help_text = "扣分（大于 0，最多两位小数）；注明立项工作没有开展时不填。"
        self.fields["reason"].required = False  # checked with the other rules below, next to its field

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        if target is None:
            return cleaned
        if target.year.is_frozen:
            raise ValidationError(f"{target.year}已审定，数据只读。")
        try:
            services.target_record_validate(
                target=target,
                date=cleaned.get("date"),
                points=cleaned.get("points"),
                not_started=bool(cleaned.get("not_started")),
                reason=cleaned.get("reason") or "",
                description=cleaned.get("description") or "",
            )
        except ValidationError as exc:
            _field_errors(self, exc)
        return cleaned


class TargetRecordAdmin(FrozenYearMixin, _ReviewGroupAdmin, ReadOnlyHistoryAdmin):
    form = TargetRecordForm
    list_display = ["date", "target_label", "department_name", "deduction", "reason", "recorder"]
    list_display_links = ["date", "target_label"]
    list_filter = [("year", YearFilter), ("target__department", YearDepartmentFilter), "not_started"]
    list_select_related = ["target", "target__department", "recorded_by"]
    search_fields = ["reason", "description", "target__code", "target__name"]
    readonly_fields = ["recorded_by", "recorded_at", "updated_at"]
    list_per_page = 50

    def may_write(self, user) -> bool:
        return access.may_record_target(user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.may_record_target(request.user, obj.target))

    def get_fieldsets(self, request, obj=None):
        main = ["target", "date", "points", "not_started", "reason", "description"]
        if obj is None:
            return [(None, {"fields": main})]
        return [(None, {"fields": main}), ("录入", {"fields": ["recorded_by", "recorded_at", "updated_at"]})]

    @admin.display(description="目标项目", ordering="target__code")
    def target_label(self, obj):
        return f"{obj.target.code} {obj.target.name}"

    @admin.display(description="部室", ordering="target__department__order")
    def department_name(self, obj):
        return obj.target.department.name

    @admin.display(description="录入人", ordering="recorded_by")
    def recorder(self, obj):
        return obj.recorder_name

    @admin.display(description="扣分")
    def deduction(self, obj):
        if obj.not_started:
            return f"未开展（扣 {obj.target.points.normalize():f}）"
        return f"{obj.points.normalize():f}" if obj.points is not None else "-"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        values = {
            "target": data["target"],
            "date": data["date"],
            "points": data.get("points"),
            "not_started": bool(data.get("not_started")),
            "reason": data.get("reason") or "",
            "description": data.get("description") or "",
        }
        if change:
            saved = services.target_record_update(record=obj, **values)
        else:
            saved = services.target_record_create(recorded_by=request.user, **values)
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def delete_model(self, request, obj):
        services.target_record_delete(record=obj)

    def delete_queryset(self, request, queryset):
        for record in queryset.select_related("year"):
            if not self.has_delete_permission(request, record):
                raise PermissionDenied
            services.target_record_delete(record=record)


admin.site.register(Target, TargetAdmin)
admin.site.register(TargetRecord, TargetRecordAdmin)
