"""The year walked in headless Chromium through the worklists only: after logging in, every page is reached by
clicking (a worklist item, the menu, a link of the page), never by a typed URL, and every irreversible step
passes its confirmation page. Then the home page of every role, phase by phase, screenshotted."""

import datetime

import pytest
from django.test import Client

from departments.models import Department
from reviews.services import ledger_record_create
from scoring.models import AssessmentYear, DiscretionaryAward, Rule
from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.conftest import year_in_phase
from tests.workflow.conftest import office_s2, year_to
from tests.workplans.conftest import submitted_report
from workflow import services
from workflow.models import Objection, Publicity
from workplans.models import MonthlyReport, SelfAssessment

PASSWORD = "kaohe-demo-2023"
Phase = AssessmentYear.Phase

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser():
    with chromium() as chromium_browser:
        yield chromium_browser


def expect(locator):
    from playwright.sync_api import expect as playwright_expect  # noqa: PLC0415 — only when a browser test runs

    return playwright_expect(locator)


def _login(browser, live_server, username):
    """The only typed URL of a walk: the login page."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"worklist-{name}.png", full_page=True)


def _count(page, n):
    expect(page.locator("#worklist-title")).to_have_text(f"待办 {n}")


def _item(page, title):
    return page.locator("#worklist").get_by_role("link", name=title, exact=True)


def _home(page):
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="首页", exact=True).click()


def test_head_and_vice_chair_walk_reports_and_self_assessment_through_the_worklist(
    transactional_db, demo_year, cast, browser, live_server
):
    year_in_phase(demo_year, Phase.SELF_ASSESSMENT)
    office = Department.objects.get(name="办公室")
    head = _login(browser, live_server, "head_bgs")
    _count(head, 13)
    expect(head.locator("#worklist li[data-key]").first).to_contain_text("年度考核自评表待提交")
    _shot(head, "head-walk-1-home")

    _item(head, "12月计划和小结逾期未提交").click()
    head.get_by_label("本月工作小结").fill("十二月完成年度总结。")
    head.get_by_role("button", name="提交（提交后不能修改）").click()
    expect(head.get_by_role("heading", name="确认：提交办公室2023年12月工作报告")).to_be_visible()
    _shot(head, "head-walk-2-confirm-report")
    head.get_by_role("button", name="确认提交").click()
    expect(head.get_by_text("已提交，报告不能再修改。")).to_be_visible()
    assert MonthlyReport.objects.get(year=demo_year, department=office, month=12).status == "submitted"

    _home(head)
    _count(head, 12)
    expect(_item(head, "12月计划和小结逾期未提交")).to_have_count(0)
    _item(head, "年度考核自评表待提交").click()
    head.get_by_label("自评总结").fill("全年完成各项重点工作。")
    head.get_by_role("button", name="提交自评表（提交后不能修改）").click()
    expect(head.get_by_role("heading", name="确认：提交办公室2023年度考核自评表")).to_be_visible()
    head.get_by_role("button", name="确认提交").click()
    expect(head.get_by_text("自评表已提交。")).to_be_visible()
    assert SelfAssessment.objects.get(year=demo_year, department=office).status == "submitted"

    _home(head)
    _count(head, 11)
    expect(_item(head, "年度考核自评表待提交")).to_have_count(0)
    # The menu's notices: the 13 items the home page showed first, two of them done (read).
    expect(head.get_by_role("link", name="通知 11 条未读")).to_be_visible()
    _shot(head, "head-walk-3-done")
    head.get_by_role("link", name="通知 11 条未读").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("通知 未读 11")
    _shot(head, "head-walk-4-notices")
    head.get_by_role("link", name="未读 11月计划和小结逾期未提交").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("办公室 · 2023年11月工作小结和12月工作计划")
    expect(head.get_by_role("link", name="通知 10 条未读")).to_be_visible()

    # The vice chair supervising 办公室 reviews the submitted report from the worklist.
    vice = _login(browser, live_server, "vice_li")
    _count(vice, 1)
    _item(vice, "审阅办公室12月计划和小结").click()
    vice.get_by_label("审阅意见").fill("同意。")
    vice.get_by_role("button", name="保存审阅意见").click()
    expect(vice.get_by_text("已审阅办公室12月计划和小结。")).to_be_visible()
    _home(vice)
    _count(vice, 0)


def test_lead_leadership_head_and_reviewer_walk_the_procedure_through_their_worklists(
    transactional_db, demo_year, cast, browser, live_server
):
    office = Department.objects.get(name="办公室")
    b1 = Rule.objects.get(scheme=demo_year.scheme, code="B1")
    ledger_record_create(
        year=demo_year,
        rule=b1,
        departments=[office],
        level="national",
        recorded_by=cast["reviewer_bgs"],
        date=datetime.date(2023, 5, 10),
        status="pending",
    )

    # The lead: confirm the pending record, then move the year to 民主测评 and 公示.
    lead = _login(browser, live_server, "lead")
    _count(lead, 2)
    expect(lead.locator("#worklist")).to_contain_text("尚待：1 条台帐记录待确认")
    _shot(lead, "lead-walk-1-home")
    _item(lead, "确认 B1 2023年5月10日 的记录（办公室考核员录入）").click()
    lead.locator("input[name='_selected_action']").first.check()
    lead.locator("select[name='action']").select_option("confirm_records")
    lead.get_by_role("button", name="执行").click()
    expect(lead.get_by_text("已确认 1 条记录。")).to_be_visible()
    lead.get_by_role("link", name="查看站点").click()
    _count(lead, 1)
    expect(lead.locator("#worklist")).to_contain_text("没有未完成的事项，可以进入下一阶段。")
    _item(lead, "下一步：进入「民主测评」阶段").click()
    lead.get_by_role("button", name="确认变更").click()
    expect(lead.get_by_text("已进入“民主测评”阶段")).to_be_visible()
    _home(lead)
    _item(lead, "下一步：进入「公示」阶段").click()
    lead.get_by_role("button", name="确认变更").click()
    expect(lead.get_by_role("heading", name="确认：公示2023年度机关各部室创先争优绩效考核考核结果")).to_be_visible()
    _shot(lead, "lead-walk-2-confirm-publicity")
    lead.get_by_role("button", name="确认公示").click()
    expect(lead.get_by_text("已进入“公示”阶段")).to_be_visible()
    demo_year.refresh_from_db()
    assert demo_year.phase == Phase.PUBLICITY
    _home(lead)
    end = services.publicity_current(demo_year).end
    _count(lead, 1)
    expect(lead.locator("#worklist")).to_contain_text(f"审定：公示期至{end.year}年{end.month}月{end.day}日结束后")
    _shot(lead, "lead-walk-3-publicity")

    # The head objects to the S2 record from the worklist's "提出异议" beside it.
    head = _login(browser, live_server, "head_bgs")
    _count(head, 1)
    s2 = office_s2(demo_year)
    head.locator(f"#worklist a[href$='/objections/new/{s2.pk}/']").click()
    head.get_by_label("异议理由").fill("当日公务外出，已报备。")
    head.get_by_role("button", name="提交异议").click()
    expect(head.get_by_text("异议已提交，等待考核小组答复。")).to_be_visible()

    # The reviewer of the record's rule answers it from the worklist.
    reviewer = _login(browser, live_server, "reviewer_bgs")
    _count(reviewer, 1)
    _item(reviewer, "答复办公室对 S2 记录的异议").click()
    reviewer.get_by_label("维持").check()
    reviewer.get_by_label("答复理由").fill("经核实，未报备。")
    reviewer.get_by_role("button", name="保存答复").click()
    assert Objection.objects.get().status == "answered"
    _home(reviewer)
    _count(reviewer, 0)

    # Leadership: grant the discretionary awards, record 审定 and announce, each from the worklist.
    wang = _login(browser, live_server, "leader_wang")
    _count(wang, 3)
    _shot(wang, "leader-walk-1-home")
    for name in ("经济工作部", "民管法工部"):
        _item(wang, f"酌情奖励待决定：{name}").click()
        award = wang.locator("#awards ~ .card").filter(has_text=name)
        award.get_by_label("人均金额（元）").fill("500")
        award.get_by_label("理由").fill("全年无扣分事项")
        award.get_by_role("button", name="核定").click()
        expect(wang.get_by_text(f"已核定{name}酌情奖励人均 500.00 元。")).to_be_visible()
        _home(wang)
    assert DiscretionaryAward.objects.count() == 2
    _count(wang, 1)
    _item(wang, f"审定：公示期至{end.year}年{end.month}月{end.day}日结束后记录党组会审定").click()
    today = datetime.date.today()
    wang.get_by_label("党组会日期").fill(today.isoformat())
    wang.get_by_label("会议纪要编号").fill("党组会纪要〔2024〕2号")
    wang.get_by_label("公示期尚未结束，仍要审定").check()
    wang.get_by_role("button", name="记录审定并冻结结果").click()
    expect(wang.get_by_role("heading", name="确认：审定2023年度机关各部室创先争优绩效考核")).to_be_visible()
    wang.get_by_role("button", name="确认审定").click()
    expect(wang.get_by_text("2023年度机关各部室创先争优绩效考核已审定，结果已冻结。")).to_be_visible()
    _home(wang)
    _count(wang, 1)
    _item(wang, "已审定，待发布通报").click()
    wang.get_by_role("button", name="发布通报").click()
    expect(wang.get_by_role("heading", name="确认：通报2023年度机关各部室创先争优绩效考核考核结果")).to_be_visible()
    wang.get_by_role("button", name="确认通报").click()
    expect(wang.get_by_text("2023年度机关各部室创先争优绩效考核考核结果已通报。")).to_be_visible()
    demo_year.refresh_from_db()
    assert demo_year.phase == Phase.ANNOUNCED

    # The head reads the result from the worklist.
    _home(head)
    _count(head, 1)
    _item(head, "考核结果已通报").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text("奖")


ROLES = ["head_bgs", "reviewer_zzb", "lead", "vice_li", "leader_wang", "admin"]


def _homes(browser, live_server, cast, label):
    """Screenshot the home page of every role (signed in by session cookie: nothing is walked here)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    counts = {}
    for who in ROLES:
        client = Client()
        client.force_login(cast[who])
        context.clear_cookies()
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        counts[who] = page.locator("#worklist li[data-key]").count()
        _shot(page, f"home-{label}-{who}")
        page.close()
    context.close()
    return counts


