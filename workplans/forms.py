"""Forms of the monthly-work and self-assessment pages: they validate and normalise; workplans.services does the
writing."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from departments.models import Department
from kaohe.widgets import DateInput
from scoring import engine
from scoring.models import Rule, RuleLevel
from workplans.models import PlanItem


class ReportTextForm(forms.Form):
    summary_text = forms.CharField(
        label="本月工作小结", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    plan_text = forms.CharField(
        label="下月工作计划说明", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class PlanItemForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label="工作事项", max_length=200)
    content = forms.CharField(label="工作内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label="完成时限", widget=DateInput())


PlanItemFormSet = forms.formset_factory(PlanItemForm, extra=2, can_delete=True, max_num=30, validate_max=True)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="完成情况", choices=[("", "请选择")] + PlanItem.Outcome.choices, required=False)
    cause = forms.ChoiceField(label="原因", choices=[("", "—")] + PlanItem.Cause.choices, required=False)
    note = forms.CharField(label="说明", required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if data.get("outcome") in (PlanItem.Outcome.DELAYED, PlanItem.Outcome.NOT_DONE) and not data.get("cause"):
            self.add_error("cause", "延期或未完成须选择原因。")
        if data.get("outcome") == PlanItem.Outcome.DONE and data.get("cause"):
            self.add_error("cause", "已完成的事项不需选择原因。")
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(label="审阅意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DismissForm(forms.Form):
    reason = forms.CharField(label="不予扣分理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class SelfAssessmentForm(forms.Form):
    """The deduction items of the scheme, one row each: count, how many exempt, T3 points, reason.

    Field names are `<code>-quantity` etc.; `rows` pairs each rule with its bound fields for the template.
    """

    summary = forms.CharField(label="自评总结", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, rules: list[Rule], specs: Mapping[str, engine.RuleSpec], **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.specs = specs
        for rule in rules:
            max_quantity = 1 if rule.annual else 999
            self.fields[f"{rule.code}-quantity"] = forms.IntegerField(
                label=f"{rule.code} 次数", min_value=0, max_value=max_quantity, initial=0, required=False
            )
            self.fields[f"{rule.code}-exempt"] = forms.IntegerField(
                label=f"{rule.code} 其中申请免扣", min_value=0, max_value=max_quantity, initial=0, required=False
            )
            if rule.kind == Rule.Kind.DISCRETIONARY:
                # The range is the core's rule (engine.record_problems, in clean), stated once, with its message.
                self.fields[f"{rule.code}-points"] = forms.DecimalField(
                    label=f"{rule.code} 每次扣分", max_digits=5, decimal_places=2, required=False
                )
            self.fields[f"{rule.code}-reason"] = forms.CharField(
                label=f"{rule.code} 说明/理由", required=False, max_length=1000
            )

    @property
    def rows(self):
        for rule in self.rules:
            code = rule.code
            yield {
                "rule": rule,
                "quantity": self[f"{code}-quantity"],
                "exempt": self[f"{code}-exempt"],
                "points": self[f"{code}-points"] if f"{code}-points" in self.fields else None,
                "reason": self[f"{code}-reason"],
            }

    def clean(self):
        data = super().clean()
        for rule in self.rules:
            code = rule.code
            quantity = data.get(f"{code}-quantity") or 0
            exempt = data.get(f"{code}-exempt") or 0
            data[f"{code}-quantity"], data[f"{code}-exempt"] = quantity, exempt
            if not quantity:
                continue
            if exempt > quantity:
                self.add_error(f"{code}-exempt", "申请免扣的次数不能多于发生次数。")
                continue
            points = data.get(f"{code}-points")
            reason = data.get(f"{code}-reason") or ""
            spec = self.specs[code]
            # The per-record rules of the one core (engine.record_problems), for the counted and the exempt part.
            parts = [(quantity - exempt, False), (exempt, True)]
            for part_quantity, exempt_part in parts:
                if not part_quantity:
                    continue
                record = engine.RecordInput(
                    rule=code,
                    departments=("本部室",),
                    quantity=part_quantity if not rule.annual else 1,
                    points=points,
                    exempt=exempt_part,
                    reason=reason,
                )
                for field, message in engine.record_problems(spec, record):
                    target = {"points": "points", "reason": "reason"}.get(field, "quantity")
                    name = f"{code}-{target}"
                    # A field its own validation refused has no value here: "须填写" would contradict its error.
                    if name in self.fields and name not in self.errors:
                        self.add_error(name, message)
        return data


class BonusClaimForm(forms.Form):
    rule = forms.ModelChoiceField(label="加分项目", queryset=Rule.objects.none())
    level = forms.ChoiceField(label="级别", choices=())
    title = forms.CharField(label="表彰/交流/评比名称", max_length=200)
    shared_with = forms.ModelMultipleChoiceField(
        label="共同获得的其他部室（如有）",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, rules, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["rule"].label_from_instance = lambda r: f"{r.code} {r.short_text}"
        self.fields["shared_with"].queryset = departments
        levels: dict[str, str] = {}
        for level in RuleLevel.objects.filter(rule__in=rules).order_by("order", "id"):
            levels.setdefault(level.code, level.name)
        self.fields["level"].choices = list(levels.items())

    def clean(self):
        data = super().clean()
        rule, level = data.get("rule"), data.get("level")
        if rule is not None and level and level not in rule.level_points():
            names = "、".join(name for _, name in rule.level_choices())
            self.add_error("level", f"{rule.code} 的级别为：{names}")
        return data


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料（PDF、图片或 Word）")
