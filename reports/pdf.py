"""The year-end PDF (年度考核结果报告) and a department's own section, as bytes.

A large year is laid out in parts: the cover, the long tables (ranking, awards, democratic statistics)
`ROWS_PER_PART` rows at a time, the department sections in groups of at most `DEPARTMENTS_PER_PART` sections and
about `ROWS_PER_PART` ledger rows. Each part is written
to PDF as soon as it is laid out and the parts are then concatenated (pypdf), so that only one part's layout is
ever in memory (WeasyPrint keeps a document's whole layout until it writes it: 2,000 departments' tables in one
document took 1.6 GB), and a large year reports progress part by part. Page numbers continue across the parts
(each part's first page counter is set to where the last one ended). WeasyPrint and pypdf are imported inside
the functions: their import is slow and most requests never need them.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfWriter

from reports import charts
from reports.data import ROLE_LABELS, CategoryRow, DepartmentSection, YearReport, category_rows, year_report
from reports.templatetags.reports_format import yuan
from scoring import engine
from scoring.models import AssessmentYear

Progress = Callable[[int, str], None]
DEPARTMENTS_PER_PART = 20
# A long table is laid out this many rows per part: 17 to 21 pages. With 2,000 departments the year-end PDF
# then peaks at about 420 MB (1.6 GB as one document); fewer, larger parts would save little time.
ROWS_PER_PART = 500


def _noop(percent: int, step: str) -> None:
    pass


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


# Full-width punctuation (CJK symbols, full-width forms): Chinese text sets no space beside it.
_FULL_WIDTH = "\u3000-\u303f\uff00-\uffef"
_AFTER_FULL_WIDTH = re.compile(f"([{_FULL_WIDTH}])[ \t\r\n]+")
_BEFORE_FULL_WIDTH = re.compile(f"[ \t\r\n]*\n[ \t\r\n]*(?=[{_FULL_WIDTH}])")


def cjk_spacing(html: str) -> str:
    """The HTML without the spaces that a template's line breaks leave after full-width punctuation (and, where a
    line ends before one, before it): "办法》，\n  2023年度" would print "办法》， 2023年度"."""
    return _BEFORE_FULL_WIDTH.sub("", _AFTER_FULL_WIDTH.sub(r"\1", html))


# What a draft (a year not yet approved) prints at the top of every page.
DRAFT_MARK = "审定前稿"


class _Renderer:
    """Lays out HTML parts with one shared font configuration, continues the page numbers, and writes each part
    to PDF as soon as it is laid out."""

    def __init__(self, title: str, *, draft: bool = False):
        from weasyprint import CSS  # noqa: PLC0415 — slow to import: only when a PDF is built
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

        self.title = title
        self.draft = draft
        self.fonts = FontConfiguration()
        self.css = CSS(string=render_to_string("reports/pdf/report.css"), font_config=self.fonts)
        self.parts: list[bytes] = []
        self.pages = 0

    @engine.gc_paused
    def add(self, html: str, *, left: str, right: str) -> None:
        """Lay out and write one part; `left` and `right` are the running header of its pages (not on the cover).

        With the cyclic collector paused: a part's layout is millions of objects that live until it is written,
        and the collector's passes over them took a fifth of the time (2,000 departments: 68–75 → 53–57 s).
        """
        from weasyprint import CSS, HTML  # noqa: PLC0415 — slow to import: only when a PDF is built

        draft = f"@page {{ @top-center {{ content: {_css_string(DRAFT_MARK)}; }} }}" if self.draft else ""
        per_part = CSS(
            string=(
                f"@page {{ @top-left {{ content: {_css_string(left)}; }}"
                f" @top-right {{ content: {_css_string(right)}; }} }}"
                f"@page:first {{ counter-reset: page {self.pages + 1}; }}{draft}"
            ),
            font_config=self.fonts,
        )
        document = HTML(string=cjk_spacing(html)).render(stylesheets=[self.css, per_part], font_config=self.fonts)
        document.metadata.title = self.title
        document.metadata.authors = ["考核系统"]
        self.pages += len(document.pages)
        self.parts.append(document.write_pdf())

    def pdf(self) -> bytes:
        """The parts as one PDF, with their bookmarks."""
        if len(self.parts) == 1:
            return self.parts[0]

        writer = PdfWriter()
        for part in self.parts:
            writer.append(io.BytesIO(part))
        writer.add_metadata({"/Title": self.title, "/Author": "考核系统"})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


@dataclasses.dataclass(frozen=True)
class _Chunk:
    """Some rows of a long table: whether they are its first and its last, and how far into it they end."""

    rows: Sequence[Any]
    first: bool
    last: bool
    end: int
    total: int

    def step(self, label: str) -> str:
        return label if self.first and self.last else f"{label} {self.end} / {self.total}"


def _chunks(rows: Sequence[Any], size: int) -> list[_Chunk]:
    starts = range(0, len(rows), size) if rows else [0]
    return [
        _Chunk(rows[i : i + size], i == 0, i + size >= len(rows), min(i + size, len(rows)), len(rows)) for i in starts
    ]


@dataclasses.dataclass(frozen=True)
class _Piece:
    """One template of `year_part.html` and what it lays out; `step` is the progress shown once it is laid out."""

    template: str
    step: str
    chunk: _Chunk | None = None
    sections: list | None = None
    first_chunk: bool = False
    page_break: bool = True  # starts a new page, unless it is the first piece of its part
    rows: int = 0  # how much it lays out, in table rows

    @classmethod
    def table(cls, template: str, label: str, chunk: _Chunk, **kwargs) -> _Piece:
        return cls(template, chunk.step(label), chunk=chunk, rows=len(chunk.rows), **kwargs)


# What a department section lays out besides its ledger rows (its facts and its categories), in table rows.
SECTION_ROWS = 10


def _section_rows(section: DepartmentSection) -> int:
    return SECTION_ROWS + len(section.rows) + len(section.result.targets) + len(section.target_rows)


def _section_groups(sections: list[DepartmentSection], most: int, rows: int) -> list[list[DepartmentSection]]:
    """The department sections in order, in groups of at most `most` sections and, but for a section larger on
    its own, at most `rows` rows."""
    groups: list[list[DepartmentSection]] = []
    weight = 0
    for section in sections:
        size = _section_rows(section)
        if not groups or len(groups[-1]) == most or weight + size > rows:
            groups.append([])
            weight = 0
        groups[-1].append(section)
        weight += size
    return groups


def _category_rows(report: YearReport, section: DepartmentSection) -> list[tuple[CategoryRow, int]]:
    """Each category's counted points (with what a cap left out) and its number of records."""
    counts: dict[str, int] = {}
    for line in section.result.lines:
        counts[line.category] = counts.get(line.category, 0) + 1
    rows = category_rows(report.data.scheme, report.result.categories, section.result)
    return [(row, counts.get(row.code, 0)) for row in rows]


