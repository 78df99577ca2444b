"""End to end in headless Chromium: a head submits a monthly report, the vice chair reviews it, the 组织部
reviewer confirms the suggested T4, the head submits the self-assessment, leadership opens the results."""

import datetime
from decimal import Decimal

import pytest

from departments.models import Department
from results.cache import year_result
from reviews.models import LedgerRecord
from scoring.models import AssessmentYear
from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.conftest import year_in_phase
from workflow.services import year_phase_move
from workplans import services
from workplans.models import MonthlyReport, SelfAssessment

PASSWORD = "kaohe-demo-2023"

pytestmark = BROWSER_MARKS


@pytest.fixture
def chromium_browser():
    with chromium() as browser:
        yield browser


def expect(locator):
    from playwright.sync_api import expect as playwright_expect  # noqa: PLC0415 — only when a browser test runs

    return playwright_expect(locator)


def _login(browser, live_server, username, *, phone=False):
    if phone:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"staff-{name}.png", full_page=True)


def test_year_walk_in_browser(transactional_db, demo_year, cast, chromium_browser, live_server):
    browser = chromium_browser
    bgs = Department.objects.get(name="办公室")
    year_in_phase(demo_year, AssessmentYear.Phase.RUNNING)  # during the year: monthly reports, T4
    may = services.report_get_or_create(year=demo_year, department=bgs, month=5)
    services.report_save(
        report=may,
        summary_text="五月小结",
        plan_text="",
        plan_items=[
            services.PlanItemData("职工书屋验收", "完成三家基层职工书屋验收", datetime.date(2023, 6, 20)),
            services.PlanItemData("半年工作总结", "起草机关半年总结", datetime.date(2023, 6, 30)),
        ],
        outcomes={},
        submit=True,
        user=cast["head_bgs"],
    )
    before = year_result(demo_year).department("办公室").review_score

    # 1. The head of 办公室 fills June's summary and July's plan on a phone, and submits.
    head = _login(browser, live_server, "head_bgs", phone=True)
    _shot(head, "1-head-home")
    head.get_by_role("button", name="菜单").click()
    head.get_by_role("link", name="月度计划和小结").first.click()
    head.get_by_role("row", name="6月").get_by_role("link", name="填写").click()
    rows = head.locator(".outcome-item")
    rows.nth(0).get_by_label("完成情况").select_option(label="未完成")
    rows.nth(0).get_by_label("原因").select_option(label="自身原因")
    rows.nth(0).get_by_label("说明").fill("人员借调，未能按期组织验收")
    rows.nth(1).get_by_label("完成情况").select_option(label="完成")
    head.get_by_label("本月工作小结").fill("六月完成半年总结，职工书屋验收因人员借调未完成。")
    head.get_by_label("工作事项").first.fill("职工书屋补充验收")
    head.get_by_label("完成时限").first.fill("2023-07-15")
    assert head.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(head, "2-head-report-form")
    head.get_by_role("button", name="提交（提交后不能修改）").click()
    expect(head.get_by_role("heading", name="确认：提交办公室2023年6月工作报告")).to_be_visible()
    _shot(head, "2b-head-report-confirm")
    head.get_by_role("button", name="确认提交").click()
    expect(head.get_by_text("已提交，报告不能再修改。")).to_be_visible()
    expect(head.get_by_text("逾期提交")).to_be_visible()
    _shot(head, "3-head-report-submitted")
    june = MonthlyReport.objects.get(department=bgs, month=6)
    assert june.status == "submitted"
    assert [i.title for i in june.plan_items.all()] == ["职工书屋补充验收"]

    # 2. 李副主席 sees it on the board and reviews it.
    vice = _login(browser, live_server, "vice_li")
    vice.get_by_role("link", name="分管部室报告").first.click()
    expect(vice.get_by_role("row", name="女职工部")).to_have_count(0)
    _shot(vice, "4-vice-board")
    vice.get_by_label("办公室6月：逾期提交").click()
    vice.get_by_label("审阅意见").fill("同意。职工书屋验收7月上旬务必完成。")
    _shot(vice, "5-vice-review")
    vice.get_by_role("button", name="保存审阅意见").click()
    expect(vice.get_by_text("已审阅办公室6月计划和小结。")).to_be_visible()
    june.refresh_from_db()
    assert june.reviewed_by == cast["vice_li"]

    # 3. The 组织部 reviewer confirms the suggested T4.
    zzb = _login(browser, live_server, "reviewer_zzb")
    zzb.get_by_role("link", name="T4 建议").first.click()
    expect(zzb.get_by_role("heading", name="办公室 · 6月：职工书屋验收")).to_be_visible()
    _shot(zzb, "6-reviewer-t4")
    zzb.get_by_role("button", name="确认记录 T4（−2 分）").click()
    expect(zzb.get_by_text("已为办公室记录 T4 扣分。")).to_be_visible()
    record = LedgerRecord.objects.get(plan_item__plan_report__department=bgs)
    assert record.rule.code == "T4"
    assert year_result(demo_year).department("办公室").review_score == before - Decimal("2")

    # 4. The self-assessment waits for 自评; the lead moves the year on; the head submits it.
    head.goto(f"{live_server.url}/2023/dept/{bgs.pk}/self/")
    expect(head.get_by_text("当前阶段为「进行中」，自评仅在「自评」阶段可以填写。")).to_be_visible()
    expect(head.get_by_role("button", name="保存草稿")).to_have_count(0)
    year_phase_move(demo_year, AssessmentYear.Phase.SELF_ASSESSMENT, cast["lead"])
    head.goto(f"{live_server.url}/2023/dept/{bgs.pk}/self/")
    head.get_by_label("T4 次数").fill("1")
    head.get_by_label("S2 次数").fill("2")
    head.get_by_label("自评总结").fill("全年完成各项重点工作，6月职工书屋验收延误一项。")
    head.get_by_role("button", name="保存草稿").click()
    expect(head.get_by_text("自评表草稿已保存。")).to_be_visible()
    expect(head.locator(".score-big").first).to_have_text("97.00")
    _shot(head, "7a-head-self-assessment-form")
    head.get_by_role("button", name="提交自评表（提交后不能修改）").click()
    expect(head.get_by_role("heading", name="确认：提交办公室2023年度考核自评表")).to_be_visible()
    head.get_by_role("button", name="确认提交").click()
    expect(head.get_by_text("自评表已提交。")).to_be_visible()
    _shot(head, "7-head-self-assessment")
    assert SelfAssessment.objects.get(department=bgs).status == "submitted"
    head.get_by_role("link", name="打印版").click()
    expect(head.get_by_role("heading", name="2023年度机关各部室创先争优绩效考核自评表")).to_be_visible()
    _shot(head, "7b-head-self-assessment-print")
    head.goto(f"{live_server.url}/2023/dept/{bgs.pk}/")
    _shot(head, "8-head-my-department")

    # 5. Leadership opens the results and drills down.
    wang = _login(browser, live_server, "leader_wang")
    wang.get_by_role("link", name="考核结果").first.click()
    expect(wang.get_by_role("heading", name="2023年度创先争优绩效考核结果")).to_be_visible()
    expect(wang.locator("svg.chart")).to_have_count(2)
    _shot(wang, "9-leader-results")
    wang.locator("tbody tr", has_text="办公室").get_by_role("link", name="明细").click()
    expect(wang.get_by_role("heading", name="办公室 · 2023年考核得分")).to_be_visible()
    _shot(wang, "10-leader-drilldown")

    lead = _login(browser, live_server, "lead")
    lead.goto(f"{live_server.url}/2023/compare/{bgs.pk}/")
    _shot(lead, "11-lead-compare")
