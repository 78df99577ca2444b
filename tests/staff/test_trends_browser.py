"""历年对比, the results page's comparison and the 变更记录 in real headless Chromium (screenshots)."""

import pytest
from django.test import Client

from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.staff.test_history import _edited_record

pytestmark = BROWSER_MARKS


@pytest.fixture
def context(live_server):
    with chromium() as browser:
        yield browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")


def test_trends_comparison_and_history_in_browser(transactional_db, context, live_server, demo_years, cast):
    record = _edited_record(Client(), demo_years[1], cast)
    client = Client()
    client.force_login(cast["leader_wang"])
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    tab = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    tab.goto(f"{live_server.url}/trends/")
    tab.get_by_label("部室").select_option("经济工作部")
    tab.get_by_role("button", name="查看").click()
    assert tab.get_by_role("img", name="历年最终得分").is_visible()
    assert tab.get_by_role("img", name="历年最终得分").get_by_text("104.20（第1名，一等奖）").is_visible()
    tab.screenshot(path=SHOTS / "staff-trends.png", full_page=True)

    tab.goto(f"{live_server.url}/2023/results/")
    tab.get_by_role("button", name="对比").click()
    assert tab.get_by_role("cell", name="↓4").is_visible()
    tab.locator("#compare").scroll_into_view_if_needed()
    tab.screenshot(path=SHOTS / "staff-results-compare.png", full_page=True)

    tab.goto(f"{live_server.url}/2023/dept/{record.departments.get().pk}/")
    tab.get_by_role("link", name="变更记录").first.click()
    tab.goto(f"{live_server.url}/history/?record={record.pk}")
    assert tab.get_by_role("cell", name="劳动法律监督专项检查延迟完成（复核后调整）").is_visible()
    tab.screenshot(path=SHOTS / "staff-history-record.png", full_page=True)
    tab.goto(f"{live_server.url}/history/")
    tab.get_by_label("类别").select_option("年度设置和阶段")
    tab.get_by_label("年度", exact=True).select_option("2022")
    tab.get_by_role("button", name="筛选").click()
    tab.screenshot(path=SHOTS / "staff-history-year.png", full_page=True)
