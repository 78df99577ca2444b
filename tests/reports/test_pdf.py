"""The year-end PDF: its text carries the ranking, scores and awards of the core; CJK fonts are embedded."""

import re

import pytest

from reports.data import year_report
from reports.pdf import build_department_pdf, build_pdf, year_pdf_render
from scoring import engine
from scoring.services import year_input, year_result
from tests.reports.conftest import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def test_year_pdf_text_carries_the_ranking_scores_awards_and_records(demo_year, tmp_path, settings):
    data = build_pdf(demo_year)

    cover = pdf_text(data, tmp_path, first=1, last=1)
    assert settings.KAOHE_FEDERATION_NAME in cover
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
    assert re.search(r"生活保障部\s+一等奖\s+2,000\.00\s+4\s+8,000\.00", text)
    assert re.search(r"合计\s+29\s+19,000\.00", text)
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
    assert re.search(r"生活保障部\s+一等奖\s+2,000\.00\s+4\s+8,000\.00", text)  # the awards table stays


def test_department_pdf_keeps_its_ledger_whatever_the_year_limits(demo_year, tmp_path, settings):
    settings.KAOHE_PDF_LEDGER_ROWS_MAX = 1
    settings.KAOHE_PDF_SECTIONS_MAX = 1

    text = pdf_text(build_department_pdf(demo_year, "组织部"), tmp_path)

    assert re.search(r"2023-05-31\s+T2", text)