def _leader_rows(report: YearReport) -> list[dict]:
    per_capita = {d.name: d.per_capita for d in report.result.departments}
    rows = []
    for leader in report.result.leaders:
        if leader.role == engine.ROLE_VICE_CHAIR:
            basis = "、".join(f"{name}（{yuan(per_capita.get(name))}）" for name in leader.supervises)
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
                    "name": r.name,  # on every row: a department's rows may still break across pages
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
    return {"report": report, "organisation": report.organisation, "doc_title": report.title, **extra}


# The score chart of the year-end report draws at most this many departments (the ranking table lists all).
CHART_DEPARTMENTS_MAX = 100


def democratic_table(report: YearReport) -> tuple[list, int]:
    """The rows of the democratic-evaluation table (per department and group of raters, the entered scores, or
    none), and how many rows each department has. Also what `make bench`'s PDF floor renders."""
    dem = report.democratic
    if dem.source == "scores":
        return list(dem.rows), 1
    if dem.source == "none" or not dem.ballots:
        return [], 1
    return _democratic_rows(report), max(1, len(dem.groups))


def year_pdf_render(
    report: YearReport,
    *,
    progress: Progress = _noop,
    per_part: int = DEPARTMENTS_PER_PART,
    rows_per_part: int = ROWS_PER_PART,
) -> bytes:
    """The whole year-end report of an already loaded year.

    A year that fits one part (at most `per_part` department sections, and `rows_per_part` table rows in all) is
    laid out as one document, the fastest. A larger one piece by piece, each piece its own part, with progress
    after each: the cover, each table's chunks, the department sections in groups within the same limits.
    """
    sections = report.sections
    departments = report.result.departments
    context = _context(
        report,
        score_charts=charts.final_score_charts(
            departments[:CHART_DEPARTMENTS_MAX], charts.PRINT, report.data.scheme.full_score
        ),
        charted=min(len(departments), CHART_DEPARTMENTS_MAX),
        category_chart=charts.category_chart(report.category_totals),
        leader_rows=_leader_rows(report),
        grade_points=list(report.data.settings.grade_points.items()),
    )

    pieces = [_Piece("reports/pdf/_cover.html", "已排版封面")]
    for chunk in _chunks(departments, rows_per_part):
        pieces.append(_Piece.table("reports/pdf/_summary.html", "已排版考核结果汇总", chunk))
    if report.sections_omitted:
        pieces.append(_Piece("reports/pdf/_omitted.html", "已排版各部室考核情况"))
    offset = 0
    for group in _section_groups(sections, per_part, rows_per_part):
        numbered = [(offset + i + 1, s, _category_rows(report, s)) for i, s in enumerate(group)]
        step = f"已排版部室 {offset + len(group)} / {len(sections)}"
        size = sum(_section_rows(s) for s in group)
        pieces.append(
            _Piece("reports/pdf/_departments.html", step, sections=numbered, first_chunk=offset == 0, rows=size)
        )
        offset += len(group)
    for chunk in _chunks(departments, rows_per_part):
        pieces.append(_Piece.table("reports/pdf/_awards.html", "已排版奖励核发", chunk))
    rows, per_department = democratic_table(report)
    # A department's rows (one per group of raters) stay in one part.
    for chunk in _chunks(rows, max(1, rows_per_part // per_department) * per_department):
        # In a one-part report the statistics follow the awards on the same page.
        pieces.append(
            _Piece.table("reports/pdf/_democratic.html", "已排版民主测评统计", chunk, page_break=not chunk.first)
        )

    one_part = len(sections) <= per_part and sum(p.rows for p in pieces) <= rows_per_part
    parts = [pieces] if one_part else [[piece] for piece in pieces]
    renderer = _Renderer(report.title, draft=not report.is_final)
    for done, part in enumerate(parts, start=1):
        renderer.add(
            render_to_string("reports/pdf/year_part.html", {**context, "pieces": part}),
            left=report.organisation.masthead,
            right=report.title,
        )
        progress(10 + done * 80 // len(parts), "已排版全部内容" if one_part else part[0].step)
    progress(92, "正在生成 PDF 文件")
    return renderer.pdf()


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
    title = f"{report.year.year}年度考核结果 · {department_name}"
    renderer = _Renderer(title, draft=not report.is_final)
    renderer.add(
        render_to_string(
            "reports/pdf/department.html",
            {
                "report": report,
                "organisation": report.organisation,
                "doc_title": title,
                "section": section,
                "category_rows": _category_rows(report, section),
                "nobreak": True,
            },
        ),
        left=report.organisation.masthead,
        right=title,
    )
    return renderer.pdf()
