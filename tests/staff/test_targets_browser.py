"""The county year's department page and self-assessment in headless Chromium, phone and desktop: the targets
table fits and its figures read as in the HTML tests (tests/staff/test_targets_pages.py); screenshots saved."""

import pytest
from django.urls import reverse

from departments.models import Department
from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.county import county_head, county_year

pytestmark = BROWSER_MARKS

PASSWORD = "kaohe-test-password"  # tests.factories.UserFactory


def _page(browser, live_server, username, *, phone: bool):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_county_department_page_and_self_assessment_show_the_targets(transactional_db, live_server, phone):
    year = county_year()
    head = county_head("组织部")
    department = Department.objects.get(name="组织部")
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "phone" if phone else "desktop"
    with chromium() as browser:
        page = _page(browser, live_server, head.username, phone=phone)

        page.goto(live_server.url + reverse("staff:department", args=[year.year, department.pk]))
        table = page.locator("table.targets")
        assert table.locator("tbody tr").nth(1).inner_text().split("\t") == [
            "ZZB-2",
            "农民工入会集中行动",
            "目标任务",
            "40.00",
            "40.00",
            "0.00",
            "未开展 应得分全部扣除",
        ]
        assert table.locator("tfoot tr").inner_text().split("\t") == ["合计", "100.00", "40.00", "60.00", ""]
        assert page.get_by_text("记录扣分 11.00，扣完为止，计 10.00").is_visible()
        # The table scrolls inside its own box on a phone; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=SHOTS / f"staff-county-department-{suffix}.png", full_page=True)

        page.goto(live_server.url + reverse("workplans:self", args=[year.year, department.pk]))
        assert page.locator("table.targets tfoot tr").inner_text().split("\t") == [
            "合计",
            "100.00",
            "40.00",
            "60.00",
            "",
        ]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=SHOTS / f"staff-county-self-{suffix}.png", full_page=True)
