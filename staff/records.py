"""A department's scored lines as the list items of its page (staff/department_detail.html).

Written here rather than in the template, like the admin breakdown's rows (reviews.admin._line_row): a department
at province scale has a hundred lines, and through the template engine they were a third of the page's CPU. Every
value is escaped.
"""

from __future__ import annotations

from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reviews.selectors import RecordRow
from scoring.engine import Line


def line_items(rows: list[tuple[Line, RecordRow | None, str]]) -> list[SafeString]:
    """One `<li>` per (line, its record or None, its rule's text) of the department page."""
    return [mark_safe(line_item(*row)) for row in rows]


def line_item(line: Line, record: RecordRow | None, text: str) -> str:
    date = f"{record.date:%Y-%m-%d}" if record else ""
    quantity = f" × {localize(line.quantity)}" if line.quantity > 1 else ""
    if line.veto:
        points = '<span class="badge text-bg-danger">否决</span>'
    elif line.exempt:
        points = '<span class="badge text-bg-secondary">免扣</span> 0'
    else:
        css = "text-danger" if line.points < 0 else "text-success"
        points = f'<span class="{css}">{"+" if line.points > 0 else ""}{localize(line.points)}</span>'
    if line.halved:
        points += ' <span class="small text-muted fw-normal">共享减半</span>'
    notes = ""
    if record and record.description:
        notes += f'<div class="small text-muted">{escape(record.description)}</div>'
    if record and record.reason:
        notes += f'<div class="small">理由：{escape(record.reason)}</div>'
    evidence = (
        "、".join(f'<a href="{escape(url)}">{escape(name)}</a>' for name, url in record.evidence) if record else ""
    )
    rule = escape(line.rule)
    return (
        '<li class="list-group-item"><div class="d-flex justify-content-between gap-2">'
        f'<div><span class="text-muted text-nowrap">{date}</span> · <strong>{rule}</strong>{quantity}</div>'
        f'<div class="num fw-semibold">{points}</div></div>'
        f'<div class="small">{escape(text)}</div>{notes}'
        f'<div class="small">佐证材料：{evidence or "无"}</div></li>'
    )
