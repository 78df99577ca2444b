"""The review lead drafts the 通报 in real headless Chromium: generate, edit, save, download."""

import datetime

import pytest
from django.test import Client

from reports.models import Notice
from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.workflow.conftest import year_to
from workflow import services

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(live_server):
    with chromium() as browser:
        yield browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)


def test_lead_drafts_the_notice_in_browser(transactional_db, page, live_server, demo_year, cast):
    year_to(demo_year, "publicity", cast["lead"])
    services.year_approve(demo_year, datetime.date(2024, 1, 20), "党组会纪要〔2024〕2号", cast["leader_wang"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    client = Client()
    client.force_login(cast["lead"])
    page.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    tab = page.new_page()

    tab.goto(f"{live_server.url}/workflow/2023/")
    tab.get_by_role("link", name="起草通报").click()
    tab.get_by_role("button", name="生成通报草稿").click()
    tab.wait_for_load_state()
    assert tab.get_by_text("已生成通报草稿。").is_visible()
    tab.get_by_label("发文顺序号").fill("3")
    tab.get_by_label("结尾").fill("五、工作要求\n（一）抓好整改。各部室要对照问题逐项整改。")
    tab.get_by_label("印发日期").fill("2024-01-25")
    tab.screenshot(path=SHOTS / "workflow-notice-edit.png", full_page=True)
    tab.get_by_role("button", name="保存").click()
    tab.wait_for_load_state()

    assert tab.get_by_text("通报已保存。").is_visible()
    notice = Notice.objects.get()
    assert (notice.document_serial, notice.printed_on) == (3, datetime.date(2024, 1, 25))
    assert notice.closing == "五、工作要求\n（一）抓好整改。各部室要对照问题逐项整改。"
    with tab.expect_download() as download:
        tab.get_by_role("link", name="下载草稿（PDF）").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    services.year_announce(demo_year, cast["leader_wang"])
    tab.goto(f"{live_server.url}/workflow/2023/notice/")
    published = Notice.objects.get().issued_on
    assert tab.get_by_text(
        f"发文字号 区工发〔{published.year}〕3号，成文日期 {published.year}年{published.month}月{published.day}日"
    ).is_visible()
    assert tab.get_by_role("button", name="保存").count() == 0
    tab.screenshot(path=SHOTS / "workflow-notice-frozen.png", full_page=True)
