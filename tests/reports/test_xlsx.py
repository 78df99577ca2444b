"""The workbook read back with openpyxl: sheets, numeric cells and formats, every figure equal to score_case."""

import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from departments.models import Department
from reports.data import year_report
from reports.xlsx import SHEETS, build_xlsx
from results.cache import year_result
from results.exchange import year_export
from results.loader import year_input
from reviews.models import LedgerRecord
from reviews.services import ledger_record_create
from scoring import engine
from scoring.cases import score_document
from scoring.catalogue import scheme_spec
from scoring.models import Rule

pytestmark = pytest.mark.django_db


def workbook(year):
    stream = io.BytesIO()
    build_xlsx(year, stream)
    stream.seek(0)
    return load_workbook(stream)


def dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def score_case_of(year) -> dict:
    """What `manage.py score_case` prints for the year's export (kaohe-case/1)."""
    doc = json.loads(json.dumps(year_export(year)), parse_float=Decimal)
    return score_document(doc, scheme_spec)


def rows(ws):
    values = list(ws.iter_rows(values_only=True))
    return values[0], values[1:]


def test_workbook_has_the_five_sheets_with_frozen_headers_and_filters(demo_year):
    wb = workbook(demo_year)

    assert wb.sheetnames == list(SHEETS)
    for name in ("汇总排名", "部室明细", "台帐", "奖励核发"):
        assert wb[name].freeze_panes == "A2"
        assert wb[name].auto_filter.ref.startswith("A1:")
    assert wb["汇总排名"].auto_filter.ref == "A1:N8"
    assert wb["汇总排名"].column_dimensions["B"].width >= 12


def test_workbook_summary_equals_score_case_on_the_years_export(demo_year):
    expected = score_case_of(demo_year)
    header, body = rows(workbook(demo_year)["汇总排名"])

    assert header[:8] == (
        "名次",
        "部室",
        "年末在编人数",
        "扣分合计",
        "加分合计",
        "考核小组评分",
        "民主测评得分",
        "最终得分",
    )
    assert [r[1] for r in body] == [d["name"] for d in expected["departments"]]
    for row, dept in zip(body, expected["departments"], strict=True):
        assert row[0] == dept["rank"]
        assert row[2] == dept["headcount"]
        assert dec(row[3]) == Decimal(dept["deductions"])
        assert dec(row[4]) == Decimal(dept["bonuses"])
        assert dec(row[5]) == Decimal(dept["review_score"])
        assert dec(row[6]) == Decimal(dept["democratic_score"])
        assert dec(row[7]) == Decimal(dept["final_score"])
        assert row[8] == ("是" if dept["vetoed"] else "否")
        assert dec(row[11]) == Decimal(dept["per_capita"])
        assert dec(row[12]) == Decimal(dept["total"])


def test_workbook_summary_of_the_demo_year_reads(demo_year):
    _, body = rows(workbook(demo_year)["汇总排名"])

    assert body[0][:8] == (1, "宣教调研室", 3, 4, 10, 106, 95, 103.8)
    assert body[0][8:11] == ("是", "V2", "无")
    assert body[1][1] == "生活保障部" and body[1][10:13] == ("一等奖", 2000, 8000)


def test_workbook_numbers_are_numeric_cells_with_number_formats(demo_year):
    ws = workbook(demo_year)["汇总排名"]

    final = ws["H2"]
    money = ws["M3"]
    assert final.data_type == "n" and final.number_format == "0.00"
    assert money.data_type == "n" and money.number_format == "#,##0.00"
    assert ws["A2"].data_type == "n" and ws["A2"].number_format == "0"


def test_workbook_details_by_category_equal_the_core(demo_year):
    result = year_result(demo_year)
    header, body = rows(workbook(demo_year)["部室明细"])

    codes = [code for code, _ in result.categories]
    assert header[2 : 2 + len(codes)] == tuple(f"{c} {n}" for c, n in result.categories)
    for row, dept in zip(body, result.departments, strict=True):
        assert row[1] == dept.name
        assert [dec(v) for v in row[2 : 2 + len(codes)]] == [dept.by_category[c] for c in codes]
        assert dec(row[2 + len(codes) + 2]) == dept.review_score


def test_workbook_ledger_has_one_row_per_record_and_department_with_the_cores_points(demo_year):
    result = engine.score_year(year_input(demo_year))  # with every department's lines
    header, body = rows(workbook(demo_year)["台帐"])

    expected = {(line.key, d.name): line for d in result.departments for line in d.lines}
    assert len(body) == len(expected) == 33
    for row in body:
        line = expected[(row[0], row[2])]
        assert row[3] == line.rule
        assert dec(row[9]) == (None if line.veto else line.points)
    # per department, the ledger's points add up to the summary's category sums
    for dept in result.departments:
        total = sum((dec(r[9]) for r in body if r[2] == dept.name and r[9] is not None), Decimal(0))
        assert total == dept.bonuses - dept.deductions


def test_workbook_ledger_dates_are_date_cells(demo_year):
    ws = workbook(demo_year)["台帐"]

    assert ws["B2"].is_date
    assert ws["B2"].number_format == "yyyy-mm-dd"


def test_workbook_awards_sheet_totals_and_leaders(demo_year):
    _, body = rows(workbook(demo_year)["奖励核发"])

    total = next(r for r in body if r[1] == "部室合计")
    assert (total[4], total[5]) == (29, 19000)
    leaders = {r[1]: r[3] for r in body if r[2] in ("副主席", "主席")}
    assert {k: dec(v) for k, v in leaders.items()} == {
        "李副主席": Decimal("666.67"),
        "赵副主席": Decimal("500.00"),
        "王主席": Decimal("583.34"),
    }


def test_workbook_democratic_sheet_lists_entered_scores(demo_year):
    header, body = rows(workbook(demo_year)["民主测评"])

    assert header == ("部室", "民主测评得分", "来源")
    assert body[0] == ("宣教调研室", 95, "直接录入测评得分")


def test_workbook_writes_formula_like_text_as_text(demo_year):
    record = LedgerRecord.objects.filter(year=demo_year).order_by("date", "id").first()
    LedgerRecord.objects.filter(pk=record.pk).update(description='=HYPERLINK("http://x")', reason="+1 -2 @SUM")

    ws = workbook(demo_year)["台帐"]

    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == record.pk)
    assert row[13].value == '=HYPERLINK("http://x")' and row[13].data_type == "s"
    assert row[14].value == "+1 -2 @SUM" and row[14].data_type == "s"
    assert row[13].quotePrefix is True


def test_year_report_data_takes_the_same_number_of_queries_at_two_sizes(demo_year, cast):

    with CaptureQueriesContext(connection) as small:
        year_report(demo_year)
    rule = Rule.objects.get(scheme=demo_year.scheme, code="S1")
    for name in ("办公室", "组织部", "女职工部"):
        for _ in range(3):
            ledger_record_create(
                year=demo_year, rule=rule, departments=[Department.objects.get(name=name)], recorded_by=cast["lead"]
            )
    with CaptureQueriesContext(connection) as large:
        report = year_report(demo_year)

    assert len(large) == len(small)
    assert sum(len(s.rows) for s in report.sections) == 33 + 9
    assert {r.recorder for s in report.sections for r in s.rows if r.rule == "S1"} >= {"周组长"}
