"""The one guard against formula injection in the workbooks the app writes.

A spreadsheet takes text starting with = + - @ (or a tab / carriage return, which some strip first) for a
formula. Every writer passes each cell it fills with user- or admin-controlled text through `text_guard`
(or appends rows with `append_guarded`): such text becomes a plain text cell with a quote prefix, so Excel
keeps it text even when the cell is edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
