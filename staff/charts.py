"""Server-side SVG charts of a YearResult: geometry only; the templates draw it (no JavaScript, no internet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

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
