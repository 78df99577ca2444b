"""The roster in Excel: the template (人员名册模板.xlsx, with drop-down lists of the departments, positions, 在职
and account roles), the export (the template filled with the roster, so that it imports back unchanged) and the
import (all or nothing: every bad row reported with its number, nothing saved), within the ledger import's limits
(KAOHE_IMPORT_MAX_BYTES, KAOHE_IMPORT_MAX_ROWS)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from departments.models import Department
from kaohe.xlsx import SheetRowsError, append_guarded, sheet_rows_read, text_guard
from people.models import POSITIONS, Person
from people.services import RosterRow, roster_save

SHEET = "名册"
OPTIONS_SHEET = "选项"
HEADERS = ["姓名", "部室", "职务", "电话", "电子邮箱", "在职", "登录名", "账号角色"]
WIDTHS = (12, 18, 12, 16, 26, 8, 16, 14)
YES, NO = "是", "否"
YES_VALUES = {"是", "在职", "Y", "y", "1", "TRUE", "true", "True", "√"}
NO_VALUES = {"否", "不在职", "离职", "N", "n", "0", "FALSE", "false", "False"}
PHONE = re.compile(r"^[0-9+\-() 转]{3,30}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RosterImported:
    added: int
    updated: int


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number
    return str(value).strip()


def _workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _option_column(sheet, column: int, header: str, values: list[str]) -> str:
    """Write `values` under `header` in `column` of the options sheet; the range they fill, for a drop-down."""
    letter = "ABCDEFGH"[column - 1]
    text_guard(sheet.cell(row=1, column=column, value=header)).font = Font(bold=True)
    for row, value in enumerate(values, start=2):
        text_guard(sheet.cell(row=row, column=column, value=value))
    last = max(len(values) + 1, 2)
    return f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${last}"


def _roster_workbook(people: Iterable[Person]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    append_guarded(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for person in people:
        append_guarded(
            sheet,
            [
                person.name,
                person.department.name,
                person.position,
                person.phone,
                person.email,
                YES if person.is_active else NO,
                person.username,
                person.get_account_role_display() if person.account_role else "",
            ],
        )
    options = workbook.create_sheet(OPTIONS_SHEET)
    departments = list(Department.objects.filter(is_active=True).values_list("name", flat=True))
    lists = {
        "B": (_option_column(options, 1, "部室", departments), "部室"),
        "C": (_option_column(options, 2, "职务", POSITIONS), "职务"),
        "F": (_option_column(options, 3, "在职", [YES, NO]), "在职"),
        "H": (_option_column(options, 4, "账号角色", [label for _, label in Person.AccountRole.choices]), "账号角色"),
    }
    options.sheet_state = "hidden"
    last_row = settings.KAOHE_IMPORT_MAX_ROWS + 1
    for letter, (formula, header) in lists.items():
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"{header}无效",
            error=f"请从下拉列表中选择{header}。",
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
    notes = workbook.create_sheet("说明")
    for line in (
        "在“名册”工作表中每行填写一人；部室、职务、在职、账号角色从下拉列表选择。",
        "姓名和部室必填；同一部室内姓名不能重复。已在名册中的人员（同部室同姓名）按本文件更新，其余新增；不删除任何人员。",
        "在职留空即为“是”；不在职的人员不计入民主测评的应参评人数。",
        "登录名和账号角色用于由名册创建登录账号（管理后台“人员名册”中选择人员后执行“创建登录账号”）。",
        "任何一行有误则整个文件不导入，并列出每个出错的行号。",
    ):
        append_guarded(notes, [line])
    notes.column_dimensions["A"].width = 110
    return _workbook_bytes(workbook)


def roster_template() -> bytes:
    """The empty template: headers, drop-down lists, notes."""
    return _roster_workbook([])


def roster_export(people: Iterable[Person] | None = None) -> bytes:
    """The roster (or `people`) in the template, which imports back unchanged."""
    if people is None:
        people = Person.objects.select_related("department")
    return _roster_workbook(people)


def _row_problems(cells: dict[str, str], departments: dict[str, Department], roles: dict[str, str]) -> list[str]:
    problems = []
    if not cells["姓名"]:
        problems.append("未填写姓名")
    elif len(cells["姓名"]) > 50:
        problems.append("姓名超过 50 个字")
    if not cells["部室"]:
        problems.append("未填写部室")
    elif cells["部室"] not in departments:
        problems.append(f"未知部室“{cells['部室']}”")
    if cells["职务"] and cells["职务"] not in POSITIONS:
        problems.append(f"职务“{cells['职务']}”无效，应为 {' / '.join(POSITIONS)}")
    if cells["电话"] and not PHONE.match(cells["电话"]):
        problems.append(f"电话“{cells['电话']}”无效，只能含数字、空格和 + - ( )")
    if cells["电子邮箱"]:
        try:
            validate_email(cells["电子邮箱"])
        except ValidationError:
            problems.append(f"电子邮箱“{cells['电子邮箱']}”无效")
    if cells["在职"] and cells["在职"] not in YES_VALUES | NO_VALUES:
        problems.append(f"在职“{cells['在职']}”应为 是 或 否")
    if cells["登录名"]:
        try:
            UnicodeUsernameValidator()(cells["登录名"])
            if len(cells["登录名"]) > 150:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(f"登录名“{cells['登录名']}”无效，只能含字母、数字和 @/./+/-/_")
    if cells["账号角色"] and cells["账号角色"] not in roles:
        labels = " / ".join(label for _, label in Person.AccountRole.choices)
        problems.append(f"账号角色“{cells['账号角色']}”无效，应为 {labels}")
    return problems


def roster_import(data: bytes) -> RosterImported:
    """Import a filled template: every row is checked; when any row is bad nothing is saved and SheetRowsError
    lists every bad row (row number, message)."""
    rows = sheet_rows_read(
        data,
        sheet_name=SHEET,
        headers=HEADERS,
        max_bytes=settings.KAOHE_IMPORT_MAX_BYTES,
        max_rows=settings.KAOHE_IMPORT_MAX_ROWS,
    )
    if not rows or [_text(v) for v in rows[0][: len(HEADERS)]] != HEADERS:
        raise SheetRowsError([(1, f"表头须为：{'、'.join(HEADERS)}")])
    # Any department, in use or not: the export of a roster with people of a department no longer in use imports
    # back (the template's drop-down offers the departments in use).
    departments = {d.name: d for d in Department.objects.all()}
    roles = {label: value for value, label in Person.AccountRole.choices} | {
        value: value for value, _ in Person.AccountRole.choices
    }
    keys = {(p.department_id, p.name): p.pk for p in Person.objects.all()}
    username_owner = {p.username: p.pk for p in Person.objects.exclude(username="")}
    errors: list[tuple[int, str]] = []
    parsed: list[RosterRow] = []
    seen: dict[tuple[str, str], int] = {}
    usernames: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        values = [_text(v) for v in (list(raw) + [None] * len(HEADERS))[: len(HEADERS)]]
        if not any(values):
            continue
        cells = dict(zip(HEADERS, values, strict=True))
        problems = _row_problems(cells, departments, roles)
        key = (cells["部室"], cells["姓名"])
        if key in seen:
            problems.append(f"{cells['部室']}的{cells['姓名']}与第 {seen[key]} 行重复")
        seen.setdefault(key, number)
        username = cells["登录名"]
        if username:
            if username in usernames:
                problems.append(f"登录名 {username} 与第 {usernames[username]} 行重复")
            usernames.setdefault(username, number)
        if problems:
            errors.append((number, "；".join(problems)))
            continue
        parsed.append(
            RosterRow(
                name=cells["姓名"],
                department=departments[cells["部室"]],
                position=cells["职务"],
                phone=cells["电话"],
                email=cells["电子邮箱"],
                is_active=cells["在职"] not in NO_VALUES,
                username=username,
                account_role=roles.get(cells["账号角色"], ""),
            )
        )
    # A login name may move between people of the file, but not to one held by a person the file leaves as is.
    in_file = {keys.get((row.department.pk, row.name)) for row in parsed}
    for row in parsed:
        owner = username_owner.get(row.username)
        if row.username and owner is not None and owner not in in_file:
            errors.append((usernames[row.username], f"登录名 {row.username} 已由名册中的其他人员使用"))
    if errors:
        raise SheetRowsError(sorted(errors))
    if not parsed:
        raise SheetRowsError([(2, "文件中没有人员")])
    added, updated = roster_save(parsed)
    return RosterImported(added, updated)
