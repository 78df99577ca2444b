"""The year-end PDF as a document leadership can sign: approval facts on the cover, the draft marked on every page,
veto reasons, one money format, a grand total with the leaders' awards, rows that stay together, no stray spaces.
The approved year is `account_year` (tests/reports/conftest.py)."""

import datetime
import re

import pytest

from ballots import services as ballots
from ballots.pdf import slips_pdf
from departments.models import Department
from reports.data import year_report
from reports.forms_pdf import self_assessment_pdf
from reports.pdf import DRAFT_MARK, _Renderer, build_department_pdf, build_pdf, cjk_spacing
from results.cache import year_result
from scoring.models import AssessmentYear
from tests.reports.conftest import pdf_fonts, pdf_text
from tests.workflow.conftest import year_to
from workflow import services

pytestmark = pytest.mark.django_db

Phase = AssessmentYear.Phase


def flat(text: str) -> str:
    return "".join(text.split())


def pages_of(data: bytes, tmp_path) -> list[str]:
    return [p for p in pdf_text(data, tmp_path).split("\f") if p.strip()]


def test_approved_year_pdf_states_approval_vetoes_money_and_totals(account_year, tmp_path):
    """One build of the approved year's PDF, read for each statement below (building it takes long)."""
    approved_pdf = build_pdf(account_year)
    _cover_states_the_approving_meeting_and_is_dated_by_it(approved_pdf, tmp_path)
    _veto_reasons_stand_beside_the_veto_codes(account_year, approved_pdf, tmp_path)
    _money_in_one_format_and_a_grand_total_with_the_leaders_awards(account_year, approved_pdf, tmp_path)
    _no_space_after_full_width_punctuation(approved_pdf, tmp_path)

    section = flat(pdf_text(build_department_pdf(account_year, "宣教调研室"), tmp_path))
    assert "部室考核情况2024年1月20日·经党组会议审定（党组会纪要〔2024〕2号）" in section
    assert DRAFT_MARK not in section


def _cover_states_the_approving_meeting_and_is_dated_by_it(approved_pdf, tmp_path):
    pages = pages_of(approved_pdf, tmp_path)

    cover = flat(pages[0])
    assert "经某某区总工会党组会议审定（2024年1月20日，党组会纪要〔2024〕2号）" in cover
    assert cover.endswith("某某区总工会考核工作领导小组办公室2024年1月20日")
    assert flat(pages[1]).startswith("某某区总工会2023年度机关各部室创先争优绩效考核结果报告一、考核结果汇总")
    assert "以上考核结果已经某某区总工会党组会议审定（2024年1月20日，党组会纪要〔2024〕2号）。" in flat(pages[-1])
    assert not any(DRAFT_MARK in p for p in pages)


def test_draft_marks_every_page(demo_year, tmp_path):
    year_pages = pages_of(build_pdf(demo_year), tmp_path)
    section_pages = pages_of(build_department_pdf(demo_year, "办公室"), tmp_path)

    assert len(year_pages) == 12
    assert [DRAFT_MARK in p for p in year_pages + section_pages] == [True] * (len(year_pages) + len(section_pages))
    assert "审定前稿（当前阶段：评分）" in year_pages[0]


def _veto_reasons_stand_beside_the_veto_codes(account_year, approved_pdf, tmp_path):
    text = flat(pdf_text(approved_pdf, tmp_path))

    reason = "V2发生重大责任事故的（组织活动中发生重大责任事故；发生重大责任事故，经党组会认定）"
    assert f"宣教调研室被否决：{reason}。" in text  # under the summary table
    assert f"否决项目{reason}。取消年度考核奖和年终评先资格" in text  # in the department's section
    assert [n.code for n in year_report(account_year).vetoes["宣教调研室"]] == ["V2"]


def _money_in_one_format_and_a_grand_total_with_the_leaders_awards(account_year, approved_pdf, tmp_path):
    text = pdf_text(approved_pdf, tmp_path).replace("\u00a0", " ")
    result = year_result(account_year)
    leaders = {x.name: x.award for x in result.leaders}

    # 办公室 first (2,000 元 × 6), 生活保障部 and 组织部 second (1,000 元), 经济工作部 500 元 × 4.
    assert re.search(r"办公室\s+一等奖\s+2,000\.00 元\s+6\s+12,000\.00 元", text)
    assert re.search(r"经济工作部\s+酌情奖励\s+500\.00 元\s+4\s+2,000\.00 元", text)
    assert re.search(r"合计\s+29\s+23,000\.00 元", text)
    # 李: (1,000 + 2,000 + 0) / 3; 赵: (0 + 1,000 + 0 + 500) / 4; 王: the mean of the two.
    assert {name: str(award) for name, award in leaders.items()} == {
        "李副主席": "1000.00",
        "赵副主席": "375.00",
        "王主席": "687.50",
    }
    assert re.search(r"李副主席\s+副主席\s+组织部（1,000\.00 元）、办公室（2,000\.00 元）", text)
    assert re.search(r"合计\s+2,062\.50 元", text)
    assert "奖励总计（部室23,000.00元，领导2,062.50元）25,062.50元" in flat(text)
    assert result.total_money == 23000
    assert "经领导小组决定给予酌情奖励的部室：经济工作部（每人500.00元）。" in flat(text)
    # Every amount of money is followed by 元 (scores are not money: they carry no thousands separator).
    amounts = re.findall(r"\d{1,3}(?:,\d{3})*\.\d{2}(?:\s+元)?", text)
    assert [a for a in amounts if "," in a and not a.endswith("元")] == []


