"""A rater casts a ballot on a phone-sized screen in headless Chromium."""

import pytest

from ballots import codes as ballot_codes
from ballots import services
from ballots.models import Ballot, BallotCode
from tests.browser import BROWSER_MARKS, SHOTS, chromium

pytestmark = BROWSER_MARKS


@pytest.fixture
def phone(live_server):
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        yield context.new_page()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect  # noqa: PLC0415 — only when a browser test runs

    return playwright_expect(locator)


def test_vote_cast_on_phone_in_browser(transactional_db, phone, live_server, staff_group, departments):
    [code] = services.codes_generate(group=staff_group, department=departments["办公室"], count=1)
    SHOTS.mkdir(parents=True, exist_ok=True)

    phone.goto(f"{live_server.url}/vote/")
    phone.get_by_label("测评码").fill(code.lower())
    phone.screenshot(path=SHOTS / "ballots-vote-1-code.png", full_page=True)
    phone.get_by_role("button", name="开始测评").tap()

    expect(phone.get_by_text("按规定不对本部室（办公室）进行测评。")).to_be_visible()
    expect(phone.locator("fieldset legend")).to_have_text(
        ["1. 组织部", "2. 宣教调研室", "3. 民管法工部", "4. 生活保障部", "5. 女职工部", "6. 经济工作部"]
    )
    phone.get_by_role("button", name="下一步：核对").tap()
    expect(phone.get_by_text("还有部室未选择")).to_be_visible()
    for i, grade in enumerate(["优秀", "良好", "优秀", "一般", "弃权", "较差"]):
        phone.locator("fieldset").nth(i).get_by_text(grade, exact=True).tap()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    phone.screenshot(path=SHOTS / "ballots-vote-2-ballot.png", full_page=True)
    phone.get_by_role("button", name="下一步：核对").tap()

    expect(phone.locator("tbody tr")).to_have_text(
        ["组织部优秀", "宣教调研室良好", "民管法工部优秀", "生活保障部一般", "女职工部弃权", "经济工作部较差"]
    )
    phone.screenshot(path=SHOTS / "ballots-vote-3-confirm.png", full_page=True)
    phone.get_by_role("button", name="确认提交").tap()

    expect(phone.get_by_text("投票成功")).to_be_visible()
    phone.screenshot(path=SHOTS / "ballots-vote-4-done.png", full_page=True)
    ballot = Ballot.objects.get()
    assert dict(ballot.ratings.values_list("department__name", "grade")) == {
        "组织部": "优秀",
        "宣教调研室": "良好",
        "民管法工部": "优秀",
        "生活保障部": "一般",
        "经济工作部": "较差",
    }
    assert BallotCode.objects.get().used is True

    phone.goto(f"{live_server.url}/vote/")
    phone.get_by_label("测评码").fill(code)
    phone.get_by_role("button", name="开始测评").tap()
    expect(phone.get_by_text(ballot_codes.MSG_USED)).to_be_visible()
    phone.screenshot(path=SHOTS / "ballots-vote-5-used.png", full_page=True)
