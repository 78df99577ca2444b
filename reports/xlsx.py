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
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter

from departments.models import Organisation
from kaohe.xlsx import (
    HEADER_ALIGNMENT,
    HEADER_BORDER,
    HEADER_FILL,
    TOP,
    WRAP,
    cjk_font,
    display_width,
    page_setup,
    page_setup_before_rows,
    row_height,
    text_guard,
    wrapped_lines,
)
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
PERCENT = "0.0%"
MAX_WIDTH = 60
TARGETS_SHEET = "目标项目"  # after 部室明细, only in a year with target items
TARGET_RECORDS_SHEET = "目标项目记录"  # after 台帐, likewise
COVER_SHEET = "说明"  # first: which organisation, year, phase and time the workbook comes from
SHEETS = (COVER_SHEET, "汇总排名", "部室明细", "台帐", "民主测评", "奖励核发")
SHEET_CONTENTS = {
    "汇总排名": "各部室名次、考核小组评分、民主测评得分、最终得分、否决、奖项和奖励金额",
    "部室明细": "各部室各类别得分、扣分和加分合计、分管副主席、台帐记录数",
    TARGETS_SHEET: "各部室目标项目的应得分、扣分和实得分",
    "台帐": "计入考核的每一条台帐记录",
    TARGET_RECORDS_SHEET: "目标项目的每一条扣分记录",
    "民主测评": "各部室各测评人群体的测评等次票数和得分，测评票数和参评率",
    "奖励核发": "各部室和领导的奖励金额及合计",
}


def _noop(percent: int, step: str) -> None:
    pass


class _Book:
    """The write-only workbook and the sheets written to it, for their page setup once written."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.sheets: list[_Sheet] = []


class _Sheet:
    """A write-only sheet with one header row: widths fitted to the given values, header frozen, filter on; every
    cell in the CJK font, wrapped cells' rows as high as their lines, printed one page wide (kaohe.xlsx)."""

    def __init__(self, book: _Book, title: str):

        self.ws = book.workbook.create_sheet(title)
        book.sheets.append(self)
        self.font = cjk_font()
        self.bold = cjk_font(bold=True)
        self.rows = 0
        self.columns = 0
        self.widths: list[float] = []
        self.header_rows = 0

    def setup(self, headers: list[str], widths: list[int], *, header: bool = True) -> None:
        """Column widths must be set before the first row in write-only mode; so must the frozen pane and the
        page's fit to width."""

        self.columns = len(headers)
        self.widths = [float(min(MAX_WIDTH, max(width, 6)) + 2) for width in widths]
        for i, width in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        page_setup_before_rows(self.ws, self.widths)
        if header:
            self.ws.freeze_panes = "A2"
            self.header_rows = 1
            self.header(headers)

    def header(self, headers: list[str]) -> None:
        cells = []
        for text in headers:
            cell = self.cell(text, bold=True)
            cell.fill = HEADER_FILL
            cell.border = HEADER_BORDER
            cell.alignment = HEADER_ALIGNMENT
            cells.append(cell)
        self.append(cells)

    def cell(self, value: Any, number_format: str | None = None, *, wrap: bool = False, bold: bool = False):

        cell = text_guard(WriteOnlyCell(self.ws, value=value))  # never a formula (kaohe/xlsx.py)
        if number_format:
            cell.number_format = number_format
        cell.alignment = WRAP if wrap else TOP
        cell.font = self.bold if bold else self.font
        return cell

    def append(self, cells: Iterable) -> None:
        """Append a row; a row whose wrapped text needs more than one line is made as high as it needs (its
        dimension is dropped once the row is written: a write-only sheet writes it at once)."""
        cells = list(cells)
        lines = max(
            (
                wrapped_lines(cell.value, self.widths[i])
                for i, cell in enumerate(cells)
                if isinstance(cell, Cell) and cell.alignment.wrap_text and i < len(self.widths)
            ),
            default=1,
        )
        index = self.rows + 1
        if lines > 1:
            self.ws.row_dimensions[index].height = row_height(lines)
        self.ws.append(cells)
        if lines > 1:
            del self.ws.row_dimensions[index]
        self.rows += 1

    def filter(self, last_row: int | None = None) -> None:

        end = last_row if last_row is not None else self.rows
        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{max(end, 1)}"


