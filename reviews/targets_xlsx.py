"""Excel in for a year's target items (目标管理, docs/scoring.md §7): the template (目标项目导入模板.xlsx) and the
import of a filled one, all or nothing, every bad row listed with its number, and every department whose
allotted points would not sum to the scheme's full score. Files are read by `kaohe.xlsx.sheet_rows_read`
within the ledger import's limits (KAOHE_IMPORT_MAX_BYTES, KAOHE_IMPORT_MAX_ROWS)."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

import access
from departments.models import Department, Organisation
from kaohe.xlsx import SheetRowsError, append_guarded, sheet_print_ready, sheet_rows_read
from reviews.services import target_create, target_validate, year_ensure_writable
from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, RuleCategory, Target

SHEET = "目标项目"
HEADERS = ["部室", "目标代码", "类别", "目标项目", "应得分"]
WIDTHS = (16, 12, 14, 40, 10)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _target_categories(year: AssessmentYear) -> list[RuleCategory]:
    """The categories of the year's scheme that may hold target items (not those holding only veto rules)."""
    scored = set(spec_from_db(year.scheme).score_categories)
    return [c for c in year.scheme.categories.order_by("order", "id") if c.code in scored]


def _targets_sheet(sheet, title: str) -> None:
    sheet.title = title
    append_guarded(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDE", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width


def targets_template(year: AssessmentYear) -> bytes:
    """The import template: the sheet 目标项目 (headers only: the import reads it), a filled-in sample on its own
    sheet 示例 (never imported), the year's departments and categories, and how to fill it in."""
    workbook = Workbook()
    _targets_sheet(workbook.active, SHEET)
    categories = _target_categories(year)
    full = year.scheme.full_score
    sample = workbook.create_sheet("示例")
    _targets_sheet(sample, "示例")
    first = year.year_departments.order_by("order", "id").values_list("department__name", flat=True).first()
    category = categories[0].code if categories else "W"
    share = (full * Decimal("0.4")).quantize(engine.CENT)
    for code, name, points in (
        ("BGS-1", "全年信息宣传任务", share),
        ("BGS-2", "职工书屋建设", full - share),
    ):
        append_guarded(sample, [first or "办公室", code, category, name, points])

    lists = workbook.create_sheet("部室和类别")
    append_guarded(lists, ["参评部室", "", "类别代码", "类别名称"])
    for cell in lists[1]:
        cell.font = Font(bold=True)
    names = list(year.year_departments.order_by("order", "id").values_list("department__name", flat=True))
    for i in range(max(len(names), len(categories))):
        row = [names[i] if i < len(names) else "", ""]
        row += [categories[i].code, categories[i].name] if i < len(categories) else ["", ""]
        append_guarded(lists, row)
    lists.column_dimensions["A"].width = 16
    lists.column_dimensions["D"].width = 16

    notes = workbook.create_sheet("填写说明")
    for line in (
        f"请在“{SHEET}”工作表中填写，每行一个目标项目；“示例”工作表是填写示例，不会导入。",
        f"部室：参加{year}的部室全称（见“部室和类别”）；目标代码：本年度内不重复，如 BGS-1；",
        "类别：类别代码或名称（见“部室和类别”，否决项目类别不能设立目标项目）；目标项目：项目名称；",
        f"应得分：大于 0，最多两位小数；每个部室各目标项目应得分（含已录入的）合计须等于满分 {_plain(full)}。",
        "导入时逐行校验，任何一行有误则整个文件不导入，并列出所有出错的行。",
    ):
        append_guarded(notes, [line])
    notes.column_dimensions["A"].width = 80
    masthead = Organisation.current().masthead
    for sheet in workbook.worksheets:  # printed: organisation and document in the header, page numbers below
        header_rows = 0 if sheet is notes else 1
        sheet_print_ready(
            sheet, header_rows=header_rows, left=masthead, right=f"{year.year}年度目标项目导入模板 · {sheet.title}"
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _category_of(text: str, scheme_categories: list[RuleCategory]) -> RuleCategory | None:
    """A category of the scheme by code, name or "code name" (as the admin shows it); None when unknown. A
    category holding only veto rules is found, and refused by the target's own check."""
    wanted = text.strip()
    for category in scheme_categories:
        if wanted.upper() == category.code.upper() or wanted in (category.name, f"{category.code} {category.name}"):
            return category
    return None


def targets_import(*, year: AssessmentYear, data: bytes, user) -> list[Target]:
    """Import a filled template: every row is checked, and so is each department's total (its targets already
    entered and the file's) against the full score; when anything is wrong, nothing is imported and
    SheetRowsError lists every bad row with its number, a department's total on its first row."""
    if not access.may_enter_targets(user):
        raise PermissionDenied("只有考核小组组长可以录入目标项目。")
    year_ensure_writable(year)
    rows = sheet_rows_read(
        data,
        sheet_name=SHEET,
        headers=HEADERS,
        max_bytes=settings.KAOHE_IMPORT_MAX_BYTES,
        max_rows=settings.KAOHE_IMPORT_MAX_ROWS,
    )
    if not rows or [_text(v) for v in rows[0][: len(HEADERS)]] != HEADERS:
        raise SheetRowsError([(1, f"表头须为：{'、'.join(HEADERS)}")])

    departments = {
        d.name: d for d in Department.objects.filter(year_entries__year=year).order_by("year_entries__order")
    }
    spec = spec_from_db(year.scheme)
    scheme_categories = list(year.scheme.categories.order_by("order", "id"))
    expected_categories = "、".join(f"{c.code} {c.name}" for c in _target_categories(year))
    errors: list[tuple[int, str]] = []
    parsed: list[tuple[Department, RuleCategory, str, str, Decimal]] = []
    first_row_of_code: dict[str, int] = {}
    rows_of: dict[str, list[int]] = defaultdict(list)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for number, raw in enumerate(rows[1:], start=2):
        values = [_text(v) for v in (list(raw) + [None] * len(HEADERS))[: len(HEADERS)]]
        if not any(values):
            continue
        cells = dict(zip(HEADERS, values, strict=True))
        problems: list[str] = []
        department = departments.get(cells["部室"])
        if not cells["部室"]:
            problems.append("未填写部室")
        elif department is None:
            problems.append(f"部室“{cells['部室']}”未参加{year}")
        category = _category_of(cells["类别"], scheme_categories)
        if not cells["类别"]:
            problems.append("未填写类别")
        elif category is None:
            problems.append(f"未知类别“{cells['类别']}”（应为 {expected_categories}）")
        code = cells["目标代码"]
        if code in first_row_of_code:
            problems.append(f"目标代码“{code}”与第 {first_row_of_code[code]} 行重复")
        elif code:
            first_row_of_code[code] = number
        points: Decimal | None = None
        if not cells["应得分"]:
            problems.append("未填写应得分")
        else:
            try:
                points = Decimal(cells["应得分"])
            except InvalidOperation:
                problems.append(f"应得分“{cells['应得分']}”不是数字")
        if department is not None and category is not None and points is not None:
            try:
                target_validate(
                    year=year,
                    department=department,
                    category=category,
                    code=code,
                    name=cells["目标项目"],
                    points=points,
                    spec=spec,
                )
            except ValidationError as exc:
                problems.extend(m.rstrip("。") for messages in exc.message_dict.values() for m in messages)
        else:
            problems.extend(
                message
                for value, message in ((code, "须填写目标代码"), (cells["目标项目"], "须填写目标项目名称"))
                if not value
            )
        if department is not None and points is not None and points.is_finite():
            rows_of[department.name].append(number)
            totals[department.name] += points
        if problems:
            errors.append((number, "；".join(problems)))
        elif department is not None and category is not None and points is not None:
            parsed.append((department, category, code, cells["目标项目"], points))
    errors.extend(_total_problems(year, spec.full_score, rows_of, totals))
    if errors:
        raise SheetRowsError(sorted(errors, key=lambda error: error[0]))
    if not parsed:
        raise SheetRowsError([(2, "文件中没有目标项目")])
    with transaction.atomic():
        return [
            target_create(year=year, department=department, category=category, code=code, name=name, points=points)
            for department, category, code, name, points in parsed
        ]


def _total_problems(
    year: AssessmentYear, full_score: Decimal, rows_of: dict[str, list[int]], totals: dict[str, Decimal]
) -> list[tuple[int, str]]:
    """Each department of the file whose targets (those entered already and the file's) would not sum to the
    full score, reported on its first row of the file."""
    entered: dict[str, Decimal] = defaultdict(Decimal)
    for name, points in year.targets.filter(department__name__in=list(rows_of)).values_list(
        "department__name", "points"
    ):
        entered[name] += points
    problems = []
    for name, numbers in rows_of.items():
        total = entered[name] + totals[name]
        if total == full_score:
            continue
        lines = "、".join(str(n) for n in numbers)
        also = f"，另有已录入的目标项目 {_plain(entered[name])} 分" if entered[name] else ""
        sums = f"{name}目标项目应得分合计 {_plain(total)}，须等于满分 {_plain(full_score)}"
        problems.append((numbers[0], f"{sums}（本文件第 {lines} 行{also}）"))
    return problems
