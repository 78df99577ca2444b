"""Excel in and out of the ledger: the import template (台帐导入模板.xlsx), the import of a filled
template (all or nothing, every bad row reported) and the export of a changelist."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

import access
from departments.models import Department, Organisation
from kaohe.xlsx import SheetRowsError, append_guarded, cover_sheet, sheet_print_ready, sheet_rows_read
from reviews.models import LedgerRecord
from reviews.services import ledger_record_create, record_validate, year_ensure_writable
from scoring.engine import ZERO
from scoring.models import AssessmentYear, Rule, RuleLevel

HEADERS = ["日期", "部室", "项目代码", "数量", "级别", "分值", "免扣", "理由", "说明"]
YES = {"是", "Y", "y", "1", "TRUE", "true", "True", "√"}
NO = {"", "否", "N", "n", "0", "FALSE", "false", "False"}


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.message}"


class LedgerImportError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _sheet_bytes(workbook, document: str) -> bytes:
    """The workbook, every sheet made ready to print (kaohe.xlsx.sheet_print_ready) with the organisation and
    `document` in its page header."""
    masthead = Organisation.current().masthead
    for sheet in workbook.worksheets:
        header_rows = 1 if sheet.title in ("台帐", "示例", "项目代码说明") else 0
        sheet_print_ready(sheet, header_rows=header_rows, left=masthead, right=f"{document} · {sheet.title}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _ledger_sheet(sheet, title: str) -> None:
    sheet.title = title
    append_guarded(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (12, 24, 10, 8, 8, 8, 8, 30, 30), strict=True):
        sheet.column_dimensions[column].width = width


def ledger_template(year: AssessmentYear) -> bytes:
    """The import template: the sheet 台帐 (headers only: the import reads it), a filled-in sample on its own
    sheet 示例 (never imported, so it cannot be imported by mistake), the rules, and how to fill it in."""

    workbook = Workbook()
    _ledger_sheet(workbook.active, "台帐")
    sample = workbook.create_sheet("示例")
    _ledger_sheet(sample, "示例")
    first = year.year_departments.order_by("order", "id").values_list("department__name", flat=True).first()
    scheme_rules = list(
        Rule.objects.filter(scheme_id=year.scheme_id)
        .select_related("category")
        .prefetch_related("levels")
        .order_by("category__order", "order", "id")
    )
    # The sample: the scheme's first fixed deduction that needs no reason, twice (once if it is annual).
    sample_rule = next((r for r in scheme_rules if r.kind == Rule.Kind.DEDUCTION and not r.reason_required), None)
    if sample_rule is not None:
        append_guarded(
            sample,
            [
                datetime.date(year.year, 3, 15),
                first or "",
                sample_rule.code,
                1 if sample_rule.annual else 2,
                "",
                "",
                "否",
                "",
                f"示例：{sample_rule.short_text}",
            ],
        )
        sample["A2"].number_format = "yyyy-mm-dd"

    rules = workbook.create_sheet("项目代码说明")
    append_guarded(rules, ["项目代码", "类别", "类型", "考核内容", "分值", "负责录入"])
    for cell in rules[1]:
        cell.font = Font(bold=True)
    for rule in scheme_rules:
        if rule.kind == Rule.Kind.BONUS:
            points = " / ".join(f"{level.name}+{level.points.normalize():f}" for level in rule.levels.all())
        elif rule.kind == Rule.Kind.DISCRETIONARY:
            points = f"0～{(rule.max_points or ZERO).normalize():f}（填写分值）"
        elif rule.kind == Rule.Kind.VETO:
            points = "否决"
        else:
            points = f"-{(rule.points or ZERO).normalize():f}"
        append_guarded(
            rules, [rule.code, rule.category.name, rule.get_kind_display(), rule.text, points, rule.recorder_label]
        )
    rules.column_dimensions["D"].width = 50
    discretionary = "、".join(
        f"{r.code}：0～{(r.max_points or ZERO).normalize():f}"
        for r in scheme_rules
        if r.kind == Rule.Kind.DISCRETIONARY
    )
    notes = workbook.create_sheet("填写说明")
    for line in (
        "请在“台帐”工作表中填写，每行一条记录；“示例”工作表是填写示例，不会导入。",
        "日期：YYYY-MM-DD；部室：部室全称，加分项目涉及多个部室时用“、”分隔；",
        "数量：正整数（年度项目和否决项目为 1）；级别：加分项目填该项目的级别名称（见“项目代码说明”）；",
        (f"分值：仅酌情扣分项目填写（{discretionary}，最多两位小数）；" if discretionary else "分值：不填；")
        + "免扣：是 / 否（免扣须填理由）；",
        "导入时逐行校验，任何一行有误则整个文件不导入，并列出所有出错的行。",
    ):
        append_guarded(notes, [line])
    notes.column_dimensions["A"].width = 80
    return _sheet_bytes(workbook, f"{year.year}年度台帐导入模板")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows_read(data: bytes) -> list[tuple]:
    """The sheet's rows as values, refused whole as `kaohe.xlsx.sheet_rows_read` says (size, rows, formulas
    without a computed value)."""
    try:
        return sheet_rows_read(
            data,
            sheet_name="台帐",
            headers=HEADERS,
            max_bytes=settings.KAOHE_IMPORT_MAX_BYTES,
            max_rows=settings.KAOHE_IMPORT_MAX_ROWS,
        )
    except SheetRowsError as exc:
        raise LedgerImportError([RowError(row, message) for row, message in exc.errors]) from None


def ledger_import(*, year: AssessmentYear, data: bytes, user) -> list[LedgerRecord]:
    """Import a filled template: every row is checked (incl. the user's responsibility division); when any
    row is bad, nothing is imported and LedgerImportError lists every bad row with its number."""

    year_ensure_writable(year)
    rows = _rows_read(data)
    if not rows or [_text(v) for v in rows[0][: len(HEADERS)]] != HEADERS:
        raise LedgerImportError([RowError(1, f"表头须为：{'、'.join(HEADERS)}")])

    departments = {d.name: d for d in Department.objects.all()}
    rules = {
        r.code: r for r in Rule.objects.filter(scheme_id=year.scheme_id).prefetch_related("recorder_offices", "levels")
    }
    allowed = set(access.recordable_rules(user, year).values_list("code", flat=True))
    errors: list[RowError] = []
    parsed = []
    annual_seen: set[tuple[str, int]] = set()
    for number, raw in enumerate(rows[1:], start=2):
        values = [_text(v) for v in (list(raw) + [None] * len(HEADERS))[: len(HEADERS)]]
        if not any(values):
            continue
        cells = dict(zip(HEADERS, values, strict=True))
        raw_date = raw[0] if raw else None
        problems: list[str] = []
        # 日期
        date = None
        if isinstance(raw_date, datetime.datetime):
            date = raw_date.date()
        elif isinstance(raw_date, datetime.date):
            date = raw_date
        else:
            try:
                date = datetime.date.fromisoformat(cells["日期"])
            except ValueError:
                problems.append(f"日期“{cells['日期']}”无效，应为 YYYY-MM-DD")
        if date is not None and date.year != year.year:
            problems.append(f"日期 {date:%Y-%m-%d} 不在 {year.year} 年度内")
        # 部室
        names = [n.strip() for n in cells["部室"].replace("，", "、").split("、") if n.strip()]
        unknown = [n for n in names if n not in departments]
        if not names:
            problems.append("未填写部室")
        elif unknown:
            problems.append(f"未知部室：{'、'.join(unknown)}")
        # 项目代码
        rule = rules.get(cells["项目代码"].upper())
        if rule is None:
            problems.append(f"未知项目代码“{cells['项目代码']}”")
        elif rule.code not in allowed:
            problems.append(f"您无权录入 {rule.code}（负责录入：{rule.recorder_label or '考核小组组长'}）")
        # 数量
        quantity: int | None = 1
        if cells["数量"]:
            try:
                quantity = int(cells["数量"])
                if str(quantity) != cells["数量"]:
                    raise ValueError
            except ValueError:
                problems.append(f"数量“{cells['数量']}”须为正整数")
                quantity = None
        # 级别
        level = ""
        if cells["级别"] and rule is not None:
            # by name (全总) or by code (national), among the rule's own levels
            choices = rule.level_choices()
            named_level = next((code for code, name in choices if cells["级别"] in (code, name)), None)
            if named_level is None:
                expected = " / ".join(name for _, name in choices) or "（该项目不设级别）"
                problems.append(f"级别“{cells['级别']}”无效，应为 {expected}")
            else:
                level = named_level
        # 分值
        points = None
        if cells["分值"]:
            try:
                points = Decimal(cells["分值"])
            except InvalidOperation:
                problems.append(f"分值“{cells['分值']}”不是数字")
        # 免扣
        exempt = False
        if cells["免扣"] in YES:
            exempt = True
        elif cells["免扣"] not in NO:
            problems.append(f"免扣“{cells['免扣']}”应为 是 或 否")
        if rule is not None and not unknown and names and quantity is not None and not problems:
            chosen = [departments[n] for n in names]
            try:
                record_validate(
                    year=year,
                    rule=rule,
                    departments=chosen,
                    quantity=quantity,
                    points=points,
                    level=level,
                    exempt=exempt,
                    reason=cells["理由"],
                    description=cells["说明"],
                )
            except ValidationError as exc:
                problems.extend(m for messages in exc.message_dict.values() for m in messages)
            if rule.annual:
                for name in names:
                    if (rule.code, departments[name].pk) in annual_seen:
                        problems.append(f"{rule.code} 为年度项目，{name}在本文件中出现多次")
                    annual_seen.add((rule.code, departments[name].pk))
        if problems or rule is None or quantity is None:
            errors.append(RowError(number, "；".join(problems)))
        else:
            parsed.append((date, rule, [departments[n] for n in names], quantity, points, level, exempt, cells))
    if errors:
        raise LedgerImportError(errors)
    if not parsed:
        raise LedgerImportError([RowError(2, "文件中没有台帐记录")])
    created = []
    with transaction.atomic():
        for date, rule, chosen, quantity, points, level, exempt, cells in parsed:
            status = (
                LedgerRecord.Status.PENDING
                if access.needs_confirmation(user, chosen)
                else LedgerRecord.Status.CONFIRMED
            )
            created.append(
                ledger_record_create(
                    year=year,
                    rule=rule,
                    departments=chosen,
                    recorded_by=user,
                    date=date,
                    quantity=quantity,
                    points=points,
                    level=level,
                    exempt=exempt,
                    reason=cells["理由"],
                    description=cells["说明"],
                    status=status,
                )
            )
    return created


def ledger_export(records) -> bytes:
    """The given records (e.g. a filtered changelist) as a workbook in the import template's columns, after a
    first sheet 说明: the organisation, the years and their phases, the number of records, when it was made."""

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台帐"
    append_guarded(sheet, [*HEADERS, "状态", "录入人"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    level_names = {(level.rule_id, level.code): level.name for level in RuleLevel.objects.all()}
    year_ids = set()
    count = 0
    for record in records:
        count += 1
        year_ids.add(record.year_id)
        append_guarded(
            sheet,
            [
                record.date,
                "、".join(link.department.name for link in record.record_departments.all()),
                record.rule.code,
                record.quantity,
                level_names.get((record.rule_id, record.level), record.level),
                record.points,
                "是" if record.exempt else "否",
                record.reason,
                record.description,
                record.get_status_display(),
                (record.recorded_by.get_full_name() or record.recorded_by.username) if record.recorded_by else "",
            ],
        )
    for row in sheet.iter_rows(min_row=2, min_col=1, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFGHIJK", (12, 24, 10, 8, 8, 8, 8, 30, 30, 8, 14), strict=True):
        sheet.column_dimensions[column].width = width
    chosen = list(AssessmentYear.objects.filter(pk__in=year_ids).order_by("year"))
    organisation = Organisation.current()
    cover_sheet(
        workbook,
        title=f"{organisation.name}考核台帐",
        facts=[
            ("组织", organisation.name),
            ("考核年度", "、".join(f"{y.year}年度" for y in chosen) or "（无记录）"),
            ("年度阶段", "、".join(f"{y.year}年度：{y.get_phase_display()}" for y in chosen) or "—"),
            ("记录数", f"{count} 条"),
            ("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ],
        contents=[("台帐", "所选的台帐记录，列与台帐导入模板相同，另加状态和录入人")],
    )
    return _sheet_bytes(workbook, ledger_export_title(chosen))


def ledger_export_title(years: list[AssessmentYear]) -> str:
    """What the export is called: the year's 考核台帐 when its records are of one year."""
    return f"{years[0].year}年度考核台帐" if len(years) == 1 else "考核台帐"


def ledger_export_year(records) -> int | None:
    """The one year of the records (a queryset), or None when they are of several years or none."""
    years = list(records.order_by().values_list("year__year", flat=True).distinct()[:2])
    return years[0] if len(years) == 1 else None
