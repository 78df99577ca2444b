"""Paper ballots as an Excel workbook: the empty import sheet (drop-down lists for groups and grades) and its
all-or-nothing import, whose errors name their row numbers."""

from __future__ import annotations

from io import BytesIO
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ballots.models import Round
from ballots.selectors import ballot_departments, grade_names
from ballots.services import ballot_insert
from departments.models import Organisation
from kaohe.xlsx import append_guarded, sheet_print_ready, text_guard
from scoring.phases import year_require

PAPER_HEADER_GROUP = "测评人群体"
PAPER_HEADER_DEPARTMENT = "所在部室"
ABSTAIN_WORDS = {"", "弃权", "-", "—", "/"}


def paper_template_xlsx(*, round: Round) -> bytes:
    """An empty import sheet: one row per paper ballot, one column per department.

    The group and grade columns offer drop-down lists. Their items sit in a hidden sheet that the lists point
    to, rather than in the list formula itself: a name with a comma or a quote stays one item, and a long list
    does not hit Excel's 255-character limit on written-out lists. The import reads the first sheet only.
    """
    departments = ballot_departments(year=round.year)
    wb = Workbook()
    ws = wb.active
    ws.title = "纸质测评票"
    append_guarded(ws, [PAPER_HEADER_GROUP, PAPER_HEADER_DEPARTMENT, *[d.name for d in departments]])
    ws.freeze_panes = "A2"
    for i in range(1, len(departments) + 3):
        ws.column_dimensions[get_column_letter(i)].width = 16 if i <= 2 else 12
    last_col = get_column_letter(len(departments) + 2)

    choices = wb.create_sheet("选项")
    choices.sheet_state = "hidden"
    lists = (
        ([g.name for g in round.groups.all()], "A2:A1000"),
        ([*grade_names(round.year.grade_points), "弃权"], f"C2:{last_col}1000"),
    )
    for column, (items, cells) in enumerate(lists, start=1):
        for row, item in enumerate(items, start=1):
            text_guard(choices.cell(row=row, column=column, value=item))
        letter = get_column_letter(column)
        validation = DataValidation(
            type="list", formula1=f"'选项'!${letter}$1:${letter}${max(len(items), 1)}", allow_blank=True
        )
        ws.add_data_validation(validation)
        validation.add(cells)
    # Printed (to fill in by hand, or to check what was typed): department names wrap in the header row.
    sheet_print_ready(
        ws,
        left=Organisation.current().masthead,
        right=f"{round.year.year}年度纸质测评票导入模板 · {ws.title}",
        wrap_over=16,
    )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def paper_ballots_import(*, round: Round, data: bytes) -> int:
    """Import paper ballots from an Excel sheet, all or nothing. Errors name their row numbers."""
    year_require(round.year, "ballot")
    if not round.is_open:
        raise ValidationError("民主测评已结束，不能再录入纸质票。")
    try:
        ws = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (BadZipFile, OSError, KeyError, ValueError):
        raise ValidationError("无法读取该文件，请上传 Excel（.xlsx）文件。") from None
    rows = ws.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    departments = {d.name: d for d in ballot_departments(year=round.year)}
    groups = {g.name: g for g in round.groups.all()}
    grades = set(round.year.grade_points)
    if header[:2] != [PAPER_HEADER_GROUP, PAPER_HEADER_DEPARTMENT]:
        raise ValidationError(f"第 1 行须为表头：{PAPER_HEADER_GROUP}、{PAPER_HEADER_DEPARTMENT}、各部室名称。")
    errors = [f"第 1 行：未知部室“{name}”" for name in header[2:] if name not in departments]
    if len(set(header)) != len(header):
        errors.append("第 1 行：列名重复")
    parsed = []
    for number, row in enumerate(rows, start=2):
        values = [_cell(v) for v in row][: len(header)]
        if not any(values):
            continue
        values += [""] * (len(header) - len(values))
        group = groups.get(values[0])
        if group is None:
            errors.append(f"第 {number} 行：未知测评人群体“{values[0]}”")
        voter = None
        if values[1]:
            voter = departments.get(values[1])
            if voter is None:
                errors.append(f"第 {number} 行：未知部室“{values[1]}”")
        ratings = {}
        for name, value in zip(header[2:], values[2:], strict=True):
            if value in ABSTAIN_WORDS:
                continue
            if value not in grades:
                allowed = "、".join(grade_names(round.year.grade_points))
                errors.append(f"第 {number} 行，{name}：未知等次“{value}”（可填 {allowed} 或 弃权）")
            elif name in departments:
                ratings[departments[name].pk] = value
        if group is not None:  # else the row's error is reported and nothing is stored
            parsed.append((group, voter, ratings))
    if errors:
        raise ValidationError(errors)
    if not parsed:
        raise ValidationError("文件中没有测评票。")
    with transaction.atomic():
        for group, voter, ratings in parsed:
            ballot_insert(group=group, voter_department=voter, ratings=ratings, paper=True)
    return len(parsed)


def _cell(value) -> str:
    return "" if value is None else str(value).strip()
