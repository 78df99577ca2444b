"""The bar charts of reports.charts, for the results page (SCREEN) and the year-end PDF (PRINT), and their one
template (includes/bar_chart.html): exact geometry on the demo year, exact markup with every text escaped."""

import dataclasses
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from reports import charts
from reports.charts import PRINT, SCREEN, Bar, Chart, Text, Tick
from reports.data import year_report
from results.cache import year_result

pytestmark = pytest.mark.django_db

NAMES = ["宣教调研室", "生活保障部", "办公室", "组织部", "经济工作部", "民管法工部", "女职工部"]


def test_screen_final_scores_from_zero_in_one_colour_vetoed_grey(demo_year):
    (chart,) = charts.final_score_charts(year_result(demo_year).departments, SCREEN)

    assert (chart.width, chart.height, chart.grid, chart.tick_y) == (600, 258, (4, 240), 254)
    assert [(t.x, t.text) for t in chart.ticks] == [
        (110.0, "0"), (183.3, "20"), (256.7, "40"), (330.0, "60"), (403.3, "80"), (476.7, "100"), (550.0, "120"),
    ]  # fmt: skip
    assert chart.labels == tuple(Text(104, 25.8 + 32 * i, name) for i, name in enumerate(NAMES))
    assert [(b.x, b.y, b.width, b.colour) for b in chart.bars] == [
        (110.0, 10, 380.6, "#6b7280"),
        *((110.0, 42, 376.9, "#9b1c1c"), (110.0, 74, 374.4, "#9b1c1c"), (110.0, 106, 354.9, "#9b1c1c")),
        *((110.0, 138, 346.4, "#9b1c1c"), (110.0, 170, 335.1, "#9b1c1c"), (110.0, 202, 316.8, "#9b1c1c")),
    ]
    assert chart.bars[0].title == "宣教调研室：103.80"
    assert chart.legend == ()  # the page says in words that grey is vetoed
    assert [(v.x, v.text) for v in chart.values] == [
        (494.6, "103.80"), (490.9, "102.80"), (488.4, "102.10"), (468.9, "96.80"), (460.4, "94.48"),
        (449.1, "91.40"), (430.8, "86.40"),
    ]  # fmt: skip


def test_print_final_scores_from_zero_ranked_and_coloured_by_award(demo_year):
    (chart,) = charts.final_score_charts(year_result(demo_year).departments, PRINT)

    assert (chart.width, chart.height, chart.grid, chart.tick_y) == (640, 192, (22, 184), 18)
    # A printed bar's length is its score: 0 to 120 (the highest score, 103.80, above the 百分制's 100).
    assert [(t.x, t.text) for t in chart.ticks] == [
        (150.0, "0"), (213.3, "20"), (276.7, "40"), (340.0, "60"), (403.3, "80"), (466.7, "100"), (530.0, "120"),
    ]  # fmt: skip
    assert [label.text for label in chart.labels] == [f"{i}. {name}" for i, name in enumerate(NAMES, start=1)]
    assert [(b.width, b.colour) for b in chart.bars] == [
        (328.7, "#c7c7c7"), (325.5, "#9b1c1c"), (323.3, "#d9822b"), (306.5, "#d9822b"),
        (299.2, "#7b8794"), (289.4, "#7b8794"), (273.6, "#7b8794"),
    ]  # fmt: skip
    assert chart.legend == (
        *(("一等奖", "#9b1c1c"), ("二等奖", "#d9822b"), ("酌情奖励", "#4f7cac")),
        *(("其他", "#7b8794"), ("否决", "#c7c7c7")),
    )
    assert [(v.x, v.y, v.text) for v in chart.values[:5]] == [
        (483.7, 40, "103.80（否决）"), (480.5, 62, "102.80（一等奖）"), (478.3, 84, "102.10（二等奖）"),
        (461.5, 106, "96.80（二等奖）"), (454.2, 128, "94.48"),
    ]  # fmt: skip


def test_print_final_scores_split_on_one_axis_and_left_out_without_a_final_score(demo_year):
    departments = list(year_result(demo_year).departments)
    departments[1] = dataclasses.replace(departments[1], final_score=None)

    split = charts.final_score_charts(departments, dataclasses.replace(PRINT, bars_per_chart=4))
    screen = charts.final_score_charts(departments, SCREEN)[0]

    assert [[label.text for label in chart.labels] for chart in split] == [
        ["1. 宣教调研室", "3. 办公室", "4. 组织部", "5. 经济工作部"],
        ["6. 民管法工部", "7. 女职工部"],
    ]
    assert split[0].ticks == split[1].ticks
    assert [chart.height for chart in split] == [28 + 4 * 22 + 10, 28 + 2 * 22 + 10]
    assert [label.text for label in screen.labels] == NAMES  # on screen its label stays, without a bar
    assert len(screen.bars) == len(screen.values) == 6
    no_scores = [dataclasses.replace(d, final_score=None) for d in departments]
    assert charts.final_score_charts(no_scores, PRINT) == []
    assert [t.text for t in charts.final_score_charts(no_scores, SCREEN)[0].ticks][-1] == "100"


