"""The year-end workbook (年度考核结果.xlsx): 汇总排名, 部室明细, 台帐, 民主测评, 奖励核发, and 目标项目 after 部室明细
when the year has target items (docs/scoring.md §7), and 历年对比 last when an earlier year has been scored.

Streamed with openpyxl's write-only mode, the ledger read from the database in chunks, so that memory stays
flat with the number of records. Every figure is a number in a numeric cell with a number format, taken from
the scoring core's result (the same one the PDF prints). Text that a spreadsheet could take for a formula
(starting with = + - @) is written as plain text with a quote prefix (kaohe.xlsx.text_guard).
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from departments.models import Organisation
from kaohe.xlsx import text_guard
from reports.data import (
    ROLE_LABELS,
    Democratic,
    DiscretionaryDecisions,
    democratic_section,
    discretionary_decisions,
    ledger_rows_streamed,
)
from reports.trends import scored_years, trends
from results.loader import year_get, year_input
from reviews.selectors import target_record_rows
from scoring import engine
from scoring.models import AssessmentYear

Progress = Callable[[int, str], None]

SCORE = "0.00"
MONEY = "#,##0.00"
COUNT = "0"
DATE = "yyyy-mm-dd"
MAX_WIDTH = 60
SHEETS = ("汇总排名", "部室明细", "台帐", "民主测评", "奖励核发")
TARGETS_SHEET = "目标项目"  # after 部室明细, only in a year with target items
TARGET_RECORDS_SHEET = "目标项目记录"  # after 台帐, likewise


def _noop(percent: int, step: str) -> None:
    pass


def display_width(text: str) -> int:
    """Columns a text needs in a spreadsheet: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Sheet:
    """A write-only sheet with one header row: widths fitted to the given values, header frozen, filter on."""

    def __init__(self, workbook, title: str):

        self.ws = workbook.create_sheet(title)
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="F1ECEB")
        self.header_border = Border(bottom=Side(style="thin", color="777777"))
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.bold = Font(bold=True)
        self.rows = 0
        self.columns = 0

    def setup(self, headers: list[str], widths: list[int]) -> None:
        """Column widths must be set before the first row in write-only mode; so must the frozen pane."""

        self.columns = len(headers)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, max(width, 6)) + 2
        self.ws.freeze_panes = "A2"
        self.header(headers)

    def header(self, headers: list[str]) -> None:
        cells = []
        for text in headers:
            cell = self.cell(text)
            cell.font = self.header_font
            cell.fill = self.header_fill
            cell.border = self.header_border
            cells.append(cell)
        self.append(cells)

    def cell(self, value: Any, number_format: str | None = None, *, wrap: bool = False, bold: bool = False):

        cell = text_guard(WriteOnlyCell(self.ws, value=value))  # never a formula (kaohe/xlsx.py)
        if number_format:
            cell.number_format = number_format
        if wrap:
            cell.alignment = self.wrap
        if bold:
            cell.font = self.bold
        return cell

    def append(self, cells: Iterable) -> None:
        self.ws.append(list(cells))
        self.rows += 1

    def filter(self, last_row: int | None = None) -> None:

        end = last_row if last_row is not None else self.rows
        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{max(end, 1)}"


def _fit(headers: list[str], rows: list[list[Any]]) -> list[int]:
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Decimal):
                text = f"{value:,.2f}"
            elif isinstance(value, datetime.date):
                text = "2000-01-01"
            else:
                text = str(value)
            widths[i] = max(widths[i], display_width(text))
    return widths


def _header_text(text: str) -> str:
    """Text for a printed header: "&" starts a code there (&P is the page number), "&&" prints one."""
    return text.replace("&", "&&")


def _award_label(dept: engine.DepartmentResult) -> str:
    return dept.award_label


def _discretionary_label(name: str, decisions: DiscretionaryDecisions) -> str | None:
    if any(name == granted for granted, _ in decisions.granted):
        return "已奖励"
    if name in decisions.refused:
        return "不奖励"
    if name in decisions.undecided:
        return "待决定"
    return None


