"""The review group's ledger in the Django admin. Permission hooks carry the responsibility division
(the access package); writes go through reviews.services; the breakdown and the Excel import are admin views."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

import access
from departments.models import Department
from kaohe.admin_filters import PICKER_LINKS_MAX, SELECT_TEMPLATE, options_html, select_choice
from kaohe.admin_history import ReadOnlyHistoryAdmin
from kaohe.downloads import attachment, download_name
from kaohe.links import pk_url
from reports.templatetags.reports_format import points as signed_points
from results.cache import year_scored
from reviews import services
from reviews.changelist import LedgerPaginator
from reviews.forms import LedgerImportForm, LedgerRecordForm
from reviews.imports import ledger_import_request
from reviews.ledger_xlsx import LedgerImportError, ledger_export, ledger_export_year, ledger_import, ledger_template
from reviews.models import Evidence, LedgerImport, LedgerRecord, RecordDepartment, person_label
from reviews.selectors import record_rows
from scoring import engine
from scoring.models import AssessmentYear, Rule, RuleCategory, RuleLevel
from scoring.phases import year_allows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_name(records) -> str:
    """2023年度考核台帐.xlsx for records of one year; 考核台帐.xlsx for several."""
    return download_name("考核台帐", "xlsx", year=ledger_export_year(records))


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:

    return attachment(HttpResponse(data, content_type=XLSX), filename)


class YearFilter(admin.RelatedFieldListFilter):
    """Django's filter of the record's year, its choices (newest first, as the year's own ordering) from the
    years the changelist reads once per request (LedgerRecordAdmin.ledger_years)."""

    def field_choices(self, field, request, model_admin):
        return [(year.pk, str(year)) for year in model_admin.ledger_years(request)]


class CategoryFilter(admin.AllValuesFieldListFilter):
    """Django's filter of the rule's category name, its choices the categories of the year in view's scheme
    (LedgerRecordAdmin.current_year), in their order: another scheme's categories would match none of its
    records."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        year = model_admin.current_year(request)
        categories = RuleCategory.objects.filter(scheme_id=year.scheme_id) if year else RuleCategory.objects.none()
        self.lookup_choices = categories.order_by("order", "id").values_list("name", flat=True)


class DepartmentFilter(admin.SimpleListFilter):
    title = "部室"
    parameter_name = "department"

    def __init__(self, request, params, model, model_admin):
        # The departments of the year in view (the year filter's, else the latest year), in the year's order.
        self.year = model_admin.current_year(request)
        super().__init__(request, params, model, model_admin)
        # Thousands of departments: one drop-down instead of a link (and a query string) per department.
        self.as_select = len(self.lookup_choices) > PICKER_LINKS_MAX
        if self.as_select:
            self.template = SELECT_TEMPLATE

    def lookups(self, request, model_admin):
        return [] if self.year is None else [(str(pk), name) for pk, name in year_departments(self.year)]

    def choices(self, changelist):
        if not self.as_select:
            yield from super().choices(changelist)
            return
        options = year_department_options(self.year, self.value())
        yield select_choice(changelist, self.parameter_name, options)

    def queryset(self, request, queryset):
        if self.value():
            # A subquery rather than a join: no duplicate rows, no DISTINCT over the whole ledger.
            ids = RecordDepartment.objects.filter(department_id=self.value()).values("record_id")
            return queryset.filter(pk__in=ids)
        return queryset


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = readonly_fields = ("download", "summary", "uploader", "uploaded_at")
    verbose_name = "佐证材料"
    verbose_name_plural = "佐证材料（在上方“佐证材料”处上传）"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return access.sees_all_departments(request.user)

    @admin.display(description="类型与大小")
    def summary(self, obj: Evidence):
        return obj.summary

    @admin.display(description="上传人")
    def uploader(self, obj: Evidence):
        user = obj.uploaded_by
        return person_label(user.first_name, user.last_name, user.username) if user else "-"

    @admin.display(description="文件")
    def download(self, obj: Evidence):
        return format_html('<a href="{}">{}</a>', reverse("reviews:evidence", args=[obj.pk]), obj.original_name)


@admin.register(LedgerRecord)
class LedgerRecordAdmin(ReadOnlyHistoryAdmin):
    form = LedgerRecordForm
    change_list_template = "admin/reviews/ledgerrecord/change_list.html"
    list_display = [
        "date",
        "rule_code",
        "department_names",
        "quantity",
        "level_display",
        "points_display",
        "exempt",
        "status_badge",
        "recorder",
        "evidence_count",
    ]
    list_display_links = ["date", "rule_code"]
    list_filter = [
        ("year", YearFilter),
        "status",
        ("rule__category__name", CategoryFilter),
        DepartmentFilter,
        "exempt",
        "rule__kind",
    ]
    search_fields = ["reason", "description", "rule__code"]
    list_select_related = ["rule", "recorded_by"]  # what the columns show; not the year (two JSON fields)
    date_hierarchy = None
    list_per_page = 50
    show_full_result_count = False
    inlines = [EvidenceInline]

    class Media:
        css = {"all": ["css/kaohe-admin.css"]}

    actions = ["confirm_records", "export_xlsx"]
    readonly_fields = ["status", "recorder", "recorded_at", "confirmer", "confirmed_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["year", "rule", "target_departments", "date", "quantity", "level", "points"]}),
        ("免扣与理由", {"fields": ["exempt", "reason", "description"]}),
        ("佐证材料", {"fields": ["evidence_files"]}),
        (
            "状态",
            {
                "fields": [
                    "status",
                    "recorder",
                    "recorded_at",
                    "confirmer",
                    "confirmed_at",
                    "updated_at",
                    "version",
                ]
            },
        ),
    ]

    # A record the user may only read: the form's own fields (departments, uploads) have no model field to
    # show, and the version only serves a save. The departments are shown by name, the files by the inline.
    readonly_fieldsets = [
        (None, {"fields": ["year", "rule", "departments_text", "date", "quantity", "level", "points"]}),
        ("免扣与理由", {"fields": ["exempt", "reason", "description"]}),
        (
            "状态",
            {"fields": ["status", "recorder", "recorded_at", "confirmer", "confirmed_at", "updated_at"]},
        ),
    ]

    # --- the changelist -------------------------------------------------------------------------------
    def get_queryset(self, request):
        evidence = (
            Evidence.objects.filter(record=OuterRef("pk"))
            .order_by()
            .values("record")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("rule", "recorded_by")
            # One query for the page's (or the export's) records' departments, in the order they were linked.
            .prefetch_related(
                Prefetch(
                    "record_departments", queryset=RecordDepartment.objects.select_related("department").order_by("pk")
                )
            )
            .annotate(
                evidence_n=Subquery(evidence, output_field=IntegerField()),
                level_label=Subquery(
                    RuleLevel.objects.filter(rule=OuterRef("rule"), code=OuterRef("level")).values("name")[:1]
                ),
                level_value=Subquery(
                    RuleLevel.objects.filter(rule=OuterRef("rule"), code=OuterRef("level")).values("points")[:1]
                ),
            )
        )

    @admin.display(description="级别", ordering="level")
    def level_display(self, obj):
        return obj.level_label or obj.level or "-"

    @admin.display(description="分值")
    def points_display(self, obj):
        """What the record gives each of its departments, by the core's own rule (engine.record_points)."""
        rule = obj.rule
        if rule.kind == Rule.Kind.VETO:
            return format_html('<span class="kh-veto">{}</span>', "否决")
        spec = engine.RuleSpec(
            code=rule.code,
            category="",
            kind=rule.kind,
            points=rule.points,
            level_points={obj.level: obj.level_value} if obj.level_value is not None else {},
            halve_when_shared=rule.halve_when_shared,
        )
        names = tuple(str(link.department_id) for link in obj.record_departments.all())
        record = engine.RecordInput(
            rule.code, names, obj.quantity, obj.points, obj.level or None, obj.exempt, obj.reason
        )
        if rule.kind == Rule.Kind.BONUS and obj.level_value is None:
            return "-"
        return format_html(
            '<span class="kh-nowrap kh-num">{}</span>', signed_points(engine.record_points(spec, record))
        )

    @admin.display(description="录入人", ordering="recorded_by__first_name")
    def recorder(self, obj):
        return obj.recorder_name if obj.recorded_by_id else "-"

    @admin.display(description="确认人")
    def confirmer(self, obj):
        user = obj.confirmed_by
        return person_label(user.first_name, user.last_name, user.username) if user else "-"

    @admin.display(description="项目", ordering="rule__code")
    def rule_code(self, obj):
        text = obj.rule.text if len(obj.rule.text) <= 14 else obj.rule.text[:13] + "…"
        return format_html('<span class="kh-nowrap" title="{}">{} {}</span>', obj.rule.text, obj.rule.code, text)

    @admin.display(description="部室")
    def department_names(self, obj):
        names = "、".join(link.department.name for link in obj.record_departments.all())
        return format_html('<span class="kh-nowrap">{}</span>', names)

    @admin.display(description="状态", ordering="status")
    def status_badge(self, obj):
        if obj.is_pending:
            return format_html('<strong class="kh-pending">{}</strong>', obj.get_status_display())
        return obj.get_status_display()

    @admin.display(description="佐证")
    def evidence_count(self, obj):
        return obj.evidence_n or 0

    def changelist_view(self, request, extra_context=None):
        year = self.current_year(request)
        extra_context = extra_context or {}
        if year is not None:
            extra_context.update(_department_picker(year, None))
        extra_context["can_import"] = self.has_add_permission(request) and self.year_in_view_writable(request)
        if not self.year_in_view_writable(request):
            # A frozen year's list offers nothing that would be refused: no add, no import, no delete.
            extra_context["has_add_permission"] = False
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_history": access.may_read_history(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def year_in_view_writable(self, request) -> bool:
        year = self.current_year(request)
        return year is None or year_allows(year, "ledger")

    def ledger_years(self, request) -> list[AssessmentYear]:
        """Every year, newest first, read once per request: the year in view, the year filter's choices and the
        key of the record count (LedgerPaginator) all come from this one query."""
        if not hasattr(request, "_ledger_years"):
            request._ledger_years = list(AssessmentYear.objects.select_related("scheme").order_by("-year"))
        return request._ledger_years

    def current_year(self, request) -> AssessmentYear | None:
        """The year in view: the year filter's, else the latest."""
        years = self.ledger_years(request)
        chosen = request.GET.get("year__id__exact")
        if chosen and chosen.isdigit():
            return next((year for year in years if year.pk == int(chosen)), None)
        return years[0] if years else None

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        versions = sorted((year.pk, year.data_version) for year in self.ledger_years(request))
        return LedgerPaginator(queryset, per_page, orphans, allow_empty_first_page, versions=tuple(versions))

    # --- permissions: the responsibility division ----------------------------------------------------
    def has_module_permission(self, request):
        return access.sees_all_departments(request.user) and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return access.sees_all_departments(request.user) and request.user.is_staff

    def has_add_permission(self, request):
        return access.is_reviewer(request.user) and request.user.is_staff

    def has_change_permission(self, request, obj=None):
        if not (access.is_reviewer(request.user) and request.user.is_staff):
            return False
        if obj is None:
            return True
        return year_allows(obj.year, "ledger") and access.may_record_rule(request.user, obj.rule)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class FormWithUser(form_class):
            def __init__(self, *args, **kw):
                kw["user"] = user
                super().__init__(*args, **kw)

        return FormWithUser

    def get_changeform_initial_data(self, request):
        # "Add" from a changelist filtered by year: the new record's year (and so its rules) is that year.
        # Otherwise the current year: the latest whose ledger is open.
        initial = super().get_changeform_initial_data(request)
        if "year" not in initial:
            filters = QueryDict(request.GET.get("_changelist_filters", ""))
            chosen = filters.get("year__id__exact", "")
            if chosen.isdigit():
                initial["year"] = chosen
            else:
                open_years = [year for year in self.ledger_years(request) if year_allows(year, "ledger")]
                if open_years:
                    initial["year"] = str(open_years[0].pk)
        return initial

    def get_inline_instances(self, request, obj=None):
        # Evidence is uploaded through the form's file field; the list of files only exists once saved.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [fs for fs in self.fieldsets if fs[0] != "状态"]
        if not self.has_change_permission(request, obj):
            return self.readonly_fieldsets
        return self.fieldsets

    @admin.display(description="部室")
    def departments_text(self, obj):
        return "、".join(link.department.name for link in obj.record_departments.all())

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            # Django's view-only page makes every field read-only itself; a past version's page asks here.
            return flatten_fieldsets(self.readonly_fieldsets)
        return self.readonly_fields if obj is not None else []

    # --- writes go through the services ---------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        departments = list(data["target_departments"])
        values = {
            "rule": data["rule"],
            "departments": departments,
            "date": data["date"],
            "quantity": data["quantity"],
            "points": data.get("points"),
            "level": data.get("level") or "",
            "exempt": bool(data.get("exempt")),
            "reason": data.get("reason") or "",
            "description": data.get("description") or "",
        }
        pending = access.needs_confirmation(request.user, departments)
        if change:
            record = services.ledger_record_update(
                record=obj,
                expected_version=data["version"],
                status=LedgerRecord.Status.PENDING if pending else None,
                **values,
            )
        else:
            record = services.ledger_record_create(
                year=data["year"],
                recorded_by=request.user,
                status=LedgerRecord.Status.PENDING if pending else LedgerRecord.Status.CONFIRMED,
                **values,
            )
        for upload in data.get("evidence_files") or []:
            services.evidence_attach(record=record, upload=upload, uploaded_by=request.user)
        obj.pk = record.pk
        obj.__dict__.update({k: v for k, v in record.__dict__.items() if not k.startswith("_")})
        if pending:
            messages.warning(request, "该记录涉及您所在科室，状态为“待确认”，经考核小组组长确认后计分。")

    def save_related(self, request, form, formsets, change):
        # Department links and evidence are written by save_model through the services; the evidence
        # inline is read-only, so its formset has nothing to save.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        services.ledger_record_delete(record=obj)

    def delete_queryset(self, request, queryset):
        for record in queryset.select_related("year"):
            if not self.has_delete_permission(request, record):
                raise PermissionDenied
            services.ledger_record_delete(record=record)

    # --- actions --------------------------------------------------------------------------------------
    @admin.action(description="确认所选待确认记录（考核小组组长）")
    def confirm_records(self, request, queryset):
        if not access.is_review_lead(request.user):
            raise PermissionDenied
        done = 0
        for record in queryset.filter(status=LedgerRecord.Status.PENDING).select_related("year"):
            try:
                services.ledger_record_confirm(record=record, confirmed_by=request.user)
            except ValidationError as exc:
                self.message_user(request, "；".join(exc.messages), messages.ERROR)
                return
            done += 1
        self.message_user(request, f"已确认 {done} 条记录。", messages.SUCCESS)

    @admin.action(description="导出所选记录到 Excel")
    def export_xlsx(self, request, queryset):
        return _xlsx_response(ledger_export(queryset), _export_name(queryset))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.is_review_lead(request.user):
            actions.pop("confirm_records", None)
        if not access.is_reviewer(request.user) or not self.year_in_view_writable(request):
            actions.pop("delete_selected", None)
        if not self.year_in_view_writable(request):
            actions.pop("confirm_records", None)
        return actions

    # --- extra admin views ----------------------------------------------------------------------------
    def get_urls(self):
        own = [
            path(
                "breakdown/<int:year_id>/<int:department_id>/",
                self.admin_site.admin_view(self.breakdown_view),
                name="reviews_ledgerrecord_breakdown",
            ),
            path(
                "breakdown/<int:year_id>/",
                self.admin_site.admin_view(self.breakdown_pick_view),
                name="reviews_ledgerrecord_breakdown_pick",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="reviews_ledgerrecord_import"),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="reviews_ledgerrecord_import_job",
            ),
            path(
                "import/template/<int:year_id>/",
                self.admin_site.admin_view(self.template_view),
                name="reviews_ledgerrecord_template",
            ),
            path("export/", self.admin_site.admin_view(self.export_view), name="reviews_ledgerrecord_export"),
        ]
        return own + super().get_urls()

    def breakdown_view(self, request, year_id: int, department_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = get_object_or_404(AssessmentYear.objects.select_related("scheme"), pk=year_id)
        department = get_object_or_404(Department, pk=department_id)
        scored = year_scored(year)
        result = scored.result
        try:
            dept_result = scored.explained(department)
        except KeyError:
            dept_result = None
        records = record_rows(year, department)
        change_url = pk_url("admin:reviews_ledgerrecord_change")
        categories = []
        if dept_result is not None:
            by_category: dict[str, list] = {}
            for line in dept_result.lines:
                record = records.get(line.key)
                if record is not None:
                    by_category.setdefault(line.category, []).append((record, line, change_url(record.pk)))
            for code, name in result.categories:
                rows = sorted(by_category.get(code, []), key=lambda row: (row[0].date, row[0].pk))
                categories.append(
                    {"code": code, "name": name, "rows": rows, "total": dept_result.by_category.get(code)}
                )
            # Categories that hold only veto rules carry no points (not in result.categories): their records
            # are listed after the others, without a total.
            scored_codes = {code for code, _ in result.categories}
            for code, name in scored.input.scheme.categories:
                if code not in scored_codes and by_category.get(code):
                    categories.append({"code": code, "name": name, "rows": by_category[code], "total": None})
        pending = [(r, change_url(r.pk)) for r in records.values() if r.is_pending]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "media": self.media,
            "title": f"{year} · {department.name} 考核明细",
            "year": year,
            "department": department,
            "result": dept_result,
            "categories": categories,
            "pending": pending,
            **_department_picker(year, department.pk),
        }
        return TemplateResponse(request, "admin/reviews/ledgerrecord/breakdown.html", context)

    def breakdown_pick_view(self, request, year_id: int):
        """The department drop-down of a large year leads here: on to that department's breakdown."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = get_object_or_404(AssessmentYear, pk=year_id)
        # The search box sends a department's name; a link or an older form its id.
        value = request.GET.get("department", "").strip()
        if not value:
            raise Http404("请输入部室名称。")
        found = Department.objects.filter(year_entries__year=year)
        found = found.filter(pk=int(value)) if value.isdigit() else found.filter(name=value)
        department = found.first()
        if department is None:
            raise Http404(f"{year}没有名为“{value}”的部室。")
        return redirect("admin:reviews_ledgerrecord_breakdown", year.pk, department.pk)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        errors = []
        if request.method == "POST":
            form = LedgerImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size > settings.KAOHE_IMPORT_BACKGROUND_BYTES:
                    job = ledger_import_request(
                        year=form.cleaned_data["year"], data=upload.read(), file_name=upload.name, user=request.user
                    )
                    return HttpResponseRedirect(reverse("admin:reviews_ledgerrecord_import_job", args=[job.pk]))
                try:
                    created = ledger_import(year=form.cleaned_data["year"], data=upload.read(), user=request.user)
                except LedgerImportError as exc:
                    errors = exc.errors
                    self.message_user(request, f"导入失败：{len(errors)} 处错误，未导入任何记录。", messages.ERROR)
                except ValidationError as exc:
                    self.message_user(request, "；".join(exc.messages), messages.ERROR)
                else:
                    pending = sum(1 for r in created if r.is_pending)
                    note = f"，其中 {pending} 条待组长确认" if pending else ""
                    self.message_user(request, f"已导入 {len(created)} 条记录{note}。", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:reviews_ledgerrecord_changelist"))
        else:
            form = LedgerImportForm(initial={"year": self.current_year(request)})
        year = self.current_year(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "从 Excel 导入台帐",
            "form": form,
            "errors": errors,
            "template_year": year,
        }
        return TemplateResponse(request, "admin/reviews/ledgerrecord/import.html", context)

    def import_job_view(self, request, job_id: int):
        """A background import's progress, then its result or its bad rows (the page reloads itself until done)."""
        job = get_object_or_404(LedgerImport.objects.select_related("year"), pk=job_id)
        if not (self.has_add_permission(request) and access.may_see_import(request.user, job)):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"台帐导入：{job.file_name}",
            "job": job,
            "errors": [{"row": row, "message": message} for row, message in job.errors],
        }
        return TemplateResponse(request, "admin/reviews/ledgerrecord/import_job.html", context)

    def template_view(self, request, year_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = get_object_or_404(AssessmentYear, pk=year_id)
        return _xlsx_response(ledger_template(year), download_name("台帐导入模板", "xlsx", year=year.year))

    def export_view(self, request):
        """The filtered changelist (same filters and search as on the page) as Excel."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        records = changelist.get_queryset(request)
        return _xlsx_response(ledger_export(records), _export_name(records))


@functools.lru_cache(maxsize=16)
def _year_departments(year_pk: int, data_version) -> tuple[tuple[int, str], ...]:
    return tuple(
        Department.objects.filter(year_entries__year_id=year_pk)
        .order_by("year_entries__order")
        .values_list("pk", "name")
    )


@functools.lru_cache(maxsize=16)
def _year_department_options(year_pk: int, data_version) -> str:
    return options_html(_year_departments(year_pk, data_version), None)


@functools.lru_cache(maxsize=16)
def _year_department_names(year_pk: int, data_version) -> str:
    return options_html(((name, "") for _, name in _year_departments(year_pk, data_version)), None)


def year_departments(year: AssessmentYear) -> tuple[tuple[int, str], ...]:
    """(pk, name) of the year's departments in their order. Kept per process for the year's data version:
    renaming a department and changing the year's departments both replace it (results.revisions)."""
    return _year_departments(year.pk, year.data_version)


def year_department_options(year: AssessmentYear | None, selected) -> str:
    """The `<option>`s of year_departments, `selected` marked; built once per data version (2,000 of them
    cost about 1 ms each time)."""
    if year is None:
        return ""
    options = _year_department_options(year.pk, year.data_version)
    if selected and str(selected).isdigit():
        chosen = f'<option value="{int(selected)}">'
        options = options.replace(chosen, chosen[:-1] + " selected>", 1)
    return mark_safe(options)


def _department_picker(year: AssessmentYear, current: int | None) -> dict:
    """Context of _department_picker.html: the year's departments (in their order) as links, or past
    PICKER_LINKS_MAX a search box offering their names as one types (a datalist, built once per data version)."""
    departments = year_departments(year)
    if len(departments) <= PICKER_LINKS_MAX:
        return {"picker_year": year, "picker_links": departments, "picker_current": current}
    return {
        "picker_year": year,
        "picker_names": mark_safe(_year_department_names(year.pk, year.data_version)),
        "picker_current_name": next((name for pk, name in departments if pk == current), ""),
        "picker_count": len(departments),
    }


# The target items' admin (目标管理): its own module, registered with the ledger's.
from reviews import admin_targets  # noqa: E402, F401
