"""Forms validate and normalise only; the services decide."""

from __future__ import annotations

from django import forms

from ballots.codes import CODE_LENGTH, MAX_CODES_PER_BATCH
from ballots.models import RaterGroup, Round
from departments.models import Department
from kaohe.widgets import DATETIME_LOCAL_FORMAT, DateTimeLocalInput

ABSTAIN_CHOICE = "abstain"


class RoundForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200)
    closes_at = forms.DateTimeField(
        label="网上测评截止时间",
        widget=DateTimeLocalInput(attrs={"class": "form-control"}),
        input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
    )


class GroupForm(forms.Form):
    name = forms.CharField(label="群体名称", max_length=50, required=False)
    planned_count = forms.IntegerField(label="应参评人数", min_value=1, required=False)
    weight = forms.DecimalField(label="权重", min_value=0, max_value=1, max_digits=5, decimal_places=4, required=False)
    by_department = forms.BooleanField(label="按部室发码", required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("planned_count"):
            self.add_error("planned_count", "请填写应参评人数。")
        return data


GroupFormSet = forms.formset_factory(GroupForm, extra=0)


class CodesForm(forms.Form):
    group = forms.ModelChoiceField(label="测评人群体", queryset=RaterGroup.objects.none(), empty_label=None)
    department = forms.ModelChoiceField(
        label="测评人所在部室", queryset=Department.objects.none(), required=False, help_text="“按部室发码”的群体必选。"
    )
    count = forms.IntegerField(
        label="数量",
        min_value=1,
        max_value=MAX_CODES_PER_BATCH,
        required=False,
        help_text="按部室发码时留空，则按人员名册中该部室的在职人数生成。",
    )

    def __init__(self, *args, round: Round, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = round.groups.all()  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["department"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
            pk__in=[d.pk for d in departments]
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="测评码",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "例如 ABCD-EFGH",
                "class": "form-control-lg text-center",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if len("".join(ch for ch in code if ch.isalnum())) != CODE_LENGTH:
            raise forms.ValidationError(f"测评码为 {CODE_LENGTH} 位字母和数字，请核对后重新输入。")
        return code


class RatingsForm(forms.Form):
    """One required choice per department: a grade or 弃权."""

    def __init__(self, *args, departments: list[Department], grades: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(g, g) for g in grades] + [(ABSTAIN_CHOICE, "弃权")]
        for dept in departments:
            self.fields[f"d{dept.pk}"] = forms.ChoiceField(
                label=dept.name,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"请为“{dept.name}”选择等次或弃权。"},
            )
        self.departments = departments

    def ratings(self) -> dict[int, str | None]:
        return {
            d.pk: None if self.cleaned_data[f"d{d.pk}"] == ABSTAIN_CHOICE else self.cleaned_data[f"d{d.pk}"]
            for d in self.departments
        }

    def rows(self):
        """(department, bound field, chosen label) for the templates."""
        for dept in self.departments:
            field = self[f"d{dept.pk}"]
            value = self.cleaned_data.get(f"d{dept.pk}") if hasattr(self, "cleaned_data") else None
            yield dept, field, "弃权" if value == ABSTAIN_CHOICE else value


class PaperBallotForm(RatingsForm):
    def __init__(self, *args, round: Round, departments: list[Department], grades: list[str], **kwargs):
        super().__init__(*args, departments=departments, grades=grades, **kwargs)
        self.fields["group"] = forms.ModelChoiceField(label="测评人群体", queryset=round.groups.all(), empty_label=None)
        self.fields["voter_department"] = forms.ModelChoiceField(
            label="测评人所在部室",
            required=False,
            empty_label="（未填写）",
            queryset=Department.objects.filter(pk__in=[d.pk for d in departments]),
        )
        for dept in departments:
            self.fields[f"d{dept.pk}"].initial = ABSTAIN_CHOICE


class PaperImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