def test_deductions_stacked_by_category_with_the_legend_of_those_drawn(demo_year):
    result = year_result(demo_year)

    chart = charts.deductions_chart(result.departments[:2], result.categories)

    assert [(t.x, t.text) for t in chart.ticks] == [(110.0, "0"), (256.7, "2"), (403.3, "4"), (550.0, "6")]
    assert chart.bars == (
        Bar(110.0, 10, 73.3, "#2563eb", "宣教调研室 集中学习和月度例会：1"),
        Bar(183.3, 10, 220.0, "#7c3aed", "宣教调研室 联系基层和完成调研报告：3"),
        Bar(110.0, 42, 73.3, "#2563eb", "生活保障部 集中学习和月度例会：1"),
        Bar(183.3, 42, 73.3, "#0891b2", "生活保障部 文明机关建设：1"),
    )
    assert chart.values == ()
    assert chart.legend == (
        ("集中学习和月度例会", "#2563eb"),
        ("联系基层和完成调研报告", "#7c3aed"),
        ("文明机关建设", "#0891b2"),
    )
    full = charts.deductions_chart(result.departments, result.categories)
    assert [t.text for t in full.ticks] == ["0", "5", "10", "15"]  # 12 points at most: steps of 5


def test_category_chart_of_the_year_without_the_bonus_category(demo_year):
    chart = charts.category_chart(year_report(demo_year).category_totals)

    assert (chart.width, chart.height, chart.ticks) == (640, 184, ())
    assert [label.text for label in chart.labels] == [
        "T 完成工作任务", "S 集中学习和月度例会", "P 信访接待", "G 联系基层和完成调研报告", "I 信息报送工作",
        "C 文明机关建设", "D 扣分项目",
    ]  # fmt: skip
    assert [(b.x, b.y, b.width) for b in chart.bars[:2]] == [(170.0, 10, 304.0), (170.0, 34, 224.0)]
    assert chart.bars[-1].width == 320.0  # the largest, D: the whole plot
    assert [(v.x, v.text) for v in chart.values[:2]] == [(479.0, "扣 9.50 分（6 条）"), (399.0, "扣 7.00 分（7 条）")]
    nothing = [
        {
            "code": "B",
            "name": "加分项目",
            "deductions": Decimal("0"),
            "bonuses": Decimal("3"),
            "records": 1,
            "bonus_only": True,
        }
    ]
    assert charts.category_chart(nothing) is None


def _chart(medium) -> Chart:
    return Chart(
        medium=medium,
        title="扣分 <图>",
        width=600,
        height=70,
        labels=(Text(104, 25.8, "办<公>室"),),
        bars=(Bar(110.0, 10, 88.0, "#d97706", "办<公>室 纪律：2"),),
        values=(Text(202.0, 25.8, "2 & 3"),),
        ticks=(Tick(110.0, "0"), Tick(550.0, "10")),
        grid=(4, 52),
        tick_y=66,
    )


def _lines(html: str) -> list[str]:
    return [line for line in html.split("\n") if line.strip()]


def test_template_draws_ticks_labels_bars_and_values_with_every_text_escaped():
    screen = _lines(render_to_string("includes/bar_chart.html", {"chart": _chart(SCREEN)}))
    printed = _lines(render_to_string("includes/bar_chart.html", {"chart": _chart(PRINT)}))

    assert screen == [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 70" class="chart" role="img" '
        'aria-label="扣分 &lt;图&gt;">',
        "<title>扣分 &lt;图&gt;</title>",
        '<line x1="110.0" y1="4" x2="110.0" y2="52" stroke="#dee2e6" stroke-width="1"/>',
        '<text x="110.0" y="66" text-anchor="middle" fill="#6c757d">0</text>',
        '<line x1="550.0" y1="4" x2="550.0" y2="52" stroke="#dee2e6" stroke-width="1"/>',
        '<text x="550.0" y="66" text-anchor="middle" fill="#6c757d">10</text>',
        '<text x="104" y="25.8" text-anchor="end" fill="#212529">办&lt;公&gt;室</text>',
        '<rect x="110.0" y="10" width="88.0" height="22" fill="#d97706"><title>办&lt;公&gt;室 纪律：2</title></rect>',
        '<text x="202.0" y="25.8" fill="#212529">2 &amp; 3</text>',
        "</svg>",
    ]
    assert printed[0] == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 70" width="600" height="70" '
        'font-family="Noto Serif CJK SC, Noto Sans CJK SC, serif" font-size="11" role="img" '
        'aria-label="扣分 &lt;图&gt;">'
    )
    assert printed[2] == '<line x1="110.0" y1="4" x2="110.0" y2="52" stroke="#e3e3e3" stroke-width="1"/>'
    assert printed[7] == (
        '<rect x="110.0" y="10" width="88.0" height="16" fill="#d97706"><title>办&lt;公&gt;室 纪律：2</title></rect>'
    )