def _header_width(text: str) -> int:
    """The narrowest column a header fits in two lines: a header wraps rather than widen its column."""
    return (display_width(text) + 1) // 2 + 1


def _fit(headers: list[str], rows: list[list[Any]]) -> list[int]:
    widths = [_header_width(h) for h in headers]
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


def _cover_sheet(
    book: _Book, year: AssessmentYear, organisation: Organisation, sheets: list[str], made: datetime.datetime
):
    """The first sheet: what the workbook is, where it comes from (organisation, year, scheme, phase, time made),
    and what each sheet holds."""
    sheet = _Sheet(book, COVER_SHEET)
    sheet.setup(["", ""], [12, 78], header=False)
    phase = year.get_phase_display()
    if not year.is_frozen:
        phase += "（尚未审定，数据可能变动）"
    sheet.append([sheet.cell(f"{organisation.name}{year.year}年度考核结果", bold=True)])
    sheet.append([])
    for label, value in (
        ("组织", organisation.name),
        ("考核年度", f"{year.year}年度"),
        ("考核方案", year.scheme.name),
        ("年度阶段", phase),
        ("生成时间", made.strftime("%Y-%m-%d %H:%M")),
    ):
        sheet.append([sheet.cell(label, bold=True), sheet.cell(value, wrap=True)])
    sheet.append([])
    sheet.append([sheet.cell("工作表", bold=True), sheet.cell("内容", bold=True)])
    for name in sheets:
        sheet.append([sheet.cell(name), sheet.cell(SHEET_CONTENTS[name], wrap=True)])


def _summary_sheet(book: _Book, result: engine.YearResult, decisions: DiscretionaryDecisions) -> None:
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
    sheet = _Sheet(book, "汇总排名")
    sheet.setup(headers, _fit(headers, rows))
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def _details_sheet(book: _Book, result: engine.YearResult, supervisors: dict[str, str]) -> None:
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
    sheet = _Sheet(book, "部室明细")
    widths = _fit(headers, rows)
    for i in range(2, 2 + len(categories)):
        widths[i] = min(widths[i], 16)  # long category names wrap in the header instead of widening the sheet
    sheet.setup(headers, widths)
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def _targets_sheet(book: _Book, data: engine.YearInput, result: engine.YearResult) -> None:
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
    sheet = _Sheet(book, TARGETS_SHEET)
    sheet.setup(headers, _fit(headers, rows))
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()


def _target_records_sheet(book: _Book, year: AssessmentYear, result: engine.YearResult) -> None:
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
    sheet = _Sheet(book, TARGET_RECORDS_SHEET)
    widths = _fit(headers, rows)
    widths[7], widths[8] = min(widths[7], 40), min(widths[8], 40)
    sheet.setup(headers, widths)
    for row in rows:
        sheet.append(sheet.cell(v, f, wrap=i in (7, 8)) for i, (v, f) in enumerate(zip(row, formats, strict=True)))
    sheet.filter()


def _ledger_sheet(
    book: _Book, year: AssessmentYear, data: engine.YearInput, result: engine.YearResult, progress: Progress
):
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
    # Long texts wrap in narrow columns, so that the printed sheet (one page wide, landscape) stays readable.
    widths = [6, 10, name_width, 4, 4, min(rule_width, 30), 4, 4, 6, 6, 4, 4, name_width, 28, 22, 14, 4]
    widths = [max(w, _header_width(h)) for w, h in zip(widths, headers, strict=True)]
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
    wrapped = {2, 5, 12, 13, 14}
    sheet = _Sheet(book, "台帐")
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


