"""Every page of every role, checked by axe-core in headless Chromium: no critical or serious violation.

The pages are those of the URL walk (tests/security/test_url_walk.py: every URL of the project and the admin's
changelists, add and change forms) that answer the role with an HTML page; the cast is the demo's
(tests/conftest.py). The democratic evaluation's pages are walked again with a round open (its form, codes and
paper ballots). axe-core comes from the npm registry into `tools/axe/` (`npm ci` there, as `make test` does);
without it the test is skipped. One browser, one context per role and pass, 1366 px wide.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ballots import services as ballots
from scoring.models import AssessmentYear
from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.conftest import year_in_phase
from tests.security.test_url_walk import ROLES, project_urls

AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
FAILING = {"critical", "serious"}
# The whole page, every rule axe runs by default (WCAG 2.0–2.2 A and AA, and its best practices).
AXE_RUN = "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed: run `npm ci` in tools/axe (make test does)"),
]


def _pages(client: Client, urls: list[tuple[str, str]]) -> list[str]:
    """The URLs that answer this client with an HTML page."""
    pages = []
    for _name, url in urls:
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            pages.append(url)
    return pages


def _walk(browser, live_server, cast, urls, problems) -> int:
    """Check every page of `urls` each role may open; the violations go into `problems`. Returns the count."""
    checked = 0
    for role in ROLES:
        # A crash is the URL walk's business: here it is a page that is not checked, and the count shows it.
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(cast[role])
        pages = _pages(client, urls)
        if not pages:
            continue
        # The CSP forbids inline scripts; axe is injected as one, so this context alone bypasses it.
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
        if role != "anonymous":
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        for url in pages:
            page.goto(live_server.url + url)
            page.add_script_tag(path=str(AXE))
            for violation in page.evaluate(AXE_RUN):
                if violation["impact"] in FAILING:
                    targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                    problems[(violation["id"], violation["impact"])].append(f"{role} {url}: {targets}")
            checked += 1
        context.close()
    return checked


def _report(problems) -> list[str]:
    """One line per rule broken, with the first pages; written to test-artifacts/axe-report.txt as well."""
    report = [
        f"{rule} ({impact}) on {len(where)} pages: " + "; ".join(where[:8])
        for (rule, impact), where in sorted(problems.items())
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS.parent / "axe-report.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    return report


def test_no_serious_accessibility_violation_on_any_page(transactional_db, demo_year, cast, live_server):
    urls = project_urls(demo_year)
    problems: dict[tuple[str, str], list[str]] = defaultdict(list)
    with chromium() as browser:
        checked = _walk(browser, live_server, cast, urls, problems)
        _report(problems)
        year_in_phase(demo_year, AssessmentYear.Phase.DEMOCRATIC)
        ballots.round_open(
            year=demo_year,
            title="2023年度民主测评",
            closes_at=timezone.now() + datetime.timedelta(days=7),
            groups=[ballots.GroupSpec("机关全体人员", 29, None, True)],
        )
        ballot_urls = [(name, url) for name, url in urls if name.startswith("ballots:")]
        checked += _walk(browser, live_server, cast, ballot_urls, problems)
    report = _report(problems)
    assert checked > 200
    assert not report, "\n".join(report)
