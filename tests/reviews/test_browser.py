"""Screenshots of the ledger changelist and a breakdown in headless Chromium (Chinese text)."""

import pytest
from django.urls import reverse

from ops.demo import DEMO_PASSWORD
from scoring.catalogue import scheme_copy
from scoring.models import AssessmentYear
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


@pytest.mark.django_db(transaction=True)
def test_add_form_offers_the_rules_of_the_year_chosen_in_it(live_server, demo_year):
    scheme = scheme_copy(scheme=demo_year.scheme, code="district-2024", name="2024年度考核方案")
    next_year = AssessmentYear.objects.create(year=2024, title="2024年度考核", scheme=scheme)
    rule_of = {y.pk: dict(y.scheme.rules.values_list("code", "pk")) for y in (demo_year, next_year)}

    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", "lead")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("input[type=submit]")
        page.goto(live_server.url + reverse("admin:reviews_ledgerrecord_add"))
        first = page.eval_on_selector_all("#id_rule option[value]:not([value=''])", "os => os.map(o => o.value)")
        with page.expect_navigation():
            page.select_option("#id_year", str(demo_year.pk))
        page.screenshot(path=str(SHOTS / "ledger-add-year-chosen.png"), full_page=True)
        chosen = page.eval_on_selector_all("#id_rule option[value]:not([value=''])", "os => os.map(o => o.value)")
        year_value = page.input_value("#id_year")

    assert rule_of[next_year.pk]["T1"] == int(first[0])
    assert year_value == str(demo_year.pk)
    assert sorted(int(pk) for pk in chosen) == sorted(rule_of[demo_year.pk].values())
