"""新建下一年度 in real headless Chromium: 2024 from 2023, two headcounts changed, then to 进行中 on the
workflow page, with no other typing."""

import pytest
from django.test import Client

from scoring.models import AssessmentYear
from tests.browser import BROWSER_MARKS, SHOTS, chromium

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(live_server):
    with chromium() as browser:
        yield browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")


def test_new_year_from_last_year_in_browser(transactional_db, page, live_server, cast):
    client = Client()
    client.force_login(cast["lead"])
    page.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    tab = page.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    tab.goto(f"{live_server.url}/workflow/")
    tab.get_by_role("link", name="由此新建2024年度").click()
    tab.get_by_label("办公室年末在编人数").fill("7")
    tab.get_by_label("女职工部年末在编人数").fill("5")
    tab.screenshot(path=SHOTS / "workflow-newyear-1-form.png", full_page=True)
    tab.get_by_role("button", name="下一步：核对将新建的内容").click()
    assert tab.get_by_text(
        "参评部室 7 个：办公室7人、组织部5人、宣教调研室3人、民管法工部4人、生活保障部4人、女职工部5人、经济工作部4人；"
    ).is_visible()
    tab.screenshot(path=SHOTS / "workflow-newyear-2-confirm.png", full_page=True)
    tab.get_by_role("button", name="新建2024年度").click()
    assert tab.get_by_text("2024年度机关各部室创先争优绩效考核已新建，当前为“准备”阶段。").is_visible()
    tab.get_by_role("button", name="确认变更").click()
    assert tab.get_by_text("已进入“进行中”阶段。").is_visible()
    tab.screenshot(path=SHOTS / "workflow-newyear-3-running.png", full_page=True)

    year = AssessmentYear.objects.get(year=2024)
    assert year.phase == AssessmentYear.Phase.RUNNING
    assert year.scheme.code == "district-2024"
    assert dict(year.year_departments.values_list("department__name", "headcount")) == {
        "办公室": 7, "组织部": 5, "宣教调研室": 3, "民管法工部": 4, "生活保障部": 4, "女职工部": 5, "经济工作部": 4,
    }  # fmt: skip
