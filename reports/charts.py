"""Bar charts as inline SVG for the PDF: no plotting library, no raster images, text in the document's font."""

from __future__ import annotations

import math
from decimal import Decimal
from xml.sax.saxutils import escape

from scoring import engine

FONT = "Noto Serif CJK SC, Noto Sans CJK SC, serif"
BAR_COLOURS = {
    engine.AWARD_FIRST: "#9b1c1c",
    engine.AWARD_SECOND: "#d9822b",
    engine.AWARD_DISCRETIONARY: "#4f7cac",
}
DEFAULT_BAR = "#7b8794"
VETO_BAR = "#c7c7c7"
MAX_BARS_PER_CHART = 35  # a chart must fit on one A4 page; longer lists are split


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}"


def _axis(low: Decimal, high: Decimal) -> tuple[int, int, int]:
    """A readable axis: start, end and step in whole points."""
    span = max(float(high - low), 1.0)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= 8)
    start = math.floor(float(low) / step) * step
    end = math.ceil(float(high) / step) * step
    if end == start:
        end = start + step
    return start, end, step


def final_score_charts(departments: tuple[engine.DepartmentResult, ...]) -> list[str]:
    """Horizontal bars of the final scores, ranking order, coloured by award; vetoed bars grey."""
    scored = [d for d in departments if d.final_score is not None]
    if not scored:
        return []
    low = min(d.final_score for d in scored)
    high = max(d.final_score for d in scored)
    # The axis does not start at zero: scores cluster near 100 and the differences are what matters.
    start, end, step = _axis(min(low - 5, Decimal(80)) if low > 0 else low, high)
    start = max(start, 0)
    charts = []
    for offset in range(0, len(scored), MAX_BARS_PER_CHART):
        charts.append(_score_chart(scored[offset : offset + MAX_BARS_PER_CHART], start, end, step))
    return charts


def _score_chart(rows, start: int, end: int, step: int) -> str:
    label_w, value_w, bar_h, gap, top, width = 150, 110, 16, 6, 28, 640
    plot_w = width - label_w - value_w
    height = top + len(rows) * (bar_h + gap) + 10
    scale = plot_w / (end - start)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
    ]
    for tick in range(start, end + 1, step):
        x = label_w + (tick - start) * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 8}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" fill="#555">{tick}</text>')
    for i, dept in enumerate(rows):
        y = top + i * (bar_h + gap)
        colour = VETO_BAR if dept.vetoed else BAR_COLOURS.get(dept.award, DEFAULT_BAR)
        w = max(float(dept.final_score - start) * scale, 1.0)
        rank = f"{dept.rank}. " if dept.rank is not None else ""
        note = "（否决）" if dept.vetoed else ("" if dept.award in (engine.AWARD_NONE,) else f"（{dept.award_label}）")
        label = escape(rank + dept.name)
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end" fill="#222">{label}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        parts.append(
            f'<text x="{label_w + w + 5:.1f}" y="{y + bar_h - 4}" fill="#222">{_fmt(dept.final_score)}'
            f"{escape(note)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def category_chart(totals: list[dict]) -> str:
    """Horizontal bars: deduction points per category over all departments (bonuses listed beside)."""
    rows = [t for t in totals if t["code"] != "B" or t["deductions"]]
    if not rows:
        return ""
    label_w, value_w, bar_h, gap, top, width = 170, 150, 16, 8, 10, 640
    plot_w = width - label_w - value_w
    height = top + len(rows) * (bar_h + gap) + 6
    high = max((t["deductions"] for t in rows), default=Decimal(0)) or Decimal(1)
    scale = plot_w / float(high)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
    ]
    for i, t in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = float(t["deductions"]) * scale
        label = f"{t['code']} {t['name']}"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end" fill="#222">{escape(label)}</text>'
        )
        if w > 0:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#b45309"/>')
        parts.append(
            f'<text x="{label_w + w + 5:.1f}" y="{y + bar_h - 4}" fill="#222">'
            f"扣 {_fmt(t['deductions'])} 分（{t['records']} 条）</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