def _no_space_after_full_width_punctuation(approved_pdf, tmp_path):
    text = pdf_text(approved_pdf, tmp_path)

    assert "根据《某某区总工会机关各部室创先争优绩效考核实施办法》，2023年度考核实行百分制，最终得分" in text
    # One space: what a template's line break left; the layout pads between columns with more.
    assert re.findall(r"[，。；：、）》] [^ \n]", text) == []


def test_cjk_spacing_drops_the_spaces_template_line_breaks_leave_beside_full_width_punctuation():
    assert (
        cjk_spacing("办法》，\n  2023年度考核\n  （四舍五入）。\n  按最终得分")
        == "办法》，2023年度考核（四舍五入）。按最终得分"
    )
    assert cjk_spacing("每人 500.00 元<br>第二段") == "每人 500.00 元<br>第二段"


# ---------------------------------------------------------------------------------------------------------
# Rows that stay together


@pytest.fixture
def approved_ballot_year(ballot_year, cast):
    year_to(ballot_year, Phase.PUBLICITY, cast["lead"])
    for name, amount in (("经济工作部", "500"), ("民管法工部", "0")):
        services.discretionary_award_grant(
            ballot_year, Department.objects.get(name=name), amount, "领导小组研究决定", cast["leader_wang"]
        )
    services.year_approve(ballot_year, datetime.date(2024, 1, 20), "党组会纪要〔2024〕2号", cast["leader_wang"])
    return ballot_year


def test_a_departments_ballot_rows_stay_on_one_page_each_with_its_name(approved_ballot_year, tmp_path):
    pages = pages_of(build_pdf(approved_ballot_year), tmp_path)
    row = re.compile(r"^\s*(\S+)\s+(机关全体人员|基层工会干部)\S*\s+\d", re.M)

    per_page = [[m.groups() for m in row.finditer(p)] for p in pages]
    rows = [r for page in per_page for r in page]
    names = ["生活保障部", "办公室", "宣教调研室", "组织部", "经济工作部", "民管法工部", "女职工部"]
    # The turnout table's two rows carry no department; the statistics have two rows per department.
    statistics = [r for r in rows if r[0] in names]
    assert statistics == [(n, g) for n in names for g in ("机关全体人员", "基层工会干部")]
    for page in per_page:
        on_page = [n for n, _ in page if n in names]
        assert all(on_page.count(n) == 2 for n in on_page), on_page


def _renderer():
    return _Renderer("版式测试")


def _pages(renderer: _Renderer, html: str, tmp_path) -> list[str]:
    renderer.add(html, left="左", right="右")
    return pages_of(renderer.parts[-1], tmp_path)


def test_a_tables_first_or_last_row_never_stands_alone_on_a_page(db, tmp_path):
    renderer = _renderer()
    lone = []
    for filler in range(150, 250, 2):  # a spacer of so many mm: the page ends at every row in turn
        html = f'<div style="height:{filler}mm"></div>' + (
            "<table><thead><tr><th>序号</th><th>内容</th></tr></thead><tbody>"
            + "".join(f"<tr><td>行{i:02d}</td><td>内容</td></tr>" for i in range(1, 13))
            + "</tbody></table>"
        )
        pages = _pages(renderer, html, tmp_path)
        first = [p for p in pages if "行01" in p][0]
        last = [p for p in pages if "行12" in p][0]
        lone.append(min(len(re.findall(r"行\d\d", first)), len(re.findall(r"行\d\d", last))))
    assert min(lone) >= 2, lone


def test_a_self_assessment_category_row_stays_with_its_first_rule(db, tmp_path):
    renderer = _renderer()
    stranded = []
    for filler in range(180, 250, 2):
        html = f'<div style="height:{filler}mm"></div>' + (
            '<table class="ledger"><thead><tr><th>项目</th><th>内容</th></tr></thead><tbody>'
            + '<tr class="group-head"><td colspan="2">类别甲</td></tr>'
            + "".join(f"<tr><td>A{i}</td><td>内容</td></tr>" for i in range(1, 4))
            + '<tr class="group-head"><td colspan="2">类别乙</td></tr>'
            + "".join(f"<tr><td>B{i}</td><td>内容</td></tr>" for i in range(1, 4))
            + "</tbody></table>"
        )
        for page in _pages(renderer, html, tmp_path):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            body = [line for line in lines if re.match(r"^(类别|A\d|B\d)", line)]
            if body and body[-1].startswith("类别"):
                stranded.append(filler)
    assert stranded == []


def test_self_assessment_form_keeps_its_summary_with_the_signatures(demo_year, tmp_path):
    pages = pages_of(self_assessment_pdf(demo_year, Department.objects.get(name="办公室")), tmp_path)

    last = flat(pages[-1])
    assert "三、自评总结" in last and "部室负责人" in last and "分管副主席意见" in last
    assert all("三、自评总结" not in flat(p) for p in pages[:-1])


# ---------------------------------------------------------------------------------------------------------
# The code slips


def test_code_slips_footer_is_set_in_a_cjk_font(democratic_year, tmp_path):
    round_ = ballots.round_open(
        year=democratic_year,
        title="2023年度民主测评",
        closes_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
        groups=ballots.default_groups(year=democratic_year),
    )
    group = round_.groups.get(name="基层工会干部代表")
    data = slips_pdf(
        group=group,
        department=None,
        codes=ballots.codes_generate(group=group, count=2),
        ballot_url="https://kaohe.example.org/vote/",
    )

    fonts = [line.split()[0] for line in pdf_fonts(data, tmp_path).splitlines()[2:]]
    assert "第1页/共1页" in flat(pdf_text(data, tmp_path))
    assert [f for f in fonts if "CJK" not in f and "Mono" not in f] == []
