"""Forms of the report pages: they validate; the services decide."""

from __future__ import annotations

from django import forms

from workflow.account import NARRATIVE_MAX_LENGTH


class ReviewAccountForm(forms.Form):
    narrative = forms.CharField(
        label="考核情况说明",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16, "class": "form-control"}),
        help_text="考核小组对本年度考核工作的书面说明（如考核工作开展情况、台帐记录情况、发现的问题和建议）。"
        "每段一行；台帐汇总、异议处理和并列排序由系统按数据生成。年度审定后不能再修改。",
    )