def _summary_sheet(wb, result: engine.YearResult, decisions: DiscretionaryDecisions) -> None:
    headers = [
        "名次",
        "部室",
        "年末在编人数",
        "扣分合计",
        "加分合计",
        "考核小组评分",
        "民主测评得分",
        "最终得分",
        "否决",
        "否决项目",
        "奖项",
        "人均奖励（元）",
        "奖励合计（元）",
        "酌情奖励决定",
    ]
    rows = [
        [
            d.rank,
            d.name,
            d.headcount,
            d.deductions,
            d.bonuses,
            d.review_score,
            d.democratic_score,
            d.final_score,
            "是" if d.vetoed else "否",
            "、".join(d.veto_rules),
            _award_label(d),
            d.per_capita,
            d.total,
            _discretionary_label(d.name, decisions),
        ]
        for d in result.departments
    ]
    formats = [COUNT, None, COUNT, SCORE, SCORE, SCORE, SCORE, SCORE, None, None, None, MONEY, MONEY, None]
    sheet = _Sheet(wb, "汇总排名")
    sheet.setup(headers, _fit(headers, rows))
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def _details_sheet(wb, result: engine.YearResult, supervisors: dict[str, str]) -> None:
    categories = list(result.categories)
    headers = (
        ["名次", "部室"]
        + [f"{code} {name}" for code, name in categories]
        + ["扣分合计", "加分合计", "考核小组评分", "分管副主席", "台帐记录数"]
    )
    rows = []
    for d in result.departments:
        records = len({line.key for line in d.lines if not line.target})  # target records: sheet 目标项目
        rows.append(
            [d.rank, d.name]
            + [d.by_category.get(code, engine.ZERO) for code, _ in categories]
            + [d.deductions, d.bonuses, d.review_score, supervisors.get(d.name, ""), records]
        )
    formats = [COUNT, None] + [SCORE] * len(categories) + [SCORE, SCORE, SCORE, None, COUNT]
    sheet = _Sheet(wb, "部室明细")
    widths = _fit(headers, rows)
    for i in range(2, 2 + len(categories)):
        widths[i] = min(widths[i], 16)  # long category names wrap in the header instead of widening the sheet
    sheet.setup(headers, widths)
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def _targets_sheet(wb, data: engine.YearInput, result: engine.YearResult) -> None:
    """Every department's target items, in ranking order: 应得分, 扣分 (what the item lost, at most its 应得分:
    扣完为止), 实得分, whether it was not started, and the sum its records deducted before 扣完为止."""
    headers = ["部室", "代码", "目标项目", "类别", "应得分", "扣分", "实得分", "未开展", "记录扣分"]
    rows = [
        [
            d.name,
            t.code,
            t.name,
            data.scheme.category_name(t.category),
            t.points,
            t.shortfall,
            t.earned,
            "是" if t.not_started else "",
            t.deducted,
        ]
        for d in result.departments
        for t in d.targets
    ]
    formats = [None, None, None, None, SCORE, SCORE, SCORE, None, SCORE]
    sheet = _Sheet(wb, TARGETS_SHEET)
    sheet.setup(headers, _fit(headers, rows))
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def _target_records_sheet(wb, year: AssessmentYear, result: engine.YearResult) -> None:
    """Every record on a target item, by date: what it deducted (all the item's points when not started)."""
    headers = ["记录编号", "日期", "部室", "代码", "目标项目", "扣分", "未开展", "理由", "情况说明", "录入人"]
    details = target_record_rows(year)
    rows = [
        [
            record.pk,
            record.date,
            d.name,
            record.target,
            record.name,
            line.points,
            "是" if record.not_started else "",
            record.reason,
            record.description,
            record.recorder,
        ]
        for d in result.departments
        for line in d.lines
        if line.target and (record := details.get(line.key)) is not None
    ]
    rows.sort(key=lambda row: (row[1], row[0]))
    formats = [COUNT, DATE, None, None, None, SCORE, None, None, None, None]
    sheet = _Sheet(wb, TARGET_RECORDS_SHEET)
    widths = _fit(headers, rows)
    widths[7], widths[8] = min(widths[7], 40), min(widths[8], 40)
    sheet.setup(headers, widths)
    for row in rows:
        sheet.append(sheet.cell(v, f, wrap=i in (7, 8)) for i, (v, f) in enumerate(zip(row, formats, strict=True)))
    sheet.filter()


