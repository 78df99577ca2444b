"""Target items (docs/scoring.md §7) in the year-end PDF and workbook: a targets section per department and the
sheets 目标项目 and 目标项目记录, only in a year with targets; what a category cap left out; the scheme's full
score wherever a report explains the score. The district year's reports carry none of it."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from departments.models import Department
from reports import charts
from reports.forms_pdf import self_assessment_pdf
from reports.pdf import build_department_pdf, build_pdf
from reports.xlsx import SHEETS, build_xlsx
from results.cache import year_result
from reviews.models import LedgerRecord
from tests.county import county_year
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


def workbook(year):
    stream = io.BytesIO()
    build_xlsx(year, stream)
    stream.seek(0)
    return load_workbook(stream)


def dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def test_year_pdf_has_a_targets_section_per_department(tmp_path):
    text = pdf_text(build_pdf(county_year()), tmp_path)

    assert text.count("目标项目（应得分、扣分、实得分）") == 3
    assert "2011年度考核实行百分制，各部室的满分按年度目标项目分配" in re.sub(r"\s+", "", text)
    assert re.search(r"BGS-1\s+全年信息宣传任务\s+W\s+40\.00\s+5\.00\s+35\.00\s+—", text)
    assert re.search(r"BGS-2\s+职工书屋建设\s+W\s+35\.00\s+35\.00\s+0\.00\s+记录扣分 40\.00，扣完为止", text)
    assert re.search(r"ZZB-2\s+农民工入会集中行动\s+W\s+40\.00\s+40\.00\s+0\.00\s+未开展", text)
    assert re.search(r"XCB-1\s+劳动竞赛\s+W\s+50\.00\s+2\.50\s+47\.50", text)
    assert len(re.findall(r"^合计\s+100\.00\s+40\.00\s+60\.00$", text, re.M)) == 2  # 办公室, 组织部
    assert re.search(r"^合计\s+100\.00\s+2\.50\s+97\.50$", text, re.M)  # 宣传部
    # The records on targets, with their reasons
    assert re.search(r"BGS-2\s+-20\.00\s+上半年未建成", text)
    assert re.search(r"BGS-2\s+-20\.00\s+下半年仍未建成", text)
    assert re.search(r"ZZB-2\s+未开展\s+立项工作全年未开展", text)
    # Caps
    assert "J 机关管理：记录扣分 11.00，扣完为止，计 10.00。" in text
    assert "B 加分项目：记录加分 8.00，加分上限 5.00，计 5.00。" in text
    assert re.search(r"100 − 50\.00 \+ 0\.00", text)  # 组织部: 100 − (40 + 10)


def test_year_pdf_ledger_tables_keep_to_the_ledger_records(tmp_path):
    """A target record's key is not a ledger record's: the ledger tables list each ledger record once."""
    year = county_year()
    assert LedgerRecord.objects.filter(year=year).count() == 6

    text = pdf_text(build_pdf(year), tmp_path)

    ledger_rows = re.findall(r"^\s*\d{4}-\d\d-\d\d\s+(J1|J2|B1)\s", text, re.M)
    assert sorted(ledger_rows) == ["B1", "B1", "B1", "J1", "J1", "J2"]


def test_department_pdf_has_its_targets(tmp_path):
    text = pdf_text(build_department_pdf(county_year(), "组织部"), tmp_path)

    assert re.search(r"ZZB-1\s+基层工会组建\s+W\s+60\.00\s+0\.00\s+60\.00", text)
    assert re.search(r"ZZB-2\s+农民工入会集中行动\s+W\s+40\.00\s+40\.00\s+0\.00\s+未开展", text)
    assert "J 机关管理：记录扣分 11.00，扣完为止，计 10.00。" in text
    assert "BGS-" not in text


def test_district_pdf_has_no_targets_section(demo_year, tmp_path):
    text = pdf_text(build_pdf(demo_year), tmp_path)

    assert "目标" not in text and "扣完为止" not in text
    assert "2023年度考核实行百分制，最终得分" in text
    assert len(re.findall(r"100 − \d+\.\d\d \+", text)) == 7


def test_pdfs_of_a_scheme_of_another_full_score_use_it(tmp_path):
    year = county_year(full_score="120")

    text = pdf_text(build_pdf(year), tmp_path)

    assert "2011年度考核满分为 120 分，各部室的满分按年度目标项目分配" in text
    assert "百分制" not in text
    assert re.search(r"120 − 46\.00 \+ 3\.00", text)  # 办公室: 77.00
    assert re.search(r"^合计\s+120\.00\s+40\.00\s+80\.00$", text, re.M)
    form = pdf_text(self_assessment_pdf(year, Department.objects.get(name="办公室")), tmp_path)
    assert "自评得分（120 − 扣分 + 加" in form  # (the cell wraps)


def test_printed_self_assessment_lists_the_departments_targets(demo_year, tmp_path):
    year = county_year()

    text = pdf_text(self_assessment_pdf(year, Department.objects.get(name="办公室")), tmp_path)

    assert "一、目标责任项目" in text and "二、扣分和否决项目" in text and "四、自评总结" in text
    assert re.search(r"^\s*BGS-1\s+全年信息宣传任务\s+目标任务\s+40\.00\s+5\.00\s+35\.00\s*$", text, re.M)
    assert re.search(r"^\s*BGS-2\s+职工书屋建设\s+目标任务\s+35\.00\s+35\.00\s+0\.00\s+扣完为止\s*$", text, re.M)
    assert re.search(r"^\s*合计\s+100\.00\s+40\.00\s+60\.00\s*$", text, re.M)
    district = pdf_text(self_assessment_pdf(demo_year, Department.objects.get(name="办公室")), tmp_path)
    assert "目标责任项目" not in district and "一、扣分和否决项目" in district


def test_screen_score_chart_reaches_the_schemes_full_score(db):
    departments = year_result(county_year()).departments  # 102.50, 57.00, 50.00

    (hundred,) = charts.final_score_charts(departments, charts.SCREEN)
    (wider,) = charts.final_score_charts(departments, charts.SCREEN, Decimal("150"))

    assert [t.text for t in hundred.ticks][-1] == "120"
    assert [t.text for t in wider.ticks] == ["0", "20", "40", "60", "80", "100", "120", "140", "160"]


def test_workbook_has_the_targets_sheet_with_exact_figures():
    wb = workbook(county_year())

    assert wb.sheetnames == ["说明", "汇总排名", "部室明细", "目标项目", "台帐", "目标项目记录", "民主测评", "奖励核发"]
    ws = wb["目标项目"]
    header, *body = list(ws.iter_rows(values_only=True))
    assert header == ("部室", "代码", "目标项目", "类别", "应得分", "扣分", "实得分", "未开展", "记录扣分")
    figures = [(r[0], r[1], r[2], r[3], *(str(dec(v)) for v in (r[4], r[5], r[6], r[8])), r[7]) for r in body]
    assert figures == [
        ("宣传部", "XCB-1", "劳动竞赛", "目标任务", "50.00", "2.50", "47.50", "2.50", None),
        ("宣传部", "XCB-2", "职工技能培训", "目标任务", "50.00", "0.00", "50.00", "0.00", None),
        ("办公室", "BGS-1", "全年信息宣传任务", "目标任务", "40.00", "5.00", "35.00", "5.00", None),
        ("办公室", "BGS-2", "职工书屋建设", "目标任务", "35.00", "35.00", "0.00", "40.00", None),
        ("办公室", "BGS-3", "机关后勤保障", "目标任务", "25.00", "0.00", "25.00", "0.00", None),
        ("组织部", "ZZB-1", "基层工会组建", "目标任务", "60.00", "0.00", "60.00", "0.00", None),
        ("组织部", "ZZB-2", "农民工入会集中行动", "目标任务", "40.00", "40.00", "0.00", "0.00", "是"),
    ]
    assert all(c.number_format == "0.00" for row in ws.iter_rows(min_row=2, min_col=5, max_col=7) for c in row)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I8"


def test_workbook_lists_the_target_records_apart_from_the_ledger():
    wb = workbook(county_year())

    header, *body = list(wb["目标项目记录"].iter_rows(values_only=True))
    assert header == ("记录编号", "日期", "部室", "代码", "目标项目", "扣分", "未开展", "理由", "情况说明", "录入人")
    assert [(r[2], r[3], dec(r[5]), r[6], r[7]) for r in body] == [
        ("办公室", "BGS-1", Decimal("-5.00"), None, "信息报送少于计划20篇"),
        ("办公室", "BGS-2", Decimal("-20.00"), None, "上半年未建成"),
        ("办公室", "BGS-2", Decimal("-20.00"), None, "下半年仍未建成"),
        ("组织部", "ZZB-2", Decimal("-40.00"), "是", "立项工作全年未开展"),
        ("宣传部", "XCB-1", Decimal("-2.50"), None, "竞赛总结延迟上报"),
    ]
    _, *ledger = list(wb["台帐"].iter_rows(values_only=True))
    assert sorted((r[2], r[3]) for r in ledger) == [
        ("办公室", "B1"), ("办公室", "J1"), ("宣传部", "B1"), ("宣传部", "B1"), ("组织部", "J1"), ("组织部", "J2"),
    ]  # fmt: skip
    _, *details = list(wb["部室明细"].iter_rows(values_only=True))
    assert [(r[1], r[-1]) for r in details] == [("宣传部", 2), ("办公室", 2), ("组织部", 2)]  # 台帐记录数


def test_district_workbook_has_no_targets_sheets(demo_year):
    assert workbook(demo_year).sheetnames == list(SHEETS)