def test_every_roles_home_page_phase_by_phase(transactional_db, demo_year, cast, browser, live_server):
    organisation = Department.objects.get(name="组织部")
    year_in_phase(demo_year, Phase.PREPARING)
    counts = {"preparing": _homes(browser, live_server, cast, "0-preparing")}
    year_in_phase(demo_year, Phase.RUNNING)
    submitted_report(demo_year, organisation, cast["head_zzb"], month=6)  # for 李副主席 to review; a T4 suggestion
    counts["running"] = _homes(browser, live_server, cast, "1-running")
    year_in_phase(demo_year, Phase.SELF_ASSESSMENT)
    counts["self_assessment"] = _homes(browser, live_server, cast, "1b-self-assessment")
    year_in_phase(demo_year, Phase.SCORING)
    counts["scoring"] = _homes(browser, live_server, cast, "2-scoring")
    year_in_phase(demo_year, Phase.DEMOCRATIC)
    counts["democratic"] = _homes(browser, live_server, cast, "2b-democratic")
    year_in_phase(demo_year, Phase.SCORING)
    year_to(demo_year, Phase.PUBLICITY, cast["lead"])
    Publicity.objects.update(start=datetime.date.today())  # 公示 running today, as when it has just begun
    counts["publicity"] = _homes(browser, live_server, cast, "3-publicity")
    services.year_approve(demo_year, datetime.date.today(), "纪要2号", cast["leader_wang"], before_publicity_end=True)
    counts["approved"] = _homes(browser, live_server, cast, "3b-approved")
    services.year_announce(demo_year, cast["leader_wang"])
    counts["announced"] = _homes(browser, live_server, cast, "4-announced")
    # 准备: only the step to 进行中; 自评 adds the self-assessment to the 12 late reports; 民主测评 takes no report
    # or review; 审定 leaves only the 通报 to leadership (and the administrator).
    assert counts == {
        "preparing": {"head_bgs": 0, "reviewer_zzb": 0, "lead": 1, "vice_li": 0, "leader_wang": 1, "admin": 1},
        "running": {"head_bgs": 12, "reviewer_zzb": 1, "lead": 2, "vice_li": 1, "leader_wang": 1, "admin": 2},
        "self_assessment": {"head_bgs": 13, "reviewer_zzb": 1, "lead": 2, "vice_li": 1, "leader_wang": 1, "admin": 2},
        "scoring": {"head_bgs": 12, "reviewer_zzb": 1, "lead": 2, "vice_li": 1, "leader_wang": 1, "admin": 2},
        "democratic": {"head_bgs": 0, "reviewer_zzb": 1, "lead": 2, "vice_li": 0, "leader_wang": 1, "admin": 2},
        "publicity": {"head_bgs": 1, "reviewer_zzb": 1, "lead": 2, "vice_li": 0, "leader_wang": 3, "admin": 4},
        "approved": {"head_bgs": 0, "reviewer_zzb": 0, "lead": 0, "vice_li": 0, "leader_wang": 1, "admin": 1},
        "announced": {"head_bgs": 1, "reviewer_zzb": 0, "lead": 1, "vice_li": 0, "leader_wang": 1, "admin": 1},
    }
