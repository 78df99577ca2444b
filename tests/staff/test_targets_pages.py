"""Target items (docs/scoring.md §7) on the staff pages: the department page shows each target's 应得分, 扣分 and
实得分 and what a category cap left out, the records on targets as lines with their reasons; the comparison adds
the targets' totals; the self-assessment shows the department its targets. The district year shows none of it."""

import html
import re

import pytest
from django.urls import reverse

from departments.models import Department
from scoring.models import AssessmentYear, Rule
from tests.conftest import year_in_phase
from tests.county import county_head, county_leadership, county_year
from workplans import services

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's main content as text, tags dropped and white space collapsed."""
    page = response.content.decode()
    main = page[page.index("<main") :]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def table_rows(response, css_class: str) -> list[list[str]]:
    """The cells' text of each row of the page's table of class `css_class` (body and foot)."""
    page = response.content.decode()
    start = page.index(f'class="table table-sm bg-white align-middle {css_class}"')
    table = page[start : page.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", c))).strip() for c in cells])
    return rows


def department_page(client, year, name, user=None):
    department = Department.objects.get(name=name)
    client.force_login(user or county_head(name))
    return client.get(reverse("staff:department", args=[year.year, department.pk]))


def test_department_page_lists_each_target_with_its_allotted_deducted_and_earned_points(client):
    year = county_year()

    response = department_page(client, year, "办公室")

    assert response.status_code == 200
    assert table_rows(response, "targets") == [
        ["代码", "目标项目", "类别", "应得分", "扣分", "实得分", "说明"],
        ["BGS-1", "全年信息宣传任务", "目标任务", "40.00", "5.00", "35.00", ""],
        ["BGS-2", "职工书屋建设", "目标任务", "35.00", "35.00", "0.00", "记录扣分 40.00，扣完为止"],
        ["BGS-3", "机关后勤保障", "目标任务", "25.00", "0.00", "25.00", ""],
        ["合计", "100.00", "40.00", "60.00", ""],
    ]
    page = text(response)
    assert "考核小组评分 = 满分 100.00 − 扣分合计 + 加分合计；扣分含各目标项目的扣分（每项扣完应得分为止）。" in page
    assert "考核小组评分 57.00 扣分合计 −46.00 加分合计 +3.00" in page


def test_department_page_lists_the_target_records_as_lines_with_their_reasons(client):
    year = county_year()

    page = text(department_page(client, year, "办公室"))

    assert page.count("目标项目 -20.00 职工书屋建设 理由：") == 2
    assert "BGS-2 目标项目 -20.00 职工书屋建设 理由：上半年未建成" in page
    assert "BGS-2 目标项目 -20.00 职工书屋建设 理由：下半年仍未建成" in page
    assert "BGS-1 目标项目 -5.00 全年信息宣传任务 理由：信息报送少于计划20篇" in page
    assert "J1 × 3 -6.00 会议无故缺席" in page  # the ledger's own lines stay


def test_department_page_marks_a_target_not_started_and_a_capped_category(client):
    year = county_year()

    response = department_page(client, year, "组织部")

    rows = table_rows(response, "targets")
    assert rows[2] == ["ZZB-2", "农民工入会集中行动", "目标任务", "40.00", "40.00", "0.00", "未开展 应得分全部扣除"]
    assert rows[-1] == ["合计", "100.00", "40.00", "60.00", ""]
    page = text(response)
    assert "ZZB-2 目标项目 未开展 -40.00 农民工入会集中行动 理由：立项工作全年未开展" in page
    assert "机关管理 -10.00 记录扣分 11.00，扣完为止，计 10.00" in page
    assert "目标任务 -40.00 机关管理 -10.00 记录扣分 11.00，扣完为止，计 10.00 加分项目 0.00 全部记录" in page


def test_department_page_shows_a_capped_bonus(client):
    year = county_year()

    page = text(department_page(client, year, "宣传部"))

    assert "加分项目 +5.00 记录加分 8.00，加分上限 5.00，计 5.00" in page
    assert "XCB-1 劳动竞赛 目标任务 50.00 2.50 47.50" in page


def test_district_department_page_shows_no_targets_and_no_cap_column(client, cast, demo_year):
    client.force_login(cast["head_bgs"])
    office = Department.objects.get(name="办公室")

    response = client.get(reverse("staff:department", args=[demo_year.year, office.pk]))

    page = response.content.decode()
    assert "目标" not in page and "扣完为止" not in page and "满分" not in page
    assert '<thead><tr><th scope="col">类别</th><th scope="col" class="num">得分变化</th></tr></thead>' in page


def test_department_page_of_a_scheme_of_another_full_score_states_it(client):
    year = county_year(full_score="120")

    response = department_page(client, year, "办公室")

    page = text(response)
    assert "考核小组评分 = 满分 120.00 − 扣分合计 + 加分合计" in page
    assert "考核小组评分 77.00" in page  # 120 − 46 + 3
    assert table_rows(response, "targets")[-1] == ["合计", "120.00", "40.00", "80.00", ""]


def test_comparison_adds_the_targets_totals_in_a_year_with_targets(client):
    year = county_year()
    client.force_login(county_leadership())

    response = client.get(reverse("staff:compare", args=[year.year]))

    page = text(response)
    assert "考核小组评分 目标应得分 目标实得分 差额" in page
    assert "办公室 未填写 — 57.00 100.00 60.00 —" in page
    assert "组织部 未填写 — 50.00 100.00 60.00 —" in page
    assert "宣传部 未填写 — 102.50 100.00 97.50 —" in page


def test_comparison_detail_shows_the_ledgers_targets(client):
    year = county_year()
    client.force_login(county_leadership())
    office = Department.objects.get(name="组织部")

    response = client.get(reverse("staff:compare_detail", args=[year.year, office.pk]))

    assert response.status_code == 200
    rows = table_rows(response, "targets")
    assert rows[2][:6] == ["ZZB-2", "农民工入会集中行动", "目标任务", "40.00", "40.00", "0.00"]
    page = text(response)
    # Nothing declared: every target counts as earned in full beside the ledger's shortfall of 40.
    assert "自评得分 — 考核小组评分 50.00" in page
    assert "目标任务 0.00 -40.00 机关管理 0 -10.00" in page


def test_district_comparison_has_no_targets_columns(client, cast, demo_year):
    client.force_login(cast["leader_wang"])

    page = text(client.get(reverse("staff:compare", args=[demo_year.year])))

    assert "目标" not in page
    assert "自评得分 考核小组评分 差额" in page


def test_self_assessment_shows_the_department_its_targets(client):
    year = county_year()
    client.force_login(county_head("组织部"))
    department = Department.objects.get(name="组织部")

    response = client.get(reverse("workplans:self", args=[year.year, department.pk]))

    assert response.status_code == 200
    assert table_rows(response, "targets") == [
        ["代码", "目标项目", "类别", "应得分", "扣分", "实得分", "说明"],
        ["ZZB-1", "基层工会组建", "目标任务", "60.00", "0.00", "60.00", ""],
        ["ZZB-2", "农民工入会集中行动", "目标任务", "40.00", "40.00", "0.00", "未开展 应得分全部扣除"],
        ["合计", "100.00", "40.00", "60.00", ""],
    ]
    page = text(response)
    assert "本年度的目标责任项目及其应得分（合计 100.00 分）" in page
    assert "自评得分（按申报计算） 100.00" in page


def test_district_self_assessment_shows_no_targets(client, cast, self_assessment_year):
    client.force_login(cast["head_bgs"])
    office = Department.objects.get(name="办公室")

    response = client.get(reverse("workplans:self", args=[self_assessment_year.year, office.pk]))

    assert response.status_code == 200
    assert "目标" not in response.content.decode()


def test_comparison_scores_a_self_assessment_with_the_departments_targets_earned_in_full(client):
    year = year_in_phase(county_year(), AssessmentYear.Phase.SELF_ASSESSMENT)
    department = Department.objects.get(name="组织部")
    head = county_head("组织部")
    assessment = services.self_assessment_get_or_create(year=year, department=department)
    j1 = Rule.objects.get(scheme=year.scheme, code="J1")
    services.self_assessment_save(
        assessment=assessment,
        summary="",
        declarations=[services.DeclarationData(j1, 6, 0, None, "")],
        submit=False,
        user=head,
    )
    client.force_login(county_leadership())

    page = text(client.get(reverse("staff:compare", args=[year.year])))

    # Self: 100 − min(6 × 2, cap 10), its targets earned in full; ledger: 50.00 (targets 60.00 of 100).
    assert "组织部 草稿 90.00 50.00 100.00 60.00 +40.00" in page


def test_printed_self_assessment_lists_the_targets(client):
    year = year_in_phase(county_year(), AssessmentYear.Phase.SELF_ASSESSMENT)
    department = Department.objects.get(name="办公室")
    services.self_assessment_get_or_create(year=year, department=department)
    client.force_login(county_head("办公室"))

    response = client.get(reverse("workplans:self_print", args=[year.year, department.pk]))

    assert response.status_code == 200
    rows = table_rows(response, "targets")
    assert rows[2] == ["BGS-2", "职工书屋建设", "目标任务", "35.00", "35.00", "0.00", "记录扣分 40.00，扣完为止"]
    assert rows[-1] == ["合计", "100.00", "40.00", "60.00", ""]


def test_results_page_warns_when_an_allotment_does_not_sum(client, county_year, county_cast):
    results = reverse("staff:results", args=[county_year.year])
    client.force_login(county_cast["county_lead"])
    assert "target-allotment" not in client.get(results).content.decode()
    target = county_year.targets.get(code="JJB-1")
    target.points += 5
    target.save()

    page = client.get(results)

    assert page.context["allotment_problems"] == ["部室“经济技术部”各目标项目应得分合计 105，须等于满分 100。"]
    warning = "目标项目的分配有误，改正前本年度不能审定： 部室“经济技术部”各目标项目应得分合计 105，须等于满分 100。"
    assert warning in text(page)
    assert page.context["targets_url"] == f"/admin/scoring/target/?year__id__exact={county_year.pk}"
    client.force_login(county_cast["county_chair_liu"])
    leadership = client.get(results)
    assert leadership.context["allotment_problems"] == page.context["allotment_problems"]
    assert leadership.context["targets_url"] == ""  # leadership does not allot targets
