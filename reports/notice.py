"""The 通报: an official document in the layout of GB/T 9704-2012 (党政机关公文格式), and the awards table.

One `reports.models.Notice` per year holds what people write: its title, opening and closing text, 发文字号, 主送,
抄送, 印发机关 and 印发日期. The review lead generates it from the year's approval (`notice_draft`), edits it
(`notice_save`); announcing the year freezes it and fixes its 成文日期 (`notice_freeze`, on
`workflow.signals.year_announced`). The results in it — the ranking, the prizes, the vetoes, the awards — are never
text: they are drawn from the approval's snapshot, which no later change of the live data or the scheme touches.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

import access
from departments.models import Organisation
from reports.models import Notice
from scoring.engine import AWARD_LABELS
from scoring.models import AssessmentYear
from workflow.models import Approval

TIER_ORDER = ("first", "second", "discretionary")
DEFAULT_CLOSING = (
    "希望受到奖励的部室再接再厉，再创佳绩；其他部室要对照考核中发现的问题认真整改，进一步提高工作质量和效率，"
    "推动机关各项工作再上新台阶。"
)
FROZEN_MESSAGE = "通报已随考核结果发布，不能再修改。"

# 一、 (黑体) and （一） (楷体) headings at the start of a paragraph of the text (GB/T 9704-2012 7.3.3).
NUMERALS = "一二三四五六七八九十"
FIRST_LEVEL = re.compile(rf"^[{NUMERALS}]+、")
SECOND_LEVEL = re.compile(rf"^（[{NUMERALS}]+）[^。：]*[。：]?")


def chinese_date(day: datetime.date | None) -> str:
    """年、月、日 in full, with no leading zeros (GB/T 9704-2012 7.3.5); blank places on a draft."""
    if day is None:
        return "　　年　月　日"
    return f"{day.year}年{day.month}月{day.day}日"


def approval_current(year: AssessmentYear) -> Approval | None:
    return Approval.objects.filter(year=year, superseded_at__isnull=True).first()


def awards_table(approval: Approval) -> dict[str, Any]:
    """Per department the tier, per-person amount, headcount and total; per leader the award (docs/scoring.md §5)."""
    result = approval.snapshot["result"]
    rows = [
        {
            "rank": d["rank"],
            "name": d["name"],
            "award": d["award"],
            "award_label": AWARD_LABELS[d["award"]],
            "per_capita": Decimal(d["per_capita"]) if d["per_capita"] is not None else None,
            "headcount": d["headcount"],
            "total": Decimal(d["total"]) if d["total"] is not None else None,
            "vetoed": d["vetoed"],
        }
        for d in result["departments"]
    ]
    leaders = [
        {
            "name": x["name"],
            "role": "主席" if x["role"] == "chair" else "副主席",
            "award": Decimal(x["award"]) if x["award"] is not None else None,
        }
        for x in result["leaders"]
    ]
    supervises = {x["name"]: x.get("supervises", []) for x in approval.snapshot["case"].get("leaders", [])}
    for leader in leaders:
        leader["supervises"] = supervises.get(leader["name"], [])
    totals = [r["total"] for r in rows]
    return {
        "award_rows": rows,
        "leader_rows": leaders,
        "department_total": sum(totals, Decimal("0")) if None not in totals else None,
    }


def results_context(approval: Approval) -> dict[str, Any]:
    """The generated parts of the 通报, from the approval's snapshot."""
    snapshot = approval.snapshot
    result = snapshot["result"]
    rule_text = {r["code"]: r["text"] for r in snapshot["scheme"]["rules"]}
    departments = result["departments"]
    prizes = [(AWARD_LABELS[tier], [d["name"] for d in departments if d["award"] == tier]) for tier in TIER_ORDER]
    vetoes = [
        (d["name"], [f"{code} {rule_text.get(code, '')}".strip() for code in d["veto_rules"]])
        for d in departments
        if d["vetoed"]
    ]
    return {
        "departments": departments,
        "award_labels": AWARD_LABELS,
        "prizes": [(label, names) for label, names in prizes if names],
        "vetoes": vetoes,
        "holds_democratic": any(d["democratic_score"] is not None for d in departments),
        **awards_table(approval),
    }


# ---------------------------------------------------------------------------------------------------------
# The record: draft, edits, freezing


def default_title(year: AssessmentYear) -> str:
    """Two lines, the upper shorter (a 梯形, GB/T 9704-2012 7.3.1)."""
    return f"关于{year.year}年度机关各部室\n创先争优绩效考核结果的通报"