def _ledger_sheet(wb, year: AssessmentYear, data: engine.YearInput, result: engine.YearResult, progress: Progress):
    headers = [
        "记录编号",
        "日期",
        "部室",
        "项目",
        "类别",
        "考核内容",
        "级别",
        "数量",
        "酌情分值（每单位）",
        "得分",
        "免于扣分",
        "否决",
        "共享部室",
        "情况说明",
        "理由",
        "录入人",
        "证据数",
    ]
    # Widths from what is known without reading the ledger twice: rule texts, department names, headers.
    rule_width = max((display_width(r.text) for r in data.scheme.rules.values()), default=20)
    name_width = max((display_width(d.name) for d in data.departments), default=8)
    widths = [8, 10, name_width, 4, 4, min(rule_width, 44), 4, 4, 8, 8, 4, 4, name_width + 6, 40, 36, 12, 4]
    widths = [max(w, display_width(h)) for w, h in zip(widths, headers, strict=True)]
    formats = [
        COUNT,
        DATE,
        None,
        None,
        None,
        None,
        None,
        COUNT,
        SCORE,
        SCORE,
        None,
        None,
        None,
        None,
        None,
        None,
        COUNT,
    ]
    wrapped = {5, 13, 14}
    sheet = _Sheet(wb, "台帐")
    sheet.setup(headers, widths)
    total = sum(1 for d in result.departments for line in d.lines if not line.target) or 1
    for written, (name, row) in enumerate(ledger_rows_streamed(year, result), start=1):
        values = [
            row.key,
            row.date,
            name,
            row.rule,
            row.category,
            row.rule_text,
            row.level,
            row.quantity,
            row.unit_points,
            None if row.veto else row.points,
            "是" if row.exempt else "",
            "是" if row.veto else "",
            "、".join(row.shared_with),
            row.description,
            row.reason,
            row.recorder,
            row.evidence_count,
        ]
        sheet.append(sheet.cell(v, f, wrap=i in wrapped) for i, (v, f) in enumerate(zip(values, formats, strict=True)))
        if written % 5000 == 0:
            progress(20 + 60 * written // total, f"已写入台帐 {written} / {total} 行")
    sheet.filter()


def _democratic_sheet(wb, dem: Democratic) -> None:
    sheet = _Sheet(wb, "民主测评")
    if dem.source == AssessmentYear.DemocraticSource.NONE:
        headers = ["说明"]
        sheet.setup(headers, [40])
        sheet.append([sheet.cell("本年度未举行民主测评，最终得分即考核小组评分。")])
        return
    if dem.source == AssessmentYear.DemocraticSource.SCORES or not dem.groups:
        headers = ["部室", "民主测评得分", "来源"]
        rows: list[list[Any]] = [[r.name, r.score, dem.source_label] for r in dem.rows]
        sheet.setup(headers, _fit(headers, rows))
        for row in rows:
            sheet.append(sheet.cell(v, f) for v, f in zip(row, [None, SCORE, None], strict=True))
        sheet.filter()
        return
    headers = ["部室", "测评人群体", *dem.grades, "计票", "群体平均分", "民主测评得分"]
    rows = []
    for r in dem.rows:
        for group in dem.groups:
            counts = r.counts.get(group, {})
            rows.append(
                [
                    r.name,
                    group,
                    *[counts.get(g, 0) for g in dem.grades],
                    sum(counts.values()),
                    r.group_means.get(group),
                    r.score,
                ]
            )
    formats = [None, None, *[COUNT] * len(dem.grades), COUNT, SCORE, SCORE]
    sheet.setup(headers, _fit(headers, rows))
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def _awards_sheet(wb, result: engine.YearResult) -> None:
    headers = ["名次", "部室", "奖项", "人均奖励（元）", "年末在编人数", "奖励合计（元）"]
    rows = [[d.rank, d.name, _award_label(d), d.per_capita, d.headcount, d.total] for d in result.departments]
    leader_rows = [[None, x.name, ROLE_LABELS.get(x.role, x.role), x.award, None, None] for x in result.leaders]
    sheet = _Sheet(wb, "奖励核发")
    widths = _fit(headers, rows + leader_rows)
    widths[2] = max(widths[2], display_width("分管部室："))
    sheet.setup(headers, widths)
    formats = [COUNT, None, None, MONEY, COUNT, MONEY]
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()
    total_headcount = sum(d.headcount for d in result.departments)
    sheet.append(
        [
            sheet.cell(None),
            sheet.cell("部室合计", bold=True),
            sheet.cell(None),
            sheet.cell(None),
            sheet.cell(total_headcount, COUNT, bold=True),
            sheet.cell(result.total_money, MONEY, bold=True),
        ]
    )
    if not result.leaders:
        return
    sheet.append([])
    sheet.append(sheet.cell(h, bold=True) for h in ["", "领导", "职务", "考核奖（元）", "", "核发依据"])
    for x in result.leaders:
        basis = (
            "分管：" + "、".join(x.supervises) + "（平均奖）"
            if x.role == engine.ROLE_VICE_CHAIR
            else "副主席考核奖的平均数"
        )
        sheet.append(
            [
                sheet.cell(None),
                sheet.cell(x.name),
                sheet.cell(ROLE_LABELS.get(x.role, x.role)),
                sheet.cell(x.award, MONEY),
                sheet.cell(None),
                sheet.cell(basis),
            ]
        )


TRENDS_SHEET = "历年对比"  # last, only when an earlier year has been scored (reports.trends)


def _trends_sheet(wb, year: AssessmentYear) -> None:
    """Each department in this year and every earlier scored year: scores, rank, award, deductions by category."""
    years = [y for y in scored_years() if y.year < year.year] + [year]
    if len(years) < 2:
        return
    rows_of = trends(years)
    categories = rows_of[0].categories if rows_of else ()
    headers = ["部室", "年度", "考核小组评分", "民主测评得分", "最终得分", "名次", "奖项"]
    headers += [f"{name}扣分" for _, name in categories]
    rows = []
    for trend in rows_of:
        for point, deductions in trend.table:
            r = point.result
            if r is None:
                rows.append(
                    [trend.department, point.year.year, None, None, None, None, "未参评"] + [None] * len(categories)
                )
                continue
            award = f"否决（{'、'.join(r.veto_rules)}）" if r.vetoed else r.award_label
            rows.append(
                [trend.department, point.year.year, r.review_score, r.democratic_score, r.final_score, r.rank, award]
                + list(deductions)
            )
    sheet = _Sheet(wb, TRENDS_SHEET)
    sheet.setup(headers, _fit(headers, rows))
    formats = [None, COUNT, SCORE, SCORE, SCORE, COUNT, None] + [SCORE] * len(categories)
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def build_xlsx(year: int | AssessmentYear, stream: IO[bytes] | str, *, progress: Progress = _noop) -> None:
    """Write the year-end workbook of a year to `stream` (a binary file object or a path)."""

    progress(2, "正在读取考核数据")
    year = year_get(year)
    data = year_input(year)
    result = engine.score_year(data)
    # From here on each record lives in the result's lines; dropping the input's copy of them lowers the peak
    # memory of a 200,000-record workbook by tens of MB.
    data = dataclasses.replace(data, records=())
    supervisors = {name: x.name for x in data.leaders for name in x.supervises}

    wb = Workbook(write_only=True)
    wb.properties.title = f"{year.year}年度考核结果"
    organisation = Organisation.current()
    wb.properties.creator = organisation.name
    progress(10, "正在写入汇总排名和部室明细")
    _summary_sheet(wb, result, discretionary_decisions(data, result, final=year.is_frozen))
    _details_sheet(wb, result, supervisors)
    if result.has_targets:
        _targets_sheet(wb, data, result)
    progress(20, "正在写入台帐")
    _ledger_sheet(wb, year, data, result, progress)
    if result.has_targets:
        _target_records_sheet(wb, year, result)
    progress(85, "正在写入民主测评和奖励核发")
    _democratic_sheet(wb, democratic_section(year, data, result))
    _awards_sheet(wb, result)
    _trends_sheet(wb, year)
    for ws in wb.worksheets:  # printed pages: the organisation, the year and the sheet, the page number
        ws.oddHeader.left.text = _header_text(organisation.masthead)
        ws.oddHeader.right.text = _header_text(f"{year.year}年度考核结果 · {ws.title}")
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    progress(90, "正在保存文件")
    wb.save(stream)
    progress(100, "已完成")
