"""The county demo year (target management, docs/scoring.md §7) in headless Chromium, by every role of its cast:
signed in, each role's home page and every page it links to open without an error (each link a user is shown
leads to a page he may open), and no page logs a script error or a Content-Security-Policy violation."""

from ops.demo import COUNTY_USERS, DEMO_PASSWORD
from tests.browser import BROWSER_MARKS, SHOTS, chromium

pytestmark = BROWSER_MARKS
SKIPPED = ("/accounts/logout", "/admin/logout")


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    return sorted({h for h in hrefs if h.startswith("/") and not h.startswith(SKIPPED)})


def _walk(browser, live_server, username: str) -> tuple[list[str], list[str], list[str]]:
    """The role's home page links, those that did not open (with their status), the script errors logged."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        return [], ["login"], errors
    page.screenshot(path=SHOTS / f"county-home-{username}.png", full_page=True)
    home = _links(page)
    failures = []
    for href in home:
        response = context.request.get(live_server.url + href)
        if response.status != 200:
            failures.append(f"{href}: {response.status}")
        elif response.headers.get("content-type", "").startswith("text/html"):
            page.goto(live_server.url + href)
            page.wait_for_load_state()
    context.close()
    return home, failures, errors


def test_county_year_every_role_opens_every_page_it_is_shown(transactional_db, county_year, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        walks = {row[0]: _walk(browser, live_server, row[0]) for row in COUNTY_USERS}

    assert {name: len(home) > 3 for name, (home, _, _) in walks.items()} == dict.fromkeys(walks, True)
    assert {name: failures for name, (_, failures, _) in walks.items()} == dict.fromkeys(walks, [])
    assert {name: errors for name, (_, _, errors) in walks.items()} == dict.fromkeys(walks, [])