def default_opening(year: AssessmentYear, approval: Approval) -> str:
    steps = "部室自评、考核小组评分、民主测评和结果公示"
    if not any(d["democratic_score"] is not None for d in approval.snapshot["result"]["departments"]):
        steps = "部室自评、考核小组评分和结果公示"
    return (
        f"根据《{year.scheme.regulation}》，{year.year}年度机关各部室创先争优绩效考核工作经{steps}，"
        f"已于{chinese_date(approval.meeting_date)}经党组会审定（{approval.minutes_ref}）。现将考核结果通报如下："
    )


def _defaults(year: AssessmentYear, approval: Approval) -> dict[str, Any]:
    organisation = Organisation.current()
    return {
        "title": default_title(year),
        "document_code": organisation.document_prefix,
        "main_recipients": organisation.main_recipients,
        "opening": default_opening(year, approval),
        "closing": DEFAULT_CLOSING,
        "copy_recipients": organisation.copy_recipients,
        "printing_office": organisation.printer,
    }


def notice_of(year: AssessmentYear) -> Notice | None:
    return Notice.objects.filter(year=year).select_related("year__scheme").first()


def notice_document(year: AssessmentYear) -> Notice:
    """The year's 通报 as it stands, or — before the lead generated it — the draft it would be (not saved)."""
    notice = notice_of(year)
    if notice is not None:
        return notice
    approval = approval_current(year)
    if approval is None:
        raise ValidationError(f"{year.year}年度尚未审定，不能生成通报。")
    return Notice(year=year, **_defaults(year, approval))


def _writable(notice: Notice, by) -> None:
    if not access.may_edit_notice(by):
        raise PermissionDenied("只有考核小组组长可以起草和修改通报。")
    if notice.is_frozen:
        raise ValidationError(FROZEN_MESSAGE)


@transaction.atomic
def notice_draft(year: AssessmentYear, by, *, regenerate: bool = False) -> Notice:
    """Generate the year's 通报 from its approval and the organisation's defaults; with `regenerate`, put the
    generated text and defaults back in place of the edited ones (the same record)."""
    locked = AssessmentYear.objects.select_for_update().select_related("scheme").get(pk=year.pk)
    approval = approval_current(locked)
    if approval is None:
        raise ValidationError(f"{locked.year}年度尚未审定，不能生成通报。")
    notice = Notice.objects.select_for_update().filter(year=locked).first()
    if notice is None:
        notice = Notice(year=locked, created_by=by)
    elif not regenerate:
        raise ValidationError(f"{locked.year}年度的通报已经生成。")
    _writable(notice, by)
    for field, value in _defaults(locked, approval).items():
        setattr(notice, field, value)
    notice.document_serial = None
    notice.printed_on = None
    notice.updated_by = by
    notice.save()
    return notice


@transaction.atomic
def notice_save(notice: Notice, by) -> Notice:
    """Save the lead's edits (a form has put them on `notice`); refused once the year is announced."""
    locked_year = AssessmentYear.objects.select_for_update().get(pk=notice.year_id)
    notice.year = locked_year
    _writable(notice, by)
    notice.title = "\n".join(line.strip() for line in notice.title.splitlines() if line.strip())
    notice.full_clean(exclude=["year", "issued_on", "created_by", "updated_by"])
    _number_unused(notice)
    notice.updated_by = by
    notice.save()
    return notice


def _number_unused(notice: Notice) -> None:
    """A 发文字号 numbers one document: no other year's 通报 has the same one."""
    if not notice.document_serial:
        return
    day = number_day(notice, approval_current(notice.year))
    others = (
        Notice.objects.filter(document_code=notice.document_code, document_serial=notice.document_serial)
        .exclude(pk=notice.pk)
        .select_related("year")
    )
    for other in others:
        if number_day(other, approval_current(other.year)).year == day.year:
            number = document_number(notice, day)
            raise ValidationError({"document_serial": f"发文字号{number}已用于{other.year.year}年度的通报。"})


def notice_freeze(sender, year: AssessmentYear, approval: Approval, by, **kwargs) -> Notice:
    """On announcement: the 通报 (generated now if the lead has not) becomes final, dated the day of the
    announcement; its 印发日期 is not before that day."""
    notice = Notice.objects.select_for_update().filter(year=year).first()
    if notice is None:
        notice = Notice(year=year, created_by=by, updated_by=by, **_defaults(year, approval))
    issued = timezone.localdate(approval.announced_at)
    notice.issued_on = issued
    if notice.printed_on is None or notice.printed_on < issued:
        notice.printed_on = issued
    notice.save()
    return notice


