"""历年对比: the demo's two years (2022 approved and announced, 2023 in 评分) side by side, from the scoring core."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.xlsx import TRENDS_SHEET, build_xlsx
from scoring.models import AssessmentYear
from tests.factories import UserFactory

D = Decimal


def test_demo_2022_is_approved_and_announced(demo_years):
    old, new = demo_years

    assert (old.year, old.phase, old.results_published, old.scheme.code) == (2022, "announced", True, "district-2022")
    assert (new.year, new.phase, new.scheme.code) == (2023, "scoring", "district-2023")
    assert old.approvals.get().minutes_ref == "党组会议纪要〔2023〕2号"
    moves = old.history.filter(history_type="~").order_by("history_date", "history_id")
    assert [(h.phase, h.history_user.username) for h in moves] == [
        ("running", "lead"), ("self_assessment", "lead"), ("scoring", "lead"), ("democratic", "lead"),
        ("publicity", "lead"), ("approved", "leader_wang"), ("announced", "leader_wang"),
    ]  # fmt: skip


def test_trend_page_shows_both_years_of_the_demo(client, demo_years, cast):
    client.force_login(cast["leader_wang"])

    page = client.get("/trends/", {"department": "经济工作部"})

    chosen = page.context["chosen"]
    assert chosen.department == "经济工作部"
    assert [
        (p.year.year, p.result.review_score, p.result.democratic_score, p.result.final_score, p.result.rank,
         p.result.award_label, deductions)
        for p, deductions in chosen.table
    ] == [
        (2022, D("107.00"), D("93.00"), D("104.20"), 1, "一等奖",
         [D("0.00"), D("1.00"), D("0.00"), D("2.00"), D("0.00"), D("0.00"), D("0.00")]),
        (2023, D("96.50"), D("86.40"), D("94.48"), 5, "无",
         [D("2.00"), D("2.50"), D("0.00"), D("0.00"), D("2.00"), D("0.00"), D("5.00")]),
    ]  # fmt: skip
    assert [code for code, _ in chosen.categories] == ["T", "S", "P", "G", "I", "C", "D"]
    scores, deductions = page.context["charts"]
    assert [v.text for v in scores.values] == ["104.20（第1名，一等奖）", "94.48（第5名）"]
    assert [label.text for label in deductions.labels] == ["2022年", "2023年"]
    assert [v.text for v in deductions.values] == ["扣 3.00", "扣 11.50"]
    html = page.content.decode()
    assert '<th scope="row" class="text-nowrap">2022年</th>' in html
    assert '<th scope="row" class="text-nowrap">2023年</th>' in html
    assert '<tr><th scope="row">扣分项目</th><td class="num">0.00</td><td class="num">5.00</td></tr>' in html
    overview = {t.department: [(p.result.final_score, p.result.rank) for p in t.points] for t in page.context["trends"]}
    assert overview == {
        "宣教调研室": [(D("94.80"), 6), (D("103.80"), 1)],
        "生活保障部": [(D("91.10"), 7), (D("102.80"), 2)],
        "办公室": [(D("103.60"), 2), (D("102.10"), 3)],
        "组织部": [(D("101.90"), 3), (D("96.80"), 4)],
        "经济工作部": [(D("104.20"), 1), (D("94.48"), 5)],
        "民管法工部": [(D("96.80"), 4), (D("91.40"), 6)],
        "女职工部": [(D("95.60"), 5), (D("86.40"), 7)],
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("reviewer_bgs", 200), ("leader_wang", 200), ("admin", 200), ("head_bgs", 403), ("vice_li", 403)],
)
def test_trend_page_for_leadership_and_review_group(client, cast, who, status):
    client.force_login(cast[who])

    assert client.get("/trends/").status_code == status


def test_results_page_compares_two_years_side_by_side(client, demo_years):
    client.force_login(UserFactory(username="chair2", role="leadership"))

    page = client.get("/2023/results/", {"compare": "2022"})

    assert [y.year for y in page.context["compare_years"]] == [2022]
    rows = page.context["compared"]
    assert [(c.department, c.first.final_score, c.second.final_score, c.change, c.rank_change) for c in rows] == [
        ("宣教调研室", D("94.80"), D("103.80"), D("9.00"), 5),
        ("生活保障部", D("91.10"), D("102.80"), D("11.70"), 5),
        ("办公室", D("103.60"), D("102.10"), D("-1.50"), -1),
        ("组织部", D("101.90"), D("96.80"), D("-5.10"), -1),
        ("经济工作部", D("104.20"), D("94.48"), D("-9.72"), -4),
        ("民管法工部", D("96.80"), D("91.40"), D("-5.40"), -2),
        ("女职工部", D("95.60"), D("86.40"), D("-9.20"), -2),
    ]
    html = page.content.decode()
    assert '<td class="num text-danger">-9.72</td>\n      <td class="num">↓4</td>' in html


def test_workbook_has_the_trends_sheet_when_an_earlier_year_was_scored(demo_years):
    stream = io.BytesIO()
    build_xlsx(AssessmentYear.objects.get(year=2023), stream)

    sheet = load_workbook(stream)[TRENDS_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("部室", "年度", "考核小组评分", "民主测评得分", "最终得分", "名次", "奖项")
    assert rows[0][7:] == (
        "完成工作任务扣分", "集中学习和月度例会扣分", "信访接待扣分", "联系基层和完成调研报告扣分", "信息报送工作扣分",
        "文明机关建设扣分", "扣分项目扣分",
    )  # fmt: skip
    economy = [r for r in rows if r[0] == "经济工作部"]
    assert [r[:7] for r in economy] == [
        ("经济工作部", 2022, 107, 93, 104.2, 1, "一等奖"),
        ("经济工作部", 2023, 96.5, 86.4, 94.48, 5, "无"),
    ]
    assert [r[0:2] + (r[6],) for r in rows if r[0] == "宣教调研室"][1] == ("宣教调研室", 2023, "否决（V2）")


def test_workbook_of_a_single_year_has_no_trends_sheet(demo_year):
    stream = io.BytesIO()
    build_xlsx(demo_year, stream)

    assert TRENDS_SHEET not in load_workbook(stream).sheetnames
