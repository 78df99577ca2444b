"""Forms of the year's procedure: they validate and normalise; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from departments.models import Department
from kaohe.widgets import DateInput
from reports.models import Notice
from scoring.models import AssessmentYear
from workflow.models import Objection, Publicity
from workflow.services import DEFAULT_PUBLICITY_DAYS, MEETING_DATE_FUTURE, publicity_running_message


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PhaseMoveForm(forms.Form):
    to = forms.ChoiceField(label="变更为", choices=AssessmentYear.Phase.choices)
    publicity_days = forms.IntegerField(
        label="公示天数",
        min_value=1,
        max_value=60,
        initial=DEFAULT_PUBLICITY_DAYS,
        required=False,
        help_text="进入公示阶段时使用。",
    )


class ObjectionForm(forms.Form):
    reason = forms.CharField(label="异议理由", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    # Django's form metaclass takes declared fields off the class, so the name does not shadow `Form.files`.
    files = MultipleFileField(  # type: ignore[assignment]
        label="证明材料", required=False, help_text="可选，可多选；PDF、图片、Word/Excel/WPS 文档。"
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(label="答复结论", choices=Objection.Decision.choices, widget=forms.RadioSelect)
    answer = forms.CharField(label="答复理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    quantity = forms.IntegerField(label="调整后数量", min_value=1, required=False)
    points = forms.DecimalField(
        label="调整后酌情扣分（每单位）", max_digits=5, decimal_places=2, min_value=0, required=False
    )
    level = forms.ChoiceField(label="调整后级别", choices=(), required=False)
    exempt = forms.BooleanField(label="调整为免于扣分", required=False)
    record_reason = forms.CharField(label="调整后记录理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—"), *levels]
        if not levels:
            del self.fields["level"]

    def adjusted_values(self, record) -> dict:
        """The new record values for 调整: the fields the reviewer filled in, the rest unchanged."""
        data = self.cleaned_data
        values = {}
        if data.get("quantity") is not None:
            values["quantity"] = data["quantity"]
        if data.get("points") is not None:
            values["points"] = data["points"]
        if data.get("level"):
            values["level"] = data["level"]
        if data.get("exempt") != record.exempt:
            values["exempt"] = data.get("exempt", False)
        if (data.get("record_reason") or "").strip():
            values["reason"] = data["record_reason"]
        return values


class TieOrderForm(forms.Form):
    """One tie: the departments best first (one select per place) and the reason."""

    reason = forms.CharField(label="排序理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, tie: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.tie = tie
        choices = [(name, name) for name in tie]
        for i, name in enumerate(tie, start=1):
            self.fields[f"place_{i}"] = forms.ChoiceField(label=f"第 {i} 位", choices=choices, initial=name)

    def clean(self):
        data = super().clean()
        order = [data.get(f"place_{i}") for i in range(1, len(self.tie) + 1)]
        if None not in order and sorted(order) != sorted(self.tie):
            raise forms.ValidationError("每个部室须且只能出现一次。")
        data["order"] = order
        return data


class AwardForm(forms.Form):
    department = forms.CharField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label="人均金额（元）", max_digits=10, decimal_places=2, min_value=0)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ApprovalForm(forms.Form):
    meeting_date = forms.DateField(label="党组会日期", widget=DateInput())
    minutes_ref = forms.CharField(label="会议纪要编号", max_length=100)
    confirm_early = forms.BooleanField(label="公示期尚未结束，仍要审定", required=False)

    def __init__(self, *args, publicity: Publicity | None = None, **kwargs):
        """`publicity`: the year's 公示 while it still runs (services.publicity_running), which approval must
        confirm; without one the confirmation is not asked."""
        super().__init__(*args, **kwargs)
        self.publicity = publicity
        self.today = timezone.localdate()
        self.fields["meeting_date"].widget.attrs["max"] = self.today.isoformat()
        if publicity is None:
            del self.fields["confirm_early"]
        else:
            end = publicity.end
            self.fields["confirm_early"].help_text = f"公示期至{end.year}年{end.month}月{end.day}日结束。"

    def clean_meeting_date(self):
        day = self.cleaned_data["meeting_date"]
        if day > self.today:
            raise forms.ValidationError(MEETING_DATE_FUTURE)
        return day

    def clean(self):
        data = super().clean()
        if self.publicity is not None and not data.get("confirm_early"):
            self.add_error("confirm_early", publicity_running_message(self.publicity))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(label="重新开启理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class NoticeForm(forms.ModelForm):
    """The 通报's text, 版头 and 版记, as the review lead edits them; the result tables are not part of it."""

    class Meta:
        model = Notice
        fields = [
            "title",
            "document_code",
            "document_serial",
            "main_recipients",
            "opening",
            "closing",
            "copy_recipients",
            "printing_office",
            "printed_on",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "opening": forms.Textarea(attrs={"rows": 5}),
            "closing": forms.Textarea(attrs={"rows": 5}),
            "printed_on": DateInput(),
        }
        error_messages = {
            "document_serial": {"invalid": "发文顺序号须为正整数。", "min_value": "发文顺序号须为正整数。"},
        }

    def clean_title(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["title"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("请填写标题。")
        if len(lines) > 3:
            raise forms.ValidationError("标题最多分三行。")
        return "\n".join(lines)

    def _paragraphs(self, name: str) -> str:
        """One paragraph a line, whatever line ends the browser sent, without blank lines."""
        return "\n".join(line.strip() for line in self.cleaned_data[name].splitlines() if line.strip())

    def clean_opening(self) -> str:
        return self._paragraphs("opening")

    def clean_closing(self) -> str:
        return self._paragraphs("closing")

    def clean_document_serial(self) -> int | None:
        serial = self.cleaned_data["document_serial"]
        if serial is not None and serial < 1:
            raise forms.ValidationError("发文顺序号须为正整数。")
        return serial

    def clean(self):
        data = super().clean()
        if data.get("document_serial") and not (data.get("document_code") or "").strip():
            self.add_error("document_code", "填写了发文顺序号，请同时填写发文字号代字。")
        return data


class NewYearForm(forms.Form):
    """The year after a year: its number, title and scheme; the departments are `TakingPartFormSet`."""

    SCHEME_CHOICES = (("copy", "复制为新方案（可在方案设计中修改）"), ("keep", "沿用原方案（规则不变）"))

    year = forms.IntegerField(label="新年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=200, required=False, help_text="留空则为“某某年度”。")
    scheme_action = forms.ChoiceField(
        label="考核方案", choices=SCHEME_CHOICES, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    scheme_code = forms.SlugField(label="新方案代码", max_length=50, required=False)
    scheme_name = forms.CharField(label="新方案名称", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("scheme_action") == "copy":
            for name in ("scheme_code", "scheme_name"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "复制方案时须填写。")
        return data


class TakingPartForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.all(), widget=forms.HiddenInput)
    take_part = forms.BooleanField(label="参评", required=False)
    headcount = forms.IntegerField(label="年末在编人数", min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if data.get("take_part") and not data.get("headcount") and "headcount" not in self.errors:
            self.add_error("headcount", "参评部室须填写年末在编人数。")
        return data


TakingPartFormSet = forms.formset_factory(TakingPartForm, extra=0)
