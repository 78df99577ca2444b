"""The year-end PDF: its text carries the ranking, scores and awards of the core; CJK fonts are embedded."""

import io
import re

import pytest
from pypdf import PdfReader

from reports.data import Democratic, DemocraticRow, year_report
from reports.pdf import build_department_pdf, build_pdf, year_pdf_render
from results.cache import year_result
from results.loader import year_input
from scoring import engine
from tests.reports.conftest import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def test_year_pdf_text_carries_the_ranking_scores_awards_and_records(demo_year, tmp_path):
    data = build_pdf(demo_year)

    cover = pdf_text(data, tmp_path, first=1, last=1)
    assert "某某区总工会考核工作领导小组办公室" in cover
    assert "2023年度" in cover and "结果报告" in cover
    assert "审定前稿（当前阶段：评分）" in cover

    summary = pdf_text(data, tmp_path, first=2, last=2)
    for d in year_result(demo_year).departments:
        row = (
            rf"^\s*{d.rank}\s+{d.name}\s+{d.headcount}\s+{d.review_score:.2f}\s+{d.democratic_score:.2f}"
            rf"\s+{d.final_score:.2f}\s+{d.award_label}"
        )
        assert re.search(row, summary, re.M), row
    assert re.search(r"^\s*1\s+宣教调研室\s+3\s+106\.00\s+95\.00\s+103\.80\s+无\s+否决", summary, re.M)
    assert re.search(r"^\s*2\s+生活保障部\s+4\s+106\.00\s+90\.00\s+102\.80\s+一等奖", summary, re.M)

    text = pdf_text(data, tmp_path)
    assert re.search(r"生活保障部\s+一等奖\s+2,000\.00\s元\s+4\s+8,000\.00\s元", text)
    assert re.search(r"合计\s+29\s+19,000\.00\s元", text)
    assert re.search(r"李副主席\s+副主席.*666\.67", text)
    assert re.search(r"王主席\s+主席.*583\.34", text)
    assert text.count("考核台帐记录") == 7
    assert re.search(r"2023-05-31\s+T2", text)  # 组织部's T2 of the demo ledger


def test_year_pdf_in_parts_numbers_pages_on_and_embeds_cjk_fonts(demo_year, tmp_path):
    report = year_report(demo_year)
    data = year_pdf_render(report, per_part=3)  # front, three parts of departments, back

    text = pdf_text(data, tmp_path)
    pages = text.split("\f")
    numbers = [int(m.group(1)) for p in pages if (m := re.search(r"第\s*(\d+)\s*页", p))]
    assert numbers == list(range(2, len([p for p in pages if p.strip()]) + 1))
    fonts = pdf_fonts(data, tmp_path)

    embedded = [line for line in fonts.splitlines() if "CJK" in line]
    assert embedded
    assert all(" yes yes yes " in line for line in embedded)


def test_department_pdf_holds_only_that_department(demo_year, tmp_path):
    data = build_department_pdf(demo_year, "组织部")

    text = pdf_text(data, tmp_path)
    assert "组织部" in text and "第 4 名" in text
    assert "生活保障部" not in text


def test_year_pdf_past_the_ledger_limit_prints_category_totals_only(demo_year, tmp_path, settings):
    settings.KAOHE_PDF_LEDGER_ROWS_MAX = 10  # the demo year has more lines than this
    lines = sum(len(d.lines) for d in engine.score_year(year_input(demo_year)).departments)

    text = pdf_text(build_pdf(demo_year), tmp_path)

    assert text.count("考核台帐记录") == 7  # every department's section is still there...
    assert text.count(f"本年度共有 {lines} 条台帐计分记录，本报告只列各部室的分类得分") == 7
    assert not re.search(r"2023-05-31\s+T2", text)  # ...without its ledger rows
    assert "不逐一列出各部室情况" not in text


def test_year_pdf_past_the_sections_limit_leaves_department_sections_out(demo_year, tmp_path, settings):
    settings.KAOHE_PDF_SECTIONS_MAX = 5  # the demo year has 7 departments

    text = pdf_text(build_pdf(demo_year), tmp_path)

    assert "考核台帐记录" not in text
    assert "本年度共有 7 个部室参加考核" in text and "不逐一列出各部室情况" in text
    assert re.search(r"^\s*1\s+宣教调研室\s+3\s+106\.00\s+95\.00\s+103\.80\s+无\s+否决", text, re.M)
    assert re.search(r"生活保障部\s+一等奖\s+2,000\.00\s元\s+4\s+8,000\.00\s元", text)  # the awards table stays


def test_department_pdf_keeps_its_ledger_whatever_the_year_limits(demo_year, tmp_path, settings):
    settings.KAOHE_PDF_LEDGER_ROWS_MAX = 1
    settings.KAOHE_PDF_SECTIONS_MAX = 1

    text = pdf_text(build_department_pdf(demo_year, "组织部"), tmp_path)

    assert re.search(r"2023-05-31\s+T2", text)


def _render_with_steps(report, **kwargs) -> tuple[bytes, list[str]]:
    """The year-end PDF and the progress steps it reported."""
    steps = []
    data = year_pdf_render(report, progress=lambda percent, step: steps.append(step), **kwargs)
    return data, steps


def _outline(data: bytes) -> list[str]:
    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [item.title]

    return list(titles(PdfReader(io.BytesIO(data)).outline))


