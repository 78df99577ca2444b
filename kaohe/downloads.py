"""The names of the files the app hands out, one pattern for every download and for `manage.py year_report`:
the year with 年度 once, then the department, then the document, then a detail in full-width brackets —
"2023年度考核结果.xlsx", "2023年度考核报告.pdf", "2023年度办公室自评表.pdf", "2023年度民主测评码（机关全体人员）.pdf".

`attachment` sets the response's Content-Disposition (RFC 6266 with the RFC 5987 `filename*` for the Chinese
name, Django's `content_disposition_header`), nosniff, and no caching of the file on the way.
"""

from __future__ import annotations

import re
from typing import TypeVar

from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

_Response = TypeVar("_Response", bound=HttpResponseBase)

# What a file name may not hold on Windows, macOS or Linux: such characters in a department's name become "_".
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _clean(text: str) -> str:
    return _UNSAFE.sub("_", text).strip()


def download_name(document: str, ext: str, *, year: int | None = None, department: str = "", detail: str = "") -> str:
    """The file name: "{year}年度{department}{document}（{detail}）.{ext}", each part only when given."""
    name = f"{year}年度" if year is not None else ""
    name += _clean(department) + _clean(document)
    if detail:
        name += f"（{_clean(detail)}）"
    return f"{name}.{ext}"


def attachment(response: _Response, filename: str) -> _Response:
    """Send `response` as a download named `filename`."""
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
