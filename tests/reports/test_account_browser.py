"""The review group's year-end account in real headless Chromium: the lead writes the narrative and saves it."""

import pytest
from django.test import Client

from tests.browser import BROWSER_MARKS, SHOTS, chromium
from workflow.models import ReviewAccount

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(live_server):
    with chromium() as browser:
        yield browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")


def test_lead_writes_the_year_end_account_in_browser(transactional_db, page, live_server, demo_year, cast):
    client = Client()
    client.force_login(cast["lead"])
    page.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    tab = page.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    tab.goto(f"{live_server.url}/reports/2023/")
    tab.get_by_role("link", name="填写说明").click()
    tab.get_by_label("考核情况说明").fill("全年按月记录台帐。\n公示期间收到异议两件，均已答复。")
    tab.get_by_role("button", name="保存").click()
    tab.wait_for_load_state()

    assert tab.get_by_text("考核情况说明已保存。").is_visible()
    assert tab.get_by_role("link", name="下载 PDF").is_visible()
    tab.screenshot(path=SHOTS / "reports-review-account.png", full_page=True)
    assert ReviewAccount.objects.get(year=demo_year).narrative == "全年按月记录台帐。\n公示期间收到异议两件，均已答复。"
