"""The approval screen in real headless Chromium: order a tie, grant a discretionary award, record approval."""

import datetime

import pytest
from django.test import Client

from scoring.models import AssessmentYear, DiscretionaryAward, TieOrder
from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.workflow.conftest import office_s2
from workflow import services

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(live_server):
    with chromium() as browser:
        yield browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")


def _as(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def test_approval_screen_walk_in_browser(transactional_db, page, live_server, tie_ready_year, cast):
    year = tie_ready_year
    services.year_phase_move(year, AssessmentYear.Phase.DEMOCRATIC, cast["lead"])
    services.year_phase_move(
        year, AssessmentYear.Phase.PUBLICITY, cast["lead"], publicity_start=datetime.date(2024, 1, 10)
    )
    objection = services.objection_raise(
        record=office_s2(year), reason="公务外出", by=cast["head_bgs"], today=datetime.date(2024, 1, 11)
    )
    services.objection_answer(objection=objection, decision="withdraw", answer="核实", by=cast["reviewer_bgs"])
    SHOTS.mkdir(parents=True, exist_ok=True)

    tab = _as(page, live_server, cast["leader_wang"])
    tab.goto(f"{live_server.url}/workflow/2023/approval/")
    assert tab.get_by_text("并列待排序：办公室、生活保障部。").is_visible()
    tab.screenshot(path=SHOTS / "workflow-approval-1-tie.png", full_page=True)

    tie = tab.locator("form[data-tie='0']")
    tie.get_by_label("第 1 位").select_option("生活保障部")
    tie.get_by_label("第 2 位").select_option("办公室")
    tie.get_by_label("排序理由").fill("生活保障部信访接待零投诉")
    tie.get_by_role("button", name="确定排序").click()
    tab.wait_for_load_state()
    assert tab.get_by_text("已确定排序：生活保障部、办公室。").is_visible()

    award = tab.locator("#awards ~ .card").filter(has_text="经济工作部")
    award.get_by_label("人均金额（元）").fill("500")
    award.get_by_label("理由").fill("全年无扣分事项")
    award.get_by_role("button", name="核定").click()
    tab.wait_for_load_state()
    assert tab.get_by_text("已核定经济工作部酌情奖励人均 500.00 元。").is_visible()
    tab.screenshot(path=SHOTS / "workflow-approval-2-decided.png", full_page=True)

    tab.get_by_label("党组会日期").fill("2024-01-20")
    tab.get_by_label("会议纪要编号").fill("党组会纪要〔2024〕2号")
    tab.get_by_role("button", name="记录审定并冻结结果").click()
    tab.wait_for_load_state()
    assert tab.get_by_role("heading", name="确认：审定2023年度机关各部室创先争优绩效考核").is_visible()
    tab.screenshot(path=SHOTS / "workflow-approval-3-confirm.png", full_page=True)
    tab.get_by_role("button", name="确认审定").click()
    tab.wait_for_load_state()
    assert tab.get_by_text("2023年度机关各部室创先争优绩效考核已审定，结果已冻结。").is_visible()
    tab.screenshot(path=SHOTS / "workflow-approval-3-approved.png", full_page=True)

    year.refresh_from_db()
    assert year.phase == AssessmentYear.Phase.APPROVED
    assert [e.department.name for e in TieOrder.objects.get(year=year).entries.all()] == ["生活保障部", "办公室"]
    assert str(DiscretionaryAward.objects.get(year=year).amount) == "500.00"
    rows = tab.locator("#results tbody tr")
    assert rows.nth(1).inner_text().split("\t")[:2] == ["2", "生活保障部"]

    # The year's page (phase log, approval record) and the objection with its answer and effect.
    tab.goto(f"{live_server.url}/workflow/2023/")
    assert tab.get_by_text("当前阶段：审定").is_visible()
    tab.screenshot(path=SHOTS / "workflow-year.png", full_page=True)
    tab.goto(f"{live_server.url}/workflow/objections/{objection.pk}/")
    assert tab.get_by_text("已撤销").is_visible()
    tab.screenshot(path=SHOTS / "workflow-objection.png", full_page=True)
