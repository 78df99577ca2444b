"""变更记录: who changed what, when, before and after; for the review lead and leadership only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department
from reviews.models import LedgerRecord
from scoring.models import YearDepartment
from staff.history import Filters, changes, entries
from tests.admin_forms import change_page_post
from tests.reviews.conftest import add_post

URL = "/history/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("leader_wang", 200),
        ("admin", 200),
        ("reviewer_bgs", 403),
        ("head_bgs", 403),
        ("vice_li", 403),
        ("outsider", 403),
    ],
)
def test_history_page_for_lead_and_leadership_only(client, cast, who, status):
    client.force_login(cast[who])

    assert client.get(URL).status_code == status


def test_history_page_anonymous_goes_to_login(client, demo_year):
    assert client.get(URL).url == "/accounts/login/?next=/history/"


def _edited_record(client, demo_year, cast):
    """The demo's T3 record (民管法工部, 1.5 points) edited by the review lead on the ledger's change page."""
    record = LedgerRecord.objects.filter(year=demo_year, rule__code="T3", points=Decimal("1.5")).get()
    client.force_login(cast["lead"])
    data = add_post(
        demo_year,
        record.rule,
        list(record.departments.all()),
        date=record.date.isoformat(),
        points="2.5",
        reason=record.reason,
        description="劳动法律监督专项检查延迟完成（复核后调整）",
        version=str(record.version),
    )
    response = client.post(reverse("admin:reviews_ledgerrecord_change", args=[record.pk]), data)
    assert response.status_code == 302
    return record


def test_history_shows_an_edited_records_before_and_after(client, cast, demo_year):
    record = _edited_record(client, demo_year, cast)
    client.force_login(cast["leader_wang"])

    page = client.get(URL, {"record": record.pk})

    shown = page.context["entries"]
    assert [(e.action, e.who, e.kind) for e in shown][:1] == [("修改", "周组长", "考核台帐")]
    assert [(c.field, c.before, c.after) for c in shown[0].changes] == [
        ("情况说明", "劳动法律监督专项检查因上级调整活动时间延迟完成", "劳动法律监督专项检查延迟完成（复核后调整）"),
        ("酌情扣分（每单位）", "1.5", "2.5"),
    ]
    html = page.content.decode()
    assert "劳动法律监督专项检查延迟完成（复核后调整）" in html
    assert '<td class="history-before">1.5</td><td class="history-after">2.5</td>' in html


def test_history_filters_by_kind_year_department_and_person(client, cast, demo_year):
    _edited_record(client, demo_year, cast)
    entry = YearDepartment.objects.get(year=demo_year, department__name="办公室")
    entry.headcount = 7
    entry._history_user = cast["admin"]  # what the middleware gives a request's save
    entry.save()

    headcounts = entries(changes(Filters(kind="headcount", year=demo_year)))
    office = entries(changes(Filters(department=entry.department, person=cast["admin"])))
    by_lead = entries(changes(Filters(person=cast["lead"])))

    assert [(e.action, e.label, [(c.field, c.before, c.after) for c in e.changes]) for e in headcounts][0] == (
        "修改",
        "2023年度机关各部室创先争优绩效考核 · 办公室（7人）",
        [("年末在编人数", "6", "7")],
    )
    assert [e.what for e in office] == ["年度参评部室"]
    assert [(e.what, e.action) for e in by_lead] == [("台帐记录", "修改")]


def test_history_linked_from_records_scores_and_decisions(client, cast, demo_year):
    office = YearDepartment.objects.get(year=demo_year, department__name="办公室").department
    record = LedgerRecord.objects.filter(year=demo_year, departments=office).order_by("id").first()
    client.force_login(cast["leader_wang"])

    department = client.get(f"/2023/dept/{office.pk}/").content.decode()
    results = client.get("/2023/results/").content.decode()
    approval = client.get("/workflow/2023/approval/").content.decode()

    assert f'href="/history/?record={record.pk}"' in department
    assert f'href="/history/?year=2023&amp;department={office.pk}"' in results
    assert 'href="/history/?year=2023&amp;kind=decision"' in approval


def test_history_links_hidden_from_reviewers(client, cast, demo_year):
    client.force_login(cast["reviewer_bgs"])

    assert "/history/" not in client.get("/2023/results/").content.decode()


def test_history_of_a_years_settings_and_phases(client, cast, demo_year):
    client.force_login(cast["lead"])
    client.post("/workflow/2023/move/", {"to": "democratic"})

    page = client.get(URL, {"kind": "year", "year": "2023"})

    assert page.status_code == 200
    first = page.context["entries"][0]
    assert (first.what, first.action, first.who) == ("考核年度", "修改", "周组长")
    assert [(c.field, c.before, c.after) for c in first.changes] == [("阶段", "评分", "民主测评")]
    created = page.context["entries"][-1]
    assert (created.what, created.action) == ("考核年度", "新增")
    assert ("阶段", "—", "准备") in [(c.field, c.before, c.after) for c in created.changes]


def test_history_page_answers_every_filter(client, cast, demo_year):
    office = YearDepartment.objects.get(year=demo_year, department__name="办公室").department
    client.force_login(cast["lead"])

    statuses = {
        (kind, extra): client.get(URL, {"kind": kind, **dict(extra)}).status_code
        for kind in ("", "ledger", "year", "headcount", "scheme", "decision", "role")
        for extra in ((("year", "2023"),), (("department", office.pk),), (("person", cast["lead"].pk),), ())
    }

    assert set(statuses.values()) == {200}


def test_history_shows_a_rules_recorder_offices_before_and_after(client, cast, demo_year):
    rule = demo_year.scheme.rules.get(code="S1")
    url = reverse("admin:scoring_rule_change", args=[rule.pk])
    client.force_login(cast["admin"])
    data = change_page_post(client.get(url))
    data["recorder_offices"] = [str(Department.objects.get(name=name).pk) for name in ("办公室", "组织部")]
    assert client.post(url, data).status_code == 302
    client.force_login(cast["leader_wang"])

    page = client.get(URL, {"kind": "scheme"})

    first = page.context["entries"][0]
    assert (first.what, first.action, first.label) == ("考核项目", "修改", str(rule))
    assert [(c.field, c.before, c.after) for c in first.changes] == [("负责录入的科室", "办公室", "组织部、办公室")]


def test_history_person_filter_offers_the_people_who_made_changes(client, cast, demo_year):
    _edited_record(client, demo_year, cast)
    client.force_login(cast["leader_wang"])

    people = client.get(URL).context["people"]

    assert [p.username for p in people] == ["lead"]


@pytest.mark.parametrize(("who", "linked"), [("lead", True), ("admin", True), ("reviewer_bgs", False)])
def test_ledger_change_page_links_to_the_records_history(client, cast, demo_year, who, linked):
    record = LedgerRecord.objects.filter(year=demo_year, rule__code="S1").order_by("id").first()
    client.force_login(cast[who])

    page = client.get(reverse("admin:reviews_ledgerrecord_change", args=[record.pk]))

    assert page.status_code == 200
    assert (f'href="/history/?record={record.pk}"' in page.content.decode()) is linked
