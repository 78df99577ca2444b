"""The roster in the admin, for the system administrator only (access.may_manage_roster): its people, the Excel
template, import and export, and login accounts created from it."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

import access
from kaohe.confirm import confirmation_page
from kaohe.xlsx import SheetRowsError
from people.models import Person
from people.services import accounts_create, accounts_problems
from people.xlsx import XLSX, roster_export, roster_import, roster_template


class RosterImportForm(forms.Form):
    file = forms.FileField(label="人员名册 Excel 文件", help_text="按“人员名册模板.xlsx”填写的 .xlsx 文件。")

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.KAOHE_IMPORT_MAX_BYTES
        if file.size > limit:
            raise ValidationError(f"文件超过 {limit // (1 << 20)} MB，请分批导入。")
        return file


def _download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    change_list_template = "admin/people/person/change_list.html"
    list_display = ["name", "department", "position", "phone", "email", "is_active", "username", "account_role", "user"]
    list_display_links = ["name"]
    list_filter = ["department", "is_active", "position", "account_role"]
    list_select_related = ["department", "user"]
    search_fields = ["name", "phone", "email", "username"]
    fields = [
        "name",
        "department",
        "position",
        "phone",
        "email",
        "is_active",
        "username",
        "account_role",
        "user",
        "must_change_password",
        "order",
    ]
    raw_id_fields = ["user"]
    actions = ["accounts_create_action"]
    list_per_page = 100

    # Only the system administrator sees and edits the roster.
    def has_module_permission(self, request):
        return access.may_manage_roster(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_manage_roster(request.user)

    def has_add_permission(self, request):
        return access.may_manage_roster(request.user)

    def has_change_permission(self, request, obj=None):
        return access.may_manage_roster(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.may_manage_roster(request.user)

    def get_urls(self):
        own = [
            path("import/", self._roster(self.import_view), name="people_person_import"),
            path("export/", self._roster(self.export_view), name="people_person_export"),
            path("template/", self._roster(self.template_view), name="people_person_template"),
        ]
        return own + super().get_urls()

    def _roster(self, view):
        """An admin view for the roster's manager only: anyone else signed in is refused (403)."""
        admin_view = self.admin_site.admin_view(view)

        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(
                    request.get_full_path(), reverse("admin:login", current_app=self.admin_site.name)
                )
            if not access.may_manage_roster(request.user):
                raise PermissionDenied
            return admin_view(request, *args, **kwargs)

        return guarded

    def import_view(self, request: HttpRequest) -> HttpResponse:
        errors: list[tuple[int, str]] = []
        if request.method == "POST":
            form = RosterImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    imported = roster_import(form.cleaned_data["file"].read())
                except SheetRowsError as exc:
                    errors = exc.errors
                    self.message_user(request, f"导入失败：{len(errors)} 处错误，名册未作任何修改。", messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"已导入人员名册：新增 {imported.added} 人，更新 {imported.updated} 人。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:people_person_changelist"))
        else:
            form = RosterImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "从 Excel 导入人员名册",
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/people/person/import.html", context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return _download(roster_export(), "人员名册.xlsx")

    def template_view(self, request: HttpRequest) -> HttpResponse:
        return _download(roster_template(), "人员名册模板.xlsx")

    @admin.action(description="为所选人员创建登录账号")
    def accounts_create_action(self, request, queryset):
        if not access.may_manage_roster(request.user):
            raise PermissionDenied
        people = list(queryset.select_related("department", "user"))
        problems = accounts_problems(people)
        if problems:
            for problem in problems:
                self.message_user(request, problem, messages.ERROR)
            self.message_user(request, "未创建任何账号。", messages.ERROR)
            return None
        page = confirmation_page(
            request,
            title="由名册创建登录账号",
            consequences=[
                f"为 {len(people)} 人创建登录账号：{'、'.join(p.name for p in people)}；",
                "每个账号获得名册中的账号角色，并设一个随机初始密码，只在下一页显示一次；",
                "账号首次登录后须先修改初始密码。",
            ],
            button="创建账号",
            back=reverse("admin:people_person_changelist"),
        )
        if page is not None:
            return page
        try:
            created = accounts_create(people)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "已创建登录账号",
            "created": created,
        }
        response = TemplateResponse(request, "admin/people/person/accounts_created.html", context)
        response["Cache-Control"] = "no-store"
        return response