def _body_lines(text: str, title: str) -> list[str]:
    """The text's lines in order, without spaces, running headers, page numbers and repeats (a table's header
    row is repeated on each of its pages, and a long table's parts break pages elsewhere)."""
    lines = ("".join(line.split()) for line in text.splitlines())
    return list(dict.fromkeys(x for x in lines if x and not x.endswith(title) and not re.fullmatch(r"第\d+页", x)))


def test_year_pdf_lays_long_tables_out_in_parts_with_the_same_content(demo_year, tmp_path):
    report = year_report(demo_year)

    whole = year_pdf_render(report)
    parted, steps = _render_with_steps(report, rows_per_part=3)

    # Seven departments, three rows per part: the ranking, the awards and the entered democratic scores in
    # three parts each, and each department section (more than three rows) in its own.
    assert steps == [
        "已排版封面",
        "已排版考核结果汇总 3 / 7",
        "已排版考核结果汇总 6 / 7",
        "已排版考核结果汇总 7 / 7",
        *(f"已排版部室 {n} / 7" for n in range(1, 8)),
        "已排版奖励核发 3 / 7",
        "已排版奖励核发 6 / 7",
        "已排版奖励核发 7 / 7",
        "已排版民主测评统计 3 / 7",
        "已排版民主测评统计 6 / 7",
        "已排版民主测评统计 7 / 7",
        "正在生成 PDF 文件",
    ]
    assert _outline(parted) == _outline(whole)
    assert _outline(whole)[:3] == [report.title, "一、考核结果汇总", "二、得分图示"]
    text = pdf_text(parted, tmp_path)
    assert _body_lines(text, report.title) == _body_lines(pdf_text(whole, tmp_path), report.title)
    # What only a table's last part prints, once.
    assert len(re.findall(r"^\s*合计\s+29\s+19,000\.00", text, re.M)) == 1
    assert text.count("以上考核结果尚待某某区总工会党组会议审定") == 1
    pages = text.split("\f")
    numbers = [int(m.group(1)) for p in pages if (m := re.search(r"第\s*(\d+)\s*页", p))]
    assert numbers == list(range(2, len([p for p in pages if p.strip()]) + 1))
    assert PdfReader(io.BytesIO(parted)).metadata.title == report.title


def test_year_pdf_keeps_a_departments_rows_of_the_ballot_statistics_in_one_part(demo_year):
    report = year_report(demo_year)
    groups = ("机关全体人员", "基层工会干部代表")
    report.democratic = Democratic(
        source="ballots",
        source_label="按测评票计算",
        grades=("优秀", "良好"),
        groups=groups,
        rows=[
            DemocraticRow(d.name, d.democratic_score, {g: {"优秀": 1} for g in groups}, {}, 2)
            for d in report.result.departments
        ],
        ballots=2,
    )

    _, steps = _render_with_steps(report, rows_per_part=5)

    # Two rows per department: parts of four rows, not five.
    assert [s for s in steps if s.startswith("已排版民主测评统计")] == [
        "已排版民主测评统计 4 / 14",
        "已排版民主测评统计 8 / 14",
        "已排版民主测评统计 12 / 14",
        "已排版民主测评统计 14 / 14",
    ]


@pytest.mark.parametrize(
    "source,ballots,says",
    [
        ("none", None, "本年度未举行民主测评，最终得分即考核小组评分。"),
        ("ballots", 0, "本年度尚无测评票数据。"),
    ],
)
def test_year_pdf_without_democratic_statistics_says_why_and_signs_off(demo_year, tmp_path, source, ballots, says):
    report = year_report(demo_year)
    report.democratic = Democratic(
        source=source, source_label="", grades=("优秀",), groups=(), rows=[], ballots=ballots
    )

    for data in (year_pdf_render(report), year_pdf_render(report, rows_per_part=3)):
        text = pdf_text(data, tmp_path)
        assert text.count("五、民主测评统计") == 1
        assert text.count(says) == 1
        assert text.count("以上考核结果尚待某某区总工会党组会议审定") == 1


def test_year_pdf_groups_department_sections_by_their_rows(demo_year, tmp_path):
    report = year_report(demo_year)
    # Each section lays out ten rows besides its ledger lines: 14, 14, 15, 15, 16, 14, 15 rows.
    assert [len(s.rows) for s in report.sections] == [4, 4, 5, 5, 6, 4, 5]

    data, steps = _render_with_steps(report, rows_per_part=30)

    assert steps == [
        "已排版封面",
        "已排版考核结果汇总",
        "已排版部室 2 / 7",
        "已排版部室 4 / 7",
        "已排版部室 6 / 7",
        "已排版部室 7 / 7",
        "已排版奖励核发",
        "已排版民主测评统计",
        "正在生成 PDF 文件",
    ]
    assert pdf_text(data, tmp_path).count("考核台帐记录") == 7


def test_year_pdf_of_a_year_within_one_part_is_one_document(demo_year):
    report = year_report(demo_year)  # 7 sections, 124 rows in all

    _, within = _render_with_steps(report, rows_per_part=124)
    _, beyond = _render_with_steps(report, rows_per_part=123)

    assert within == ["已排版全部内容", "正在生成 PDF 文件"]
    assert beyond == [
        "已排版封面",
        "已排版考核结果汇总",
        "已排版部室 7 / 7",
        "已排版奖励核发",
        "已排版民主测评统计",
        "正在生成 PDF 文件",
    ]
