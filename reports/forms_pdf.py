"""Printable forms of one department: the 年度考核自评表 and the monthly plans and summaries (PDF).

Their data belongs to the self-assessment app (workplans); without it, or without a filled form, the self-assessment
prints blank for filling in by hand and the plans say that there are none.
"""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from departments.models import Department, Organisation
from reports.data import target_totals
from reports.pdf import _Renderer
from results.cache import year_scored
from results.loader import year_input
from scoring import engine
from scoring.models import AssessmentYear
from workplans.models import MonthlyReport, PlanItem
from workplans.selectors import self_assessments, self_result


def _render(template: str, context: dict, title: str) -> bytes:
    renderer = _Renderer(title)
    organisation = Organisation.current()
    html = render_to_string(
        template, {**context, "organisation": organisation, "doc_title": title, "today": timezone.localdate()}
    )
    renderer.add(html, left=organisation.masthead, right=title)
    return renderer.pdf()


def _supervisor(data: engine.YearInput, name: str) -> str:
    return next((x.name for x in data.leaders if name in x.supervises), "")


def self_assessment_pdf(year: AssessmentYear, department: Department) -> bytes:
    """The department's 年度考核自评表: its target items (allotted, and earned so far by the ledger), every rule
    item with its declaration, bonus claims, self-score, summary."""
    data = year_input(year)
    scored = year_scored(year)
    ledger = next((d for d in scored.result.departments if d.name == department.name), None)
    targets = [(t, data.scheme.category_name(t.category)) for t in ledger.targets] if ledger else []
    headcount = next((d.headcount for d in data.departments if d.name == department.name), None)
    assessment = declarations = claims = None
    own = None
    assessment = self_assessments(year).filter(department=department).first()
    if assessment is not None:
        own = self_result(assessment, data)
        declarations = {d.rule.code: d for d in assessment.declarations.all()}
        claims = list(assessment.claims.all())
    points: dict[str, Decimal] = {}
    if own is not None:
        for line in own.lines:
            points[line.rule] = points.get(line.rule, engine.ZERO) + line.points
    rows = []
    for code, name in data.scheme.categories:
        for rule in data.scheme.rules.values():
            if rule.category != code or rule.kind == engine.KIND_BONUS:
                continue
            declared = (declarations or {}).get(rule.code)
            rows.append(
                {
                    "category": name,
                    "rule": rule,
                    "standard": _standard(rule),
                    "quantity": declared.quantity if declared else None,
                    "exempt": declared.exempt_quantity if declared else None,
                    "points": points.get(rule.code) if own is not None else None,
                    "reason": declared.reason if declared else "",
                }
            )
    claim_rows = [
        {
            "rule": c.rule.code,
            "title": c.title,
            "level": c.level_name,
            "shared": "、".join(d.name for d in c.shared_with.all()),
            "evidence": len(c.evidence.all()),
        }
        for c in claims or []
    ]
    title = f"{year.year}年度考核自评表 · {department.name}"
    context = {
        "year": year,
        "department": department,
        "headcount": headcount,
        "supervisor": _supervisor(data, department.name),
        "assessment": assessment,
        "rows": rows,
        "claims": claim_rows,
        "bonus_points": sum(
            (p for code, p in points.items() if data.scheme.rules[code].kind == engine.KIND_BONUS), engine.ZERO
        ),
        "own": own,
        "full_score": data.scheme.full_score,
        "targets": targets,
        "target_totals": target_totals(ledger) if ledger and targets else None,
    }
    return _render("reports/pdf/self_assessment.html", context, title)


def _standard(rule: engine.RuleSpec) -> str:
    if rule.kind == engine.KIND_VETO:
        return "否决"
    if rule.kind == engine.KIND_DISCRETIONARY:
        return f"酌情扣 0～{rule.max_points} 分"
    suffix = "（年度项目）" if rule.annual else ""
    return f"扣 {rule.points} 分{suffix}"


def monthly_plans_pdf(year: AssessmentYear, department: Department) -> bytes:
    """The department's monthly summaries and plans of the year, with outcomes and the vice chair's comments."""
    data = year_input(year)
    items_by_month: dict[int, list[PlanItem]] = {}
    for item in (
        PlanItem.objects.filter(plan_report__year=year, plan_report__department=department)
        .select_related("plan_report")
        .order_by("month", "order", "id")
    ):
        items_by_month.setdefault(item.month, []).append(item)
    reports = [
        {
            "report": report,
            "done_items": items_by_month.get(report.month, []),
            "next_items": [i for i in items_by_month.get(report.month + 1, []) if i.plan_report_id == report.pk],
        }
        for report in MonthlyReport.objects.filter(year=year, department=department)
        .select_related("submitted_by", "reviewed_by")
        .order_by("month")
    ]
    title = f"{year.year}年度月度工作计划和小结 · {department.name}"
    context = {
        "year": year,
        "department": department,
        "supervisor": _supervisor(data, department.name),
        "reports": reports,
    }
    return _render("reports/pdf/monthly_plans.html", context, title)
