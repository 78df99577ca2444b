"""The Content-Security-Policy and Permissions-Policy every response carries, and pages that keep to them in a real
browser (no inline script, nothing from elsewhere)."""

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import Department
from tests.browser import BROWSER_MARKS, chromium
from tests.workplans.conftest import self_assessment_with_claim

CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
PERMISSIONS = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


def _directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


@pytest.mark.parametrize("name", ["login", "home", "admin:index"])
def test_every_page_carries_both_policies(client, db, name):
    response = client.get(reverse(name))
    assert _directives(response.headers["Content-Security-Policy"]) == set(CSP)
    assert response.headers["Permissions-Policy"] == PERMISSIONS


def _pages(year: int, year_pk: int) -> dict[str, list[str]]:
    office = Department.objects.get(name="办公室").pk
    return {
        "lead": [
            reverse("home"),
            reverse("staff:results", args=[year]),
            reverse("staff:compare", args=[year]),
            reverse("admin:reviews_ledgerrecord_changelist"),
        ],
        "admin": [
            reverse("admin:index"),
            reverse("admin:scoring_assessmentyear_change", args=[year_pk]),
            reverse("admin:reviews_ledgerrecord_add"),
        ],
        "head_bgs": [
            reverse("home"),
            reverse("staff:department", args=[year, office]),
            reverse("workplans:self_print", args=[year, office]),
        ],
    }


def test_pages_break_no_rule_of_the_policy_in_chromium(transactional_db, live_server, self_assessment_year, cast):
    demo_year = self_assessment_year
    self_assessment_with_claim(demo_year, Department.objects.get(name="办公室"))
    violations: list[str] = []
    with chromium() as browser:
        for user, urls in _pages(demo_year.year, demo_year.pk).items():
            context = browser.new_context(locale="zh-CN")
            client = Client()
            client.force_login(cast[user])
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
            )
            tab = context.new_page()
            tab.on(
                "console",
                lambda message, user=user, tab=tab: (
                    violations.append(f"{user} {tab.url}: {message.text}")
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            for url in urls:
                response = tab.goto(live_server.url + url)
                assert response is not None and response.status == 200, url
                tab.wait_for_load_state("load")
            if user == "head_bgs":  # the print page's button works without an inline handler
                tab.evaluate("window.print = () => { window.printed = true; }")
                tab.get_by_role("button", name="打印").click()
                printed = tab.evaluate("window.printed === true")
            context.close()
    assert violations == []
    assert printed is True


for _mark in BROWSER_MARKS:
    test_pages_break_no_rule_of_the_policy_in_chromium = _mark(test_pages_break_no_rule_of_the_policy_in_chromium)