def notice_warnings(year: AssessmentYear) -> list[str]:
    """What announcing the year now would publish incomplete."""
    notice = notice_of(year)
    if notice is None:
        return ["考核小组组长尚未起草通报：发布时将按默认文字生成通报，发文字号的顺序号空缺。"]
    if notice.document_code and notice.document_serial is None:
        return ["通报尚未填写发文顺序号，发文字号将留空待手工填写。"]
    return []


# ---------------------------------------------------------------------------------------------------------
# The document


@dataclass(frozen=True)
class Paragraph:
    kind: str  # "h1" (一、 黑体), "h2" (（一） 楷体 lead-in), "p"
    lead: str
    text: str


def paragraphs(text: str) -> list[Paragraph]:
    """The text's paragraphs, one per line, each with its heading level (GB/T 9704-2012 7.3.3)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if FIRST_LEVEL.match(line):
            rows.append(Paragraph("h1", "", line))
        elif match := SECOND_LEVEL.match(line):
            rows.append(Paragraph("h2", match.group(0), line[match.end() :]))
        else:
            rows.append(Paragraph("p", "", line))
    return rows


def document_number(notice: Notice, day: datetime.date) -> str:
    """发文字号: 代字, the year of `day` (the 成文日期) in 〔〕 and the serial with 号 (GB/T 9704-2012 7.2.4); a
    blank serial is left for writing in by hand."""
    code = notice.document_code.strip()
    if not code:
        return ""
    serial = str(notice.document_serial) if notice.document_serial else "　"
    return f"{code}〔{day.year}〕{serial}号"


def number_day(notice: Notice, approval: Approval | None) -> datetime.date:
    """The day whose year the 发文字号 carries: the 成文日期 once frozen; on a draft the 印发日期 if set, else the
    day of the approving meeting."""
    if notice.is_frozen and notice.issued_on:
        return notice.issued_on
    if notice.printed_on:
        return notice.printed_on
    return approval.meeting_date if approval is not None else timezone.localdate()


def masthead_scale(issuer: str) -> dict[str, str]:
    """The red 发文机关标志: characters 22 mm high and 15 mm wide (narrowed); a name too long for the 156 mm text
    width at that size is set smaller, in the same proportions."""
    count = max(len(issuer), 1)
    width = min(15.0, 150.0 / count)
    height = width * 22 / 15
    return {
        "mark_size": f"{height:.2f}mm",
        "mark_scale": f"{15 / 22:.4f}",
        "mark_width": f"{count * height:.1f}mm",
        "mark_offset": f"{(156 - count * height) / 2:.1f}mm",
    }


def notice_context(notice: Notice, approval: Approval) -> dict[str, Any]:
    organisation = Organisation.current()
    year = notice.year
    frozen = notice.is_frozen
    issued = (notice.issued_on or timezone.localdate(approval.announced_at or timezone.now())) if frozen else None
    printed = notice.printed_on or issued
    return {
        "notice": notice,
        "draft": not frozen,
        "organisation": organisation,
        "issuer": organisation.issuer,
        "document_number": document_number(notice, issued or number_day(notice, approval)),
        "year": year.year,
        "title": notice.title.replace("\n", ""),
        "title_lines": [line for line in notice.title.splitlines() if line.strip()],
        "opening": paragraphs(notice.opening),
        "closing": paragraphs(notice.closing),
        "signature": organisation.name,
        "date": chinese_date(issued),
        "printed": chinese_date(printed),
        "copy_recipients": notice.copy_recipients.strip().rstrip("。"),
        "main_recipients": notice.main_recipients.strip().rstrip("：:"),
        "printing_office": notice.printing_office.strip() or organisation.printer,
        "approval": approval,
        **masthead_scale(organisation.issuer),
        **results_context(approval),
    }


def notice_html(notice: Notice, approval: Approval) -> str:
    context = notice_context(notice, approval)
    css = render_to_string("reports/notice/notice.css", context)
    return render_to_string("reports/notice/notice.html", {**context, "css": css})


def notice_pdf(year: AssessmentYear) -> bytes:
    """The year's 通报 as a PDF: the download and `manage.py year_report --notice` both write this."""
    from weasyprint import HTML  # noqa: PLC0415 — slow to import: only when a PDF is asked for

    approval = approval_current(year)
    if approval is None:
        raise ValidationError(f"{year.year}年度尚未审定，没有通报。")
    notice = notice_document(year)
    return HTML(string=notice_html(notice, approval), base_url=str(settings.BASE_DIR)).write_pdf()
