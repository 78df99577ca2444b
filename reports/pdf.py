"""The year-end PDF (年度考核结果报告) and a department's own section, as bytes.

The document is laid out in parts (front matter, departments in chunks, awards and statistics) that are merged
into one PDF: a large year then reports progress part by part, and no single layout grows with the whole year.
Page numbers continue across the parts (each part's first page counter is set to where the last one ended).
WeasyPrint is imported inside the functions: its import is slow and most requests never need it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string

from reports import charts
from reports.data import ROLE_LABELS, DepartmentSection, YearReport, year_report
from reports.templatetags.reports_format import money
from scoring import engine
from scoring.models import AssessmentYear

Progress = Callable[[int, str], None]
DEPARTMENTS_PER_PART = 20


def _noop(percent: int, step: str) -> None:
    pass


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


class _Renderer:
    """Lays out HTML parts with one shared font configuration and continues the page numbers."""

    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()
        self.css = CSS(string=render_to_string("reports/pdf/report.css"), font_config=self.fonts)
        self.documents = []
        self.pages = 0

    def add(self, html: str, *, left: str, right: str) -> None:
        """Lay out one part; `left` and `right` are the running header of its pages (not on the cover)."""
        from weasyprint import CSS, HTML

        per_part = CSS(
            string=(
                f"@page {{ @top-left {{ content: {_css_string(left)}; }}"
                f" @top-right {{ content: {_css_string(right)}; }} }}"
                f"@page:first {{ counter-reset: page {self.pages + 1}; }}"
            ),
            font_config=self.fonts,
        )
        document = HTML(string=html).render(stylesheets=[self.css, per_part], font_config=self.fonts)
        self.pages += len(document.pages)
        self.documents.append(document)

    def pdf(self, title: str) -> bytes:
        pages = [page for document in self.documents for page in document.pages]
        merged = self.documents[0].copy(pages)
        merged.metadata.title = title
        merged.metadata.authors = ["考核系统"]
        return merged.write_pdf()


def _category_rows(report: YearReport, section: DepartmentSection) -> list[tuple[str, str, Decimal, int]]:
    counts: dict[str, int] = {}
    for line in section.result.lines:
        counts[line.category] = counts.get(line.category, 0) + 1
    return [
        (code, name, section.result.by_category.get(code, engine.ZERO), counts.get(code, 0))
        for code, name in report.result.categories
    ]


def _leader_rows(report: YearReport) -> list[dict]:
    per_capita = {d.name: d.per_capita for d in report.result.departments}
    rows = []
    for leader in report.result.leaders:
        if leader.role == engine.ROLE_VICE_CHAIR:
            basis = "、".join(f"{name}（{money(per_capita.get(name))}）" for name in leader.supervises)
        else:
            basis = "副主席考核奖的平均数：" + "、".join(x.name for x in report.vice_chairs)
        rows.append(
            {
                "name": leader.name,
                "role": ROLE_LABELS.get(leader.role, leader.role),
                "basis": basis,
                "award": leader.award,
            }
        )
    return rows


def _democratic_rows(report: YearReport) -> list[dict]:
    dem = report.democratic
    rows = []
    for r in dem.rows:
        groups = list(dem.groups) or [""]
        for i, group in enumerate(groups):
            counts = r.counts.get(group, {})
            rows.append(
                {
                    "name": r.name if i == 0 else "",
                    "group": group,
                    "counts": [counts.get(g, 0) for g in dem.grades],
                    "total": sum(counts.values()),
                    "mean": r.group_means.get(group),
                    "score": r.score,
                    "first": i == 0,
                }
            )
    return rows


def _context(report: YearReport, **extra) -> dict:
    return {"report": report, "federation": report.federation, "doc_title": report.title, **extra}


# The score chart of the year-end report draws at most this many departments (the ranking table lists all).
CHART_DEPARTMENTS_MAX = 100


def year_pdf_render(report: YearReport, *, progress: Progress = _noop, per_part: int = DEPARTMENTS_PER_PART) -> bytes:
    """The whole year-end report of an already loaded year.

    A year with up to `per_part` departments is laid out as one document (fastest); a larger one in parts:
    front matter, the departments `per_part` at a time, then awards and statistics, with progress after each.
    """
    sections = report.sections
    context = _context(
        report,
        score_charts=charts.final_score_charts(report.result.departments[:CHART_DEPARTMENTS_MAX]),
        charted=min(len(report.result.departments), CHART_DEPARTMENTS_MAX),
        category_chart=charts.category_chart(report.category_totals),
        leader_rows=_leader_rows(report),
        democratic_rows=_democratic_rows(report),
        grade_points=list(report.data.settings.grade_points.items()),
        self_assessment_available=report.self_assessment_available,
    )

    def numbered(offset: int, chunk: list[DepartmentSection]) -> list:
        return [(offset + i + 1, s, _category_rows(report, s)) for i, s in enumerate(chunk)]

    if len(sections) <= per_part:
        plan = [{"front": True, "sections": numbered(0, sections), "first_chunk": True, "back": True}]
        steps = ["已排版全部内容"]
    else:
        plan = [{"front": True}]
        steps = ["已排版封面、汇总表和图示"]
        for offset in range(0, len(sections), per_part):
            chunk = sections[offset : offset + per_part]
            plan.append({"sections": numbered(offset, chunk), "first_chunk": offset == 0})
            steps.append(f"已排版部室 {offset + len(chunk)} / {len(sections)}")
        plan.append({"back": True})
        steps.append("已排版奖励核发和民主测评统计")

    renderer = _Renderer()
    for done, (part, step) in enumerate(zip(plan, steps, strict=True), start=1):
        renderer.add(
            render_to_string("reports/pdf/year_part.html", {**context, **part}),
            left=report.federation,
            right=report.title,
        )
        progress(10 + done * 80 // len(plan), step)
    progress(92, "正在生成 PDF 文件")
    return renderer.pdf(report.title)


def build_pdf(year: int | AssessmentYear, *, progress: Progress = _noop) -> bytes:
    """The year-end PDF of a year, from the database (also what `make bench` measures)."""
    progress(2, "正在读取考核数据")
    report = year_report(
        year, ledger_rows_max=settings.KAOHE_PDF_LEDGER_ROWS_MAX, sections_max=settings.KAOHE_PDF_SECTIONS_MAX
    )
    progress(10, "正在排版")
    data = year_pdf_render(report, progress=progress)
    progress(100, "已完成")
    return data


def build_department_pdf(year: int | AssessmentYear, department_name: str) -> bytes:
    """One department's section of the year-end report (what its head may download once published)."""
    report = year_report(year, departments={department_name})
    section = report.sections[0]
    renderer = _Renderer()
    title = f"{report.year.year}年度考核结果 · {department_name}"
    renderer.add(
        render_to_string(
            "reports/pdf/department.html",
            {
                "report": report,
                "federation": report.federation,
                "doc_title": title,
                "section": section,
                "category_rows": _category_rows(report, section),
                "self_assessment_available": report.self_assessment_available,
                "nobreak": True,
            },
        ),
        left=report.federation,
        right=title,
    )
    return renderer.pdf(title)
