"""Server-side SVG charts of a YearResult: their geometry, and the inline SVG that draws it (no JavaScript, no
internet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from scoring import engine

ZERO = Decimal("0")
PALETTE = ("#9b1c1c", "#d97706", "#2563eb", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d")

LABEL_WIDTH = 110
PLOT_WIDTH = 440
BAR_HEIGHT = 22
GAP = 10
TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    width: float
    color: str
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[tuple[str, float], ...]  # (text, y of its baseline)
    ticks: tuple[tuple[str, float], ...]  # (text, x)
    legend: tuple[tuple[str, str], ...] = ()  # (name, color)
    axis_y: float = 0


def _ticks(maximum: Decimal, step: Decimal) -> tuple[tuple[str, float], ...]:
    steps = int(maximum / step)
    return tuple((format(step * i, "f"), LABEL_WIDTH + PLOT_WIDTH * i / steps) for i in range(steps + 1))


def _scale(maximum: Decimal, value: Decimal) -> float:
    return float(PLOT_WIDTH * value / maximum) if maximum else 0.0


def final_scores_chart(depts: Sequence[engine.DepartmentResult]) -> Chart:
    """Horizontal bars of the final scores, in ranking order (incomplete departments show no bar)."""
    top = max([d.final_score or ZERO for d in depts] + [Decimal("100")])
    maximum = (top / 20).to_integral_value(rounding="ROUND_CEILING") * 20
    bars, labels = [], []
    for i, dept in enumerate(depts):
        y = TOP + i * (BAR_HEIGHT + GAP)
        labels.append((dept.name, y + BAR_HEIGHT * 0.72))
        if dept.final_score is None:
            continue
        color = "#6b7280" if dept.vetoed else PALETTE[0]
        bars.append(
            Bar(
                dept.name,
                dept.final_score,
                LABEL_WIDTH,
                y,
                _scale(maximum, dept.final_score),
                color,
                format(dept.final_score, "f"),
            )
        )
    height = TOP + len(depts) * (BAR_HEIGHT + GAP) + 24
    return Chart(
        LABEL_WIDTH + PLOT_WIDTH + 50,
        height,
        tuple(bars),
        tuple(labels),
        _ticks(maximum, Decimal("20")),
        axis_y=height - 18,
    )


def deductions_chart(depts: Sequence[engine.DepartmentResult], categories: Sequence[tuple[str, str]]) -> Chart:
    """Stacked horizontal bars: each department's deductions by category (positive lengths)."""
    colors = {code: PALETTE[(i + 1) % len(PALETTE)] for i, (code, _) in enumerate(categories)}
    totals = [sum((-v for v in d.by_category.values() if v < 0), ZERO) for d in depts]
    top = max(totals + [Decimal("5")])
    step = Decimal("2") if top <= 10 else Decimal("5")
    maximum = (top / step).to_integral_value(rounding="ROUND_CEILING") * step
    bars, labels = [], []
    used: set[str] = set()
    for i, dept in enumerate(depts):
        y = TOP + i * (BAR_HEIGHT + GAP)
        labels.append((dept.name, y + BAR_HEIGHT * 0.72))
        x = float(LABEL_WIDTH)
        for code, name in categories:
            value = -dept.by_category.get(code, ZERO)
            if value <= 0:
                continue
            width = _scale(maximum, value)
            bars.append(Bar(f"{dept.name} {name}", value, x, y, width, colors[code], format(value.normalize(), "f")))
            used.add(code)
            x += width
    height = TOP + len(depts) * (BAR_HEIGHT + GAP) + 24
    legend = tuple((name, colors[code]) for code, name in categories if code in used)
    return Chart(
        LABEL_WIDTH + PLOT_WIDTH + 50,
        height,
        tuple(bars),
        tuple(labels),
        _ticks(maximum, step),
        legend,
        axis_y=height - 18,
    )


def chart_svg(chart: Chart, title: str, *, show_values: bool = False) -> SafeString:
    """The chart as inline SVG, with its legend. Written here rather than in a template: a results page draws
    two charts of 30 departments, some 250 elements, about a third of the page's CPU through the template engine.
    Every text is escaped; numbers are written with one decimal."""
    title = escape(title)
    parts = [
        f'<svg class="chart" viewBox="0 0 {chart.width} {chart.height}" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{title}</title>",
    ]
    for text, x in chart.ticks:
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{chart.axis_y:.1f}" stroke="#dee2e6" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{chart.height - 4}" text-anchor="middle" fill="#6c757d">{escape(text)}</text>'
        )
    for text, y in chart.labels:
        parts.append(f'<text x="104" y="{y:.1f}" text-anchor="end" fill="#212529">{escape(text)}</text>')
    for bar in chart.bars:
        value = escape(bar.text)
        parts.append(
            f'<rect x="{bar.x:.1f}" y="{bar.y:.1f}" width="{bar.width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{escape(bar.color)}"><title>{escape(bar.label)}：{value}</title></rect>'
        )
        if show_values:
            parts.append(f'<text x="{bar.x + bar.width:.1f}" dx="4" y="{bar.y + 16:.1f}" fill="#212529">{value}</text>')
    parts.append("</svg>")
    if chart.legend:
        items = "".join(
            '<li class="list-inline-item"><span class="d-inline-block me-1 align-middle" '
            f'style="width:12px;height:12px;background:{escape(color)}"></span>{escape(name)}</li>'
            for name, color in chart.legend
        )
        parts.append(f'<ul class="list-inline small mb-0">{items}</ul>')
    return mark_safe("\n".join(parts))
