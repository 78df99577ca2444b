"""The one guard against formula injection in the workbooks the app writes.

A spreadsheet takes text starting with = + - @ (or a tab / carriage return, which some strip first) for a
formula. Every writer passes each cell it fills with user- or admin-controlled text through `text_guard`
(or appends rows with `append_guarded`): such text becomes a plain text cell with a quote prefix, so Excel
keeps it text even when the cell is edited.

`sheet_rows_read` is the one reader of uploaded workbooks (the ledger's and the target items' imports), with
their size and row limits and their refusal of formulas without a computed value.

`page_setup` and `sheet_print_ready` make a sheet print (A4, one page wide, header rows repeated, the organisation,
year and page number in its header and footer, the CJK font `CJK_FONT`, rows as high as their wrapped text).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_guard(cell):
    """Make `cell` a literal text cell when its text could be taken for a formula; return the cell."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_guarded(sheet, values: Iterable[Any]) -> None:
    """`sheet.append(values)` on a normal (not write-only) sheet, every cell of the new row guarded."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        text_guard(cell)


class SheetRowsError(Exception):
    """A workbook refused whole: `errors` are (row number, message in Chinese); row 0 is the file itself."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("\n".join(f"{row}: {message}" for row, message in errors))
        self.errors = errors


def _sheet_rows(data: bytes, sheet_name: str, width: int, *, formulas: bool) -> Iterator[tuple]:
    """The rows of the named sheet (else the first), streamed: the cached values, or (`formulas`) the formulas as
    written."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetRowsError([(0, "文件不是有效的 Excel 工作簿（.xlsx）。")]) from None
    sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
    return sheet.iter_rows(values_only=True, max_col=width)


def sheet_rows_read(
    data: bytes, *, sheet_name: str, headers: Sequence[str], max_bytes: int, max_rows: int
) -> list[tuple]:
    """An uploaded workbook's rows (the header row first) as values, of the columns `headers` names; refused
    whole (SheetRowsError) when the file is larger than `max_bytes`, is not a workbook, has more than `max_rows`
    rows below the header, or has a formula whose result was never computed (a workbook written by a program
    other than a spreadsheet keeps none, and its cell would import as empty)."""
    if len(data) > max_bytes:
        raise SheetRowsError([(0, f"文件超过 {max_bytes // (1 << 20)} MB，请分批导入。")])
    rows = []
    errors = []
    width = len(headers)
    values = _sheet_rows(data, sheet_name, width, formulas=False)
    written = _sheet_rows(data, sheet_name, width, formulas=True)
    for number, (row, formulas) in enumerate(zip(values, written, strict=False), start=1):
        if number > max_rows + 1:  # the header row, then at most max_rows rows
            raise SheetRowsError([(number, f"文件超过 {max_rows} 行记录，请分批导入。")])
        for column, (value, formula) in enumerate(zip(row, formulas, strict=False)):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                what = f"“{headers[column]}”列是没有计算结果的公式 {formula}"
                errors.append((number, f"{what}，请在 Excel 中重新计算后保存，或粘贴为数值"))
        rows.append(row)
    if errors:
        raise SheetRowsError(errors)
    return rows


# ---------------------------------------------------------------------------------------------------------
# Printing: every sheet the app writes prints on A4, one page wide, its header rows repeated on every page,
# the organisation, the year and the page number in its header and footer, in a CJK font.

# The font of every styled cell. Excel and WPS know SimSun by its Chinese name 宋体 (on every Chinese Windows);
# the GB2312 charset (134) makes a spreadsheet that lacks it substitute a Chinese font, not a Latin one (LibreOffice
# on Debian draws it with Noto Sans CJK SC, fonts-noto-cjk).
CJK_FONT = "宋体"
CJK_CHARSET = 134
FONT_SIZE = 11
LINE_HEIGHT = 15.0  # points per line of 11-point CJK text (Excel's default row is 13.5 for Latin text)
HEADER_FILL = PatternFill("solid", fgColor="F1ECEB")
HEADER_BORDER = Border(bottom=Side(style="thin", color="777777"))
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
# Printable width of an A4 page with the margins below, in column-width units (a unit is about 1.9 mm): a sheet
# wider than a portrait page prints landscape; one wider than that still prints one page wide, scaled down.
PORTRAIT_UNITS = 92
PAGE_FOOTER = "第 &P 页 共 &N 页"


def cjk_font(*, bold: bool = False, size: float = FONT_SIZE) -> Font:
    return Font(name=CJK_FONT, charset=CJK_CHARSET, size=size, bold=bold)


def display_width(text: str) -> int:
    """Columns a text needs in a spreadsheet: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text: Any, width: float) -> int:
    """Lines a text wraps to in a column `width` units wide (a cell's padding taken off)."""
    if text is None or text == "":
        return 1
    room = max(int(width) - 1, 2)
    return sum(max(1, -(-display_width(line) // room)) for line in str(text).split("\n"))


def row_height(lines: int) -> float:
    return round(LINE_HEIGHT * max(lines, 1) + 3, 1)


def header_text(text: str) -> str:
    """Text for a printed header: "&" starts a code there (&P is the page number), "&&" prints one."""
    return text.replace("&", "&&")


def page_setup_before_rows(sheet, widths: Sequence[float]) -> None:
    """What a write-only sheet must be told before its first row: fit to one page wide (any number tall)."""
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.page_setup.orientation = "landscape" if sum(widths) > PORTRAIT_UNITS else "portrait"


def page_setup(sheet, *, widths: Sequence[float], header_rows: int, left: str, right: str) -> None:
    """A4, one page wide, landscape when wider than a portrait page, the first `header_rows` rows repeated on every
    page, `left` and `right` in the page header (organisation; year and document), the page number in the footer.
    On a write-only sheet, call `page_setup_before_rows` before its first row as well."""
    page_setup_before_rows(sheet, widths)
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    if header_rows:
        sheet.print_title_rows = f"1:{header_rows}"
    for part, text in ((sheet.oddHeader.left, left), (sheet.oddHeader.right, right)):
        part.text = header_text(text)
        part.font = f"{CJK_FONT},Regular"
        part.size = 9
    sheet.oddFooter.center.text = PAGE_FOOTER
    sheet.oddFooter.center.font = f"{CJK_FONT},Regular"
    sheet.oddFooter.center.size = 9


def sheet_print_ready(sheet, *, header_rows: int = 1, left: str, right: str, wrap_over: int = 80) -> None:
    """Finish a normal (not write-only) sheet for print: every filled cell in the CJK font (bold where it was),
    the header rows shaded, text longer than its column wrapped (columns wider than `wrap_over` are capped there)
    with the row as high as its lines, and the page set up as `page_setup` says."""
    widths = []
    for index in range(1, sheet.max_column + 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        width = dimension.width if dimension.customWidth else 9.0
        if width > wrap_over:
            width = dimension.width = float(wrap_over)
        widths.append(width)
    for row in sheet.iter_rows():
        lines = 1
        for cell in row:
            if cell.value is None:
                continue
            header = cell.row <= header_rows
            cell.font = cjk_font(bold=header or bool(cell.font and cell.font.bold))
            if header:
                cell.fill = HEADER_FILL
                cell.border = HEADER_BORDER
            width = widths[cell.column - 1]
            if isinstance(cell.value, str) and (display_width(cell.value) > width - 1 or "\n" in cell.value):
                cell.alignment = HEADER_ALIGNMENT if header else WRAP
                lines = max(lines, wrapped_lines(cell.value, width))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = row_height(lines)
    page_setup(sheet, widths=widths, header_rows=header_rows, left=left, right=right)


def cover_sheet(workbook, *, title: str, facts: Sequence[tuple[str, str]], contents: Sequence[tuple[str, str]]):
    """A first sheet 说明 in a normal workbook: its title, where it comes from (`facts`: organisation, year, phase,
    time made…) and what each sheet holds (`contents`). Call `sheet_print_ready` on it like on any sheet."""
    sheet = workbook.create_sheet("说明", 0)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 78
    append_guarded(sheet, [title])
    sheet.append([])
    for label, value in facts:
        append_guarded(sheet, [label, value])
    sheet.append([])
    sheet.append(["工作表", "内容"])
    for name, text in contents:
        append_guarded(sheet, [name, text])
    for row in sheet.iter_rows():
        for cell in row:
            if cell.column == 1 or cell.row == 1 or cell.value == "内容":
                cell.font = Font(bold=True)
    workbook.active = 0
    return sheet
