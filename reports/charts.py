"""Horizontal bar charts of a scored year, drawn as inline SVG by templates/includes/bar_chart.html: the results
page's and the year-end PDF's. No plotting library, no JavaScript, no raster images.

A chart is built here as geometry, every bar, label, value and tick placed (`Chart`), by one function (`_chart`)
from its rows; the template writes it. What differs between the screen and the printed page (sizes, colours, the
font, where the ticks are, how the final scores are coloured and labelled) is a `Medium`: `SCREEN` or `PRINT`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from scoring import engine

ZERO = Decimal("0")
PALETTE = ("#9b1c1c", "#d97706", "#2563eb", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d")
DEDUCTION_COLOUR = "#b45309"  # the printed chart of deductions by category


@dataclass(frozen=True)
class Medium:
    # The layout, in SVG units: the labels' column, the bars' area, each bar and the space between bars.
    label_width: int
    plot_width: int
    value_width: int  # right of the bars, for the values written after them
    bar_height: int
    gap: int
    top: int  # above the first bar
    bottom: int  # below the last bar
    baseline: float  # of a label or value, below the top of its bar
    label_gap: int  # between a label and the bars
    value_gap: int  # between a bar and its value
    ticks_above: bool
    # Colours: texts, tick labels, grid lines.
    text: str
    quiet: str
    grid: str
    # The printed page has a fixed size and the document's font; the screen's chart scales with the page (CSS).
    printed: bool
    css_class: str = ""
    font: str = ""
    font_size: int = 0
    # The final scores: an axis from zero, or one fitted to the scores ("the differences are what matters");
    # the bars in one colour, or in their award's; ranked labels and award notes; at most so many bars a chart.
    scores_from_zero: bool = True
    score_colour: str = PALETTE[0]
    award_colours: dict[str, str] = dataclasses.field(default_factory=dict)
    veto_colour: str = "#6b7280"
    ranked: bool = False  # "1. name" and "102.10（二等奖）"; departments without a final score left out
    bars_per_chart: int | None = None


SCREEN = Medium(
    label_width=110,
    plot_width=440,
    value_width=50,
    bar_height=22,
    gap=10,
    top=10,
    bottom=24,
    baseline=22 * 0.72,
    label_gap=6,
    value_gap=4,
    ticks_above=False,
    text="#212529",
    quiet="#6c757d",
    grid="#dee2e6",
    printed=False,
    css_class="chart",
)
PRINT = Medium(
    label_width=150,
    plot_width=380,
    value_width=110,
    bar_height=16,
    gap=6,
    top=28,
    bottom=10,
    baseline=12,
    label_gap=8,
    value_gap=5,
    ticks_above=True,
    text="#222",
    quiet="#555",
    grid="#e3e3e3",
    printed=True,
    font="Noto Serif CJK SC, Noto Sans CJK SC, serif",
    font_size=11,
    scores_from_zero=True,  # a printed bar's length is its score: the axis starts at 0
    score_colour="#7b8794",
    award_colours={
        engine.AWARD_FIRST: "#9b1c1c",
        engine.AWARD_SECOND: "#d9822b",
        engine.AWARD_DISCRETIONARY: "#4f7cac",
    },
    veto_colour="#c7c7c7",
    ranked=True,
    bars_per_chart=35,  # a chart must fit on one A4 page; longer lists are split
)
# The printed chart of categories: longer labels and values, no ticks above.
PRINT_CATEGORIES = dataclasses.replace(PRINT, label_width=170, plot_width=320, value_width=150, gap=8, top=10, bottom=6)


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    colour: str
    title: str  # the tooltip


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    medium: Medium
    title: str
    width: int
    height: int
    labels: tuple[Text, ...]
    bars: tuple[Bar, ...]
    values: tuple[Text, ...]
    ticks: tuple[Tick, ...]
    grid: tuple[float, float]  # the tick lines' top and bottom
    tick_y: float  # the tick labels' baseline
    legend: tuple[tuple[str, str], ...] = ()  # (name, colour), for the page to show beside the chart


@dataclass(frozen=True)
class Row:
    label: str
    segments: tuple[tuple[Decimal, str, str], ...]  # (value, colour, tooltip), stacked from zero
    value: str = ""  # written after the bar


@dataclass(frozen=True)
class Axis:
    start: Decimal
    end: Decimal
    step: Decimal | None  # None: no ticks

    @classmethod
    def fitted(cls, low: Decimal, high: Decimal, steps: Sequence[int], most: int) -> Axis:
        """From `low` to `high` in the first of `steps` that gives at most `most` steps (else the last)."""
        span = max(float(high - low), 1.0)
        step = next((s for s in steps if span / s <= most), steps[-1])
        start = math.floor(float(low) / step) * step
        end = math.ceil(float(high) / step) * step
        if end == start:
            end = start + step
        return cls(Decimal(start), Decimal(end), Decimal(step))


def _chart(medium: Medium, title: str, rows: Sequence[Row], axis: Axis, legend=()) -> Chart:
    """The one layout of every chart: a row per label, its segments end to end, its value after them."""
    pitch = medium.bar_height + medium.gap
    height = medium.top + len(rows) * pitch + medium.bottom
    scale = medium.plot_width / float(axis.end - axis.start)
    labels, bars, values = [], [], []
    for i, row in enumerate(rows):
        y = medium.top + i * pitch
        labels.append(Text(medium.label_width - medium.label_gap, round(y + medium.baseline, 1), row.label))
        # The segments are stacked from zero; what lies before the axis' start is not drawn.
        reached, x = ZERO, float(medium.label_width)
        for value, colour, tip in row.segments:
            reached += value
            width = float(max(reached - max(axis.start, reached - value), ZERO)) * scale
            if row.value:  # a bar with its value written after it shows at least a sliver
                width = max(width, 1.0)
            bars.append(Bar(round(x, 1), y, round(width, 1), colour, tip))
            x += width
        if row.value:
            values.append(Text(round(x + medium.value_gap, 1), round(y + medium.baseline, 1), row.value))
    ticks: tuple[Tick, ...] = ()
    if axis.step is not None:
        count = int((axis.end - axis.start) / axis.step)
        ticks = tuple(
            Tick(round(medium.label_width + medium.plot_width * i / count, 1), format(axis.start + axis.step * i, "f"))
            for i in range(count + 1)
        )
    if medium.ticks_above:
        grid, tick_y = (medium.top - 6, height - 8), medium.top - 10
    else:
        grid, tick_y = (4, height - 18), height - 4
    width = medium.label_width + medium.plot_width + medium.value_width
    return Chart(medium, title, width, height, tuple(labels), tuple(bars), tuple(values), ticks, grid, tick_y, legend)


def final_score_charts(
    departments: Sequence[engine.DepartmentResult], medium: Medium, full_score: Decimal = engine.BASE_SCORE
) -> list[Chart]:
    """Horizontal bars of the final scores, in ranking order; vetoed departments' bars grey. One chart, or on
    paper one per `bars_per_chart` departments on the same axis (from 0 to at least the scheme's `full_score`),
    and there none when no department has a final score; on screen a department without one keeps its label."""
    scored = [d for d in departments if d.final_score is not None]
    scores = [d.final_score for d in scored if d.final_score is not None]
    if medium.ranked and not scores:
        return []
    if medium.scores_from_zero:
        # Steps of 20 on the 百分制; a scheme of another full score gets the step that fits it.
        steps = (20,) if full_score == engine.BASE_SCORE else (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
        axis = Axis.fitted(ZERO, max([*scores, full_score]), steps, 10)
    else:
        low, high = min(scores), max(scores)
        axis = Axis.fitted(min(low - 5, Decimal(80)) if low > 0 else low, high, (1, 2, 5, 10, 20, 25, 50, 100), 8)
        axis = dataclasses.replace(axis, start=max(axis.start, ZERO))
    rows: list[Row] = []
    for dept in scored if medium.ranked else departments:
        if dept.final_score is None:  # on screen: the department's label, without a bar
            rows.append(Row(dept.name, ()))
            continue
        colour = medium.veto_colour if dept.vetoed else medium.award_colours.get(dept.award, medium.score_colour)
        label, value = dept.name, format(dept.final_score, "f")
        if medium.ranked:
            label = f"{dept.rank}. {label}" if dept.rank is not None else label
            if dept.vetoed:
                value += "（否决）"
            elif dept.award != engine.AWARD_NONE:
                value += f"（{dept.award_label}）"
        rows.append(Row(label, ((dept.final_score, colour, f"{dept.name}：{dept.final_score}"),), value))
    legend: tuple[tuple[str, str], ...] = ()
    if medium.award_colours:  # what the colours mean, for the page to show
        legend = (
            *((engine.AWARD_LABELS[award], colour) for award, colour in medium.award_colours.items()),
            ("其他", medium.score_colour),
            ("否决", medium.veto_colour),
        )
    size = medium.bars_per_chart or max(len(rows), 1)
    return [_chart(medium, "各部室最终得分柱状图", rows[i : i + size], axis, legend) for i in range(0, len(rows), size)]


def deductions_chart(
    departments: Sequence[engine.DepartmentResult], categories: Sequence[tuple[str, str]], medium: Medium = SCREEN
) -> Chart:
    """Stacked horizontal bars: each department's deductions by category (positive lengths), with the legend of
    the categories drawn."""
    colours = {code: PALETTE[(i + 1) % len(PALETTE)] for i, (code, _) in enumerate(categories)}
    totals = [sum((-v for v in d.by_category.values() if v < 0), ZERO) for d in departments]
    axis = Axis.fitted(ZERO, max([*totals, Decimal(5)]), (2, 5), 5)
    rows, used = [], set()
    for dept in departments:
        segments = []
        for code, name in categories:
            value = -dept.by_category.get(code, ZERO)
            if value > 0:
                segments.append((value, colours[code], f"{dept.name} {name}：{format(value.normalize(), 'f')}"))
                used.add(code)
        rows.append(Row(dept.name, tuple(segments)))
    legend = tuple((name, colours[code]) for code, name in categories if code in used)
    return _chart(medium, "各部室扣分按类别堆积图", rows, axis, legend)


def category_chart(totals: list[dict], medium: Medium = PRINT_CATEGORIES) -> Chart | None:
    """Horizontal bars: deduction points per category over all departments, and their records (reports.data.
    category_totals); a category of bonus rules only if it has deductions. None when there is no category to draw."""
    shown = [t for t in totals if not t["bonus_only"] or t["deductions"]]
    if not shown:
        return None
    high = max(t["deductions"] for t in shown) or Decimal(1)
    rows = [
        Row(
            f"{t['code']} {t['name']}",
            ((t["deductions"], DEDUCTION_COLOUR, f"{t['code']} {t['name']}"),) if t["deductions"] else (),
            f"扣 {t['deductions']:.2f} 分（{t['records']} 条）",
        )
        for t in shown
    ]
    return _chart(medium, "各类别扣分", rows, Axis(ZERO, high, None))


def trend_charts(
    points: Sequence[tuple[str, engine.DepartmentResult | None]],
    categories: Sequence[tuple[str, str]],
    medium: Medium = SCREEN,
) -> list[Chart]:
    """One department over the years (reports.trends): its final scores, a bar a year labelled with its rank and
    award, and its deductions by category stacked, a bar a year. `points` are (year label, the department's
    result that year or None)."""
    scores = [r.final_score for _, r in points if r is not None and r.final_score is not None]
    axis = Axis.fitted(ZERO, max([*scores, engine.BASE_SCORE]), (20,), 10)
    rows = []
    for label, dept in points:
        if dept is None or dept.final_score is None:
            rows.append(Row(label, (), "未参评" if dept is None else "—"))
            continue
        note = f"{dept.final_score}（第{dept.rank}名" if dept.rank is not None else f"{dept.final_score}（"
        note += f"，{dept.award_label}）" if dept.award != engine.AWARD_NONE else "）"
        colour = medium.veto_colour if dept.vetoed else PALETTE[0]
        rows.append(Row(label, ((dept.final_score, colour, f"{label}：{dept.final_score}"),), note))
    wide = dataclasses.replace(medium, value_width=max(medium.value_width, 170))
    scores_chart = _chart(wide, "历年最终得分", rows, axis)
    colours = {code: PALETTE[(i + 1) % len(PALETTE)] for i, (code, _) in enumerate(categories)}
    totals = [sum((-v for v in dept.by_category.values() if v < 0), ZERO) for _, dept in points if dept is not None]
    axis = Axis.fitted(ZERO, max([*totals, Decimal(5)]), (1, 2, 5), 5)
    stacked: list[Row] = []
    used = set()
    for label, dept in points:
        segments: list[tuple[Decimal, str, str]] = []
        for code, name in categories:
            deducted = -dept.by_category.get(code, ZERO) if dept is not None else ZERO
            if deducted > 0:
                segments.append((deducted, colours[code], f"{label} {name}：{format(deducted.normalize(), 'f')}"))
                used.add(code)
        total = sum((s[0] for s in segments), ZERO)
        stacked.append(Row(label, tuple(segments), f"扣 {total:.2f}" if dept is not None else "未参评"))
    legend = tuple((name, colours[code]) for code, name in categories if code in used)
    return [scores_chart, _chart(medium, "历年扣分按类别", stacked, axis, legend)]
