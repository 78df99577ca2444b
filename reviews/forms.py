"""Forms of the ledger admin: validate and normalise only; writes go through reviews.services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

import access
from departments.models import Department
from kaohe.files import evidence_check
from reviews.models import LedgerRecord
from reviews.services import record_validate
from reviews.widgets import DepartmentsSelect
from scoring.models import AssessmentYear, Rule


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class LedgerRecordForm(forms.ModelForm):
    """The add/change form: offers only the rules the user may record, follows the rule's requirements
    (engine.record_problems via services.record_validate) and carries the version for optimistic locking."""

    # Not the model's `departments` (a through relation the admin cannot edit): services write the links.
    target_departments = forms.ModelMultipleChoiceField(
        label="部室",
        queryset=Department.objects.filter(is_active=True),
        help_text="加分项目涉及多个部室时可选多个（表彰类按规定各得一半分值）；其他项目只能选一个部室。",
        widget=DepartmentsSelect("部室", is_stacked=False),
    )
    evidence_files = MultipleFileField(
        label="佐证材料",
        required=False,
        help_text="PDF、JPEG/PNG 图片或 Word/Excel/WPS 文档，可多选。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LedgerRecord
        fields = ["year", "rule", "date", "quantity", "level", "points", "exempt", "reason", "description"]

    class Media:
        js = ["reviews/ledger_year.js"]  # a new record: choosing the year reloads the form with its rules

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # In a read-only view the admin removes every field; there is nothing to prepare.
        if "rule" not in self.fields:
            return
        if self.instance.pk:
            links = self.instance.record_departments.all()
            self.fields["target_departments"].initial = [link.department_id for link in links]
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
            self.fields["year"].disabled = True
        self.fields["year"].queryset = AssessmentYear.objects.select_related("scheme")
        year = self._year()
        if year is not None:
            self.fields["rule"].queryset = access.recordable_rules(user, year)
            if not self.instance.pk and not self.is_bound:
                today = datetime.date.today()
                self.initial.setdefault("year", year.pk)
                self.initial.setdefault("date", today if today.year == year.year else datetime.date(year.year, 12, 31))
        else:
            self.fields["rule"].queryset = Rule.objects.none()
        self.fields["rule"].help_text = "只列出您负责录入的考核项目。"

    def _year(self) -> AssessmentYear | None:
        if self.instance.pk:
            return self.instance.year
        raw: Any = self.data.get(self.add_prefix("year")) or self.initial.get("year")
        if raw:
            return AssessmentYear.objects.select_related("scheme").filter(pk=getattr(raw, "pk", raw)).first()
        return (
            AssessmentYear.objects.select_related("scheme")
            .exclude(phase__in=["approved", "announced", "archived"])
            .order_by("-year")
            .first()
        )

    def _current_version(self) -> int | None:
        """The record's version now. Inside a transaction (the admin saves in one) the row stays locked until it
        ends: a concurrent save of the same record waits here, then sees the new version and gets this form's
        message — rather than passing and failing later in the service's conditional update (a 500 found by
        `make soak DB=postgres`; SQLite serialises the two saves anyway)."""
        records = LedgerRecord.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            records = records.select_for_update()
        return records.values_list("version", flat=True).first()

    def clean_evidence_files(self):
        files = self.cleaned_data.get("evidence_files") or []
        errors = []
        for upload in files:
            try:
                evidence_check(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year") or (self.instance.year if self.instance.pk else None)
        rule = cleaned.get("rule")
        departments = list(cleaned.get("target_departments") or [])
        if year is not None and year.is_frozen:
            raise ValidationError(f"{year}已审定，数据只读。")
        if self.instance.pk and cleaned.get("version") is not None and cleaned["version"] != self._current_version():
            raise ValidationError("该记录已被他人修改（您打开的是旧版本），请刷新页面后重新修改。")
        date = cleaned.get("date")
        if year is not None and date is not None and date.year != year.year:
            self.add_error("date", f"发生日期须在 {year.year} 年内。")
        if rule is None or year is None or "year" in self.errors:
            return cleaned
        if not access.may_record_rule(self.user, rule):
            self.add_error("rule", f"您无权录入 {rule.code}（负责录入：{rule.recorder_label or '考核小组组长'}）。")
            return cleaned
        # The rule's requirements are checked even when another field is wrong, each message next to its
        # field; a field that already failed keeps its own message (its value is missing here). Checked here,
        # the reason of an exempt record is never left to the database constraint behind it.
        failed = set(self.errors)
        try:
            record_validate(
                year=year,
                rule=rule,
                departments=departments,
                quantity=cleaned.get("quantity") or 0,
                points=cleaned.get("points"),
                level=cleaned.get("level") or "",
                exempt=bool(cleaned.get("exempt")),
                reason=cleaned.get("reason") or "",
                description=cleaned.get("description") or "",
                exclude_record=self.instance if self.instance.pk else None,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                field = "target_departments" if field == "departments" else field
                if field in failed:
                    continue
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class LedgerImportForm(forms.Form):
    year = forms.ModelChoiceField(label="年度", queryset=AssessmentYear.objects.select_related("scheme"))
    file = forms.FileField(label="台帐 Excel 文件", help_text="按“台帐导入模板.xlsx”填写的 .xlsx 文件。")

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year.is_frozen:
            raise ValidationError(f"{year}已审定，数据只读。")
        return year

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.KAOHE_IMPORT_MAX_BYTES
        if file.size > limit:
            raise ValidationError(f"文件超过 {limit // (1 << 20)} MB，请分批导入。")
        return file