def _democratic_sheet(book: _Book, dem: Democratic) -> None:
    sheet = _Sheet(book, "民主测评")
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
    turnout_headers = ["测评人群体", "应参评人数", "网上投票", "纸质票", "合计", "参评率"]
    widths = _fit(headers, rows)
    widths[: len(turnout_headers)] = [max(w, _header_width(h)) for w, h in zip(widths, turnout_headers, strict=False)]
    sheet.setup(headers, widths)
    for row in rows:
        sheet.append(sheet.cell(v, f) for v, f in zip(row, formats, strict=True))
    sheet.filter()
    _turnout(sheet, dem, turnout_headers)


def _turnout(sheet: _Sheet, dem: Democratic, headers: list[str]) -> None:
    """Below the grades: the ballots counted and each rater group's turnout (as the PDF's 民主测评 section)."""
    sheet.append([])
    counted = f"计入得分的测评票 {dem.ballots or 0} 张"
    if dem.ballots:
        counted += f"，计入的测评等次 {dem.grades_counted} 个"
    if dem.round_closed is False:
        counted += "；测评尚未结束，以上为截至生成时的统计"
    sheet.append([sheet.cell(counted + "。", bold=True)])
    if not dem.turnout:
        return
    sheet.append(sheet.cell(h, bold=True) for h in headers)
    for t in dem.turnout:
        rate = None if t["turnout"] is None else t["turnout"] / 100
        sheet.append(
            [
                sheet.cell(t["group"], wrap=True),  # in the 部室 column, which may be narrower
                sheet.cell(t["planned"] or None, COUNT),
                sheet.cell(t["online"], COUNT),
                sheet.cell(t["paper"], COUNT),
                sheet.cell(t["total"], COUNT),
                sheet.cell(rate, PERCENT),
            ]
        )


def _awards_sheet(book: _Book, result: engine.YearResult) -> None:
    headers = ["名次", "部室", "奖项", "人均奖励（元）", "年末在编人数", "奖励合计（元）"]
    rows = [[d.rank, d.name, _award_label(d), d.per_capita, d.headcount, d.total] for d in result.departments]
    leader_rows = [[None, x.name, ROLE_LABELS.get(x.role, x.role), x.award, None, None] for x in result.leaders]
    sheet = _Sheet(book, "奖励核发")
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


def _trends_sheet(book: _Book, year: AssessmentYear) -> None:
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
    sheet = _Sheet(book, TRENDS_SHEET)
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
    sheets = [
        name
        for name in SHEETS[1:3] + (TARGETS_SHEET, "台帐", TARGET_RECORDS_SHEET) + SHEETS[4:]
        if result.has_targets or name not in (TARGETS_SHEET, TARGET_RECORDS_SHEET)
    ]
    book = _Book(wb)
    _cover_sheet(book, year, organisation, sheets, timezone.localtime())
    progress(10, "正在写入汇总排名和部室明细")
    _summary_sheet(book, result, discretionary_decisions(data, result, final=year.is_frozen))
    _details_sheet(book, result, supervisors)
    if result.has_targets:
        _targets_sheet(book, data, result)
    progress(20, "正在写入台帐")
    _ledger_sheet(book, year, data, result, progress)
    if result.has_targets:
        _target_records_sheet(book, year, result)
    progress(85, "正在写入民主测评和奖励核发")
    _democratic_sheet(book, democratic_section(year, data, result))
    _awards_sheet(book, result)
    _trends_sheet(book, year)
    for sheet in book.sheets:  # printed pages: the organisation, the year and the sheet, the page number
        page_setup(
            sheet.ws,
            widths=sheet.widths,
            header_rows=sheet.header_rows,
            left=organisation.masthead,
            right=f"{year.year}年度考核结果 · {sheet.ws.title}",
        )
    progress(90, "正在保存文件")
    wb.save(stream)
    progress(100, "已完成")
