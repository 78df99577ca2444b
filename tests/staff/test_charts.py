"""The results page's charts drawn as inline SVG (staff.charts.chart_svg): exact markup, every text escaped."""

from decimal import Decimal

from staff.charts import Bar, Chart, chart_svg


def test_chart_svg_draws_ticks_labels_bars_values_and_legend_with_every_text_escaped():
    chart = Chart(
        width=600,
        height=70,
        bars=(
            Bar("办<公>室 纪律", Decimal("2"), 110, 10, 88.0, "#d97706", "2"),
            Bar("办<公>室 考勤", Decimal("0.5"), 198.0, 10, 22.25, "#2563eb", "0.5"),
        ),
        labels=(("办<公>室", 25.84),),
        ticks=(("0", 110.0), ("10", 550.0)),
        legend=(("纪律 & 作风", "#d97706"),),
        axis_y=52,
    )

    svg = chart_svg(chart, "扣分 <图>", show_values=True)

    assert svg.split("\n") == [
        '<svg class="chart" viewBox="0 0 600 70" role="img" aria-label="扣分 &lt;图&gt;" '
        'xmlns="http://www.w3.org/2000/svg">',
        "<title>扣分 &lt;图&gt;</title>",
        '<line x1="110.0" y1="4" x2="110.0" y2="52.0" stroke="#dee2e6" stroke-width="1"/>',
        '<text x="110.0" y="66" text-anchor="middle" fill="#6c757d">0</text>',
        '<line x1="550.0" y1="4" x2="550.0" y2="52.0" stroke="#dee2e6" stroke-width="1"/>',
        '<text x="550.0" y="66" text-anchor="middle" fill="#6c757d">10</text>',
        '<text x="104" y="25.8" text-anchor="end" fill="#212529">办&lt;公&gt;室</text>',
        '<rect x="110.0" y="10.0" width="88.0" height="22" fill="#d97706"><title>办&lt;公&gt;室 纪律：2</title></rect>',
        '<text x="198.0" dx="4" y="26.0" fill="#212529">2</text>',
        '<rect x="198.0" y="10.0" width="22.2" height="22" fill="#2563eb">'
        "<title>办&lt;公&gt;室 考勤：0.5</title></rect>",
        '<text x="220.2" dx="4" y="26.0" fill="#212529">0.5</text>',
        "</svg>",
        '<ul class="list-inline small mb-0"><li class="list-inline-item"><span class="d-inline-block me-1 '
        'align-middle" style="width:12px;height:12px;background:#d97706"></span>纪律 &amp; 作风</li></ul>',
    ]


def test_chart_svg_without_values_or_legend():
    chart = Chart(
        width=600,
        height=70,
        bars=(Bar("组织部", Decimal("90"), 110, 10, 396.0, "#9b1c1c", "90"),),
        labels=(("组织部", 25.84),),
        ticks=(),
        axis_y=52,
    )

    svg = chart_svg(chart, "得分")

    assert svg.count("<rect") == 1
    assert "dx=" not in svg and "<ul" not in svg
    assert svg.endswith("</svg>")
    assert svg.split("\n") == [
        '<svg class="chart" viewBox="0 0 600 70" role="img" aria-label="得分" xmlns="http://www.w3.org/2000/svg">',
        "<title>得分</title>",
        '<text x="104" y="25.8" text-anchor="end" fill="#212529">组织部</text>',
        '<rect x="110.0" y="10.0" width="396.0" height="22" fill="#9b1c1c"><title>组织部：90</title></rect>',
        "</svg>",
    ]
