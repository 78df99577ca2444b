"""Screenshots of the ledger changelist and a breakdown in headless Chromium (Chinese text)."""

import pytest
from django.urls import reverse

from ops.demo import DEMO_PASSWORD
from tests.browser import BROWSER_MARKS, SHOTS, chromium

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_ledger_changelist_and_breakdown_render_in_chinese(live_server, demo_year, depts):

    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", "lead")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("input[type=submit]")
        page.goto(live_server.url + reverse("admin:reviews_ledgerrecord_changelist"))
        page.screenshot(path=str(SHOTS / "ledger-changelist.png"), full_page=True)
        changelist_text = page.inner_text("#content")
        page.goto(
            live_server.url + reverse("admin:reviews_ledgerrecord_breakdown", args=[demo_year.pk, depts["办公室"].pk])
        )
        page.screenshot(path=str(SHOTS / "ledger-breakdown.png"), full_page=True)
        breakdown_text = page.inner_text("#content")

    assert "选择 台帐记录 来修改" in changelist_text
    assert "考核小组评分" in breakdown_text and "105.50" in breakdown_text
