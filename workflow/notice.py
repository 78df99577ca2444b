"""The 通报 (PDF, official-notice style) and the awards table, both read from an approval's snapshot only,
so they never change after approval whatever happens to the live data or the scheme."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from departments.models import Organisation
from scoring.engine import AWARD_LABELS
from workflow.models import Approval

TIER_ORDER = ("first", "second", "discretionary")


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_date(approval: Approval) -> datetime.date:
    if approval.announced_at is not None:
        return timezone.localdate(approval.announced_at)
    return approval.meeting_date


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


def notice_context(approval: Approval) -> dict[str, Any]:
    snapshot = approval.snapshot
    result = snapshot["result"]
    rule_text = {r["code"]: r["text"] for r in snapshot["scheme"]["rules"]}
    departments = result["departments"]
    prizes = [(AWARD_LABELS[tier], [d["name"] for d in departments if d["award"] == tier]) for tier in TIER_ORDER]
    vetoes = [
        (d["name"], [f"{code} {rule_text.get(code, '')}" for code in d["veto_rules"]])
        for d in departments
        if d["vetoed"]
    ]
    year = snapshot["case"]["year"]
    organisation = Organisation.current()
    issued = notice_date(approval)
    return {
        "organisation": organisation,
        # The number itself is written in by hand until the 通报 is numbered in Kaohe.
        "document_number": f"{organisation.document_prefix}〔{issued.year}〕　号"
        if organisation.document_prefix
        else "",
        "year": year,
        "title": f"关于{year}年度机关各部室创先争优绩效考核结果的通报",
        # The year-end PDF cites the same title (reports.data.YearReport.regulation); the scheme of an approved
        # year is read-only, so it is the title the year was approved under.
        "regulation": approval.year.scheme.regulation,
        "approval": approval,
        "meeting_date": chinese_date(approval.meeting_date),
        "date": chinese_date(issued),
        "departments": departments,
        "award_labels": AWARD_LABELS,
        "prizes": [(label, names) for label, names in prizes if names],
        "vetoes": vetoes,
        "holds_democratic": any(d["democratic_score"] is not None for d in departments),
        **awards_table(approval),
    }


def notice_html(approval: Approval) -> str:
    return render_to_string("workflow/notice_pdf.html", notice_context(approval))


def notice_pdf(approval: Approval) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 — slow to import: only when a PDF is asked for

    return HTML(string=notice_html(approval), base_url=str(settings.BASE_DIR)).write_pdf()
