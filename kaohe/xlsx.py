"""The one guard against formula injection in the workbooks the app writes.

A spreadsheet takes text starting with = + - @ (or a tab / carriage return, which some strip first) for a
formula. Every writer passes each cell it fills with user- or admin-controlled text through `text_guard`
(or appends rows with `append_guarded`): such text becomes a plain text cell with a quote prefix, so Excel
keeps it text even when the cell is edited.

`sheet_rows_read` is the one reader of uploaded workbooks (the ledger's and the target items' imports), with
their size and row limits and their refusal of formulas without a computed value.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl import load_workbook

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
