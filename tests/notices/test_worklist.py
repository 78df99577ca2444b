"""Every role's worklist (待办) on the demo year, phase by phase, with exact items; the home page shows it; the
user lands on the year that needs him or her."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import Department
from notices.worklist import landing_year, worklist
from reviews.services import ledger_record_create
from scoring.models import AssessmentYear, Rule
from tests.conftest import year_in_phase
from tests.factories import YearFactory
from tests.workflow.conftest import office_s2
from tests.workplans.conftest import submitted_report
from workflow import services
from workflow.models import Objection

Phase = AssessmentYear.Phase
IN_PUBLICITY = datetime.date(2024, 1, 11)  # the fixtures' 公示 runs from 2024-01-10 to 2024-01-14


def titles(user, year, today=None):
    return [item.title for item in worklist(user, year, today)]


def late_reports(months=range(12, 0, -1), skip=()):
    return [f"{m}月计划和小结逾期未提交" for m in months if m not in skip]


@pytest.mark.parametrize(
    "who,count",
    [
        ("admin", 1),
        ("lead", 1),
        ("reviewer_zzb", 0),
        ("reviewer_bgs", 0),
        ("head_bgs", 12),
        ("head_jjb", 12),
        ("vice_li", 0),
        ("leader_wang", 1),
        ("outsider", 0),
    ],
)
def test_home_counts_each_roles_items_on_the_demo_year(cast, who, count):
    client = Client()
    client.force_login(cast[who])
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert len(page.context["items"]) == count
    assert (
        f'<h2 class="h5 card-title" id="worklist-title">待办 <span class="badge text-bg-danger">{count}</span></h2>'
        in (page.content.decode())
    )


def test_head_sees_every_late_report_newest_first(demo_year, cast):
    items = worklist(cast["head_bgs"], demo_year)
    assert [i.title for i in items] == late_reports()
    assert {(i.section, i.action, i.late) for i in items} == {("办公室", "填写", True)}
    office = Department.objects.get(name="办公室")
    assert items[0].url == f"/2023/dept/{office.pk}/reports/12/"
    assert (items[0].deadline, items[0].detail) == (datetime.date(2023, 12, 31), "应于2023年12月31日前提交")
    assert (items[-1].deadline, items[-1].detail) == (datetime.date(2023, 1, 31), "应于2023年1月31日前提交")


def test_scoring_items_of_lead_reviewers_vice_chair_and_head(demo_year, cast):
    office, organisation = Department.objects.get(name="办公室"), Department.objects.get(name="组织部")
    b1 = Rule.objects.get(scheme=demo_year.scheme, code="B1")
    pending = ledger_record_create(
        year=demo_year,
        rule=b1,
        departments=[office],
        level="national",
        recorded_by=cast["reviewer_bgs"],
        date=datetime.date(2023, 5, 10),
        status="pending",
    )
    report, _ = submitted_report(demo_year, organisation, cast["head_zzb"], month=6)

    assert titles(cast["lead"], demo_year) == [
        "下一步：进入「民主测评」阶段",
        "T4 建议：组织部 6月「职工书屋验收」因自身原因未完成",
        "确认 B1 2023年5月10日 的记录（办公室考核员录入）",
    ]
    lead = worklist(cast["lead"], demo_year)
    assert lead[0].detail == "尚待：1 条台帐记录待确认；1 项扣分建议待处理"
    assert lead[2].url == f"/admin/reviews/ledgerrecord/?year__id__exact={demo_year.pk}&status__exact=pending"
    assert worklist(cast["reviewer_bgs"], demo_year)[0].url == f"/admin/reviews/ledgerrecord/{pending.pk}/change/"
    assert titles(cast["reviewer_bgs"], demo_year) == ["B1 2023年5月10日 的记录待组长确认"]
    assert titles(cast["reviewer_zzb"], demo_year) == ["T4 建议：组织部 6月「职工书屋验收」因自身原因未完成"]
    assert titles(cast["reviewer_xjdys"], demo_year) == []
    vice = worklist(cast["vice_li"], demo_year)
    assert [(i.title, i.url, i.action) for i in vice] == [
        ("审阅组织部6月计划和小结", f"/2023/dept/{organisation.pk}/reports/6/", "审阅")
    ]
    assert titles(cast["vice_zhao"], demo_year) == []
    assert titles(cast["head_zzb"], demo_year) == late_reports(skip={6})


def test_self_assessment_phase_items(self_assessment_year, cast):
    year = self_assessment_year
    head = worklist(cast["head_bgs"], year)
    assert [i.title for i in head] == ["年度考核自评表待提交", *late_reports()]  # dated today: newest
    assert (head[0].action, head[0].url) == ("填写", f"/2023/dept/{Department.objects.get(name='办公室').pk}/self/")
    lead = worklist(cast["lead"], year)
    assert [(i.title, i.detail) for i in lead] == [("下一步：进入「评分」阶段", "尚待：7 个部室尚未提交自评表")]


def test_publicity_items_with_objection_links_and_leadership_decisions(approvable_year, cast):
    year = approvable_year
    head = worklist(cast["head_bgs"], year, IN_PUBLICITY)
    assert [(i.title, i.deadline, len(i.links)) for i in head] == [
        ("考核结果已公示，如有异议请于2024年1月14日前提出", datetime.date(2024, 1, 14), 5)
    ]
    s2 = office_s2(year)
    assert f"/workflow/2023/objections/new/{s2.pk}/" in [link.url for link in head[0].links]
    assert titles(cast["leader_wang"], year, IN_PUBLICITY) == [
        "审定：公示期至2024年1月14日结束后记录党组会审定",
        "酌情奖励待决定：经济工作部",
        "酌情奖励待决定：民管法工部",
    ]
    assert titles(cast["lead"], year, IN_PUBLICITY) == ["审定：公示期至2024年1月14日结束后记录党组会审定"]

    objection = services.objection_raise(record=s2, reason="公务外出", by=cast["head_bgs"], today=IN_PUBLICITY)
    Objection.objects.filter(pk=objection.pk).update(raised_at=datetime.datetime(2024, 1, 11, 9, tzinfo=datetime.UTC))

    head = worklist(cast["head_bgs"], year, IN_PUBLICITY)
    assert len(head[0].links) == 4  # no second objection to the same record while the first waits
    answer = "答复办公室对 S2 记录的异议"
    assert titles(cast["reviewer_bgs"], year, IN_PUBLICITY) == [answer]
    assert titles(cast["reviewer_zzb"], year, IN_PUBLICITY) == []
    lead = worklist(cast["lead"], year, IN_PUBLICITY)
    assert [i.title for i in lead] == ["审定：公示期至2024年1月14日结束后记录党组会审定", answer]
    assert lead[0].detail == "尚待：尚有 1 条异议未答复。"
    assert lead[1].url == f"/workflow/objections/{objection.pk}/"
    # After 公示: no more objections; 审定 is due.
    after = datetime.date(2024, 1, 15)
    assert titles(cast["head_bgs"], year, after) == []
    assert titles(cast["leader_wang"], year, after)[-1] == "公示期已满，待记录党组会审定"


def test_frozen_year_offers_nothing_to_fill(approved_year, cast):
    client = Client()
    client.force_login(cast["head_bgs"])
    page = client.get(reverse("home_year", args=[2023])).content.decode()
    assert re.findall(r'<a class="btn[^"]*"[^>]*>([^<]*)</a>', page) == ["月度计划和小结", "本部室得分", "年度自评"]
    assert page.count('data-key="') == 0
    assert titles(cast["leader_wang"], approved_year) == ["已审定，待发布通报"]
    services.year_announce(approved_year, cast["leader_wang"])
    assert titles(cast["head_bgs"], approved_year) == ["考核结果已通报"]
    assert titles(cast["lead"], approved_year) == ["下一步：归档本年度"]


def test_each_user_lands_on_the_year_that_needs_them(demo_year, cast):
    newer = YearFactory(year=2024, phase=Phase.PREPARING)  # no department takes part yet
    assert landing_year(cast["head_bgs"]) == demo_year  # not the newest: 2024 has nothing for a head
    assert landing_year(cast["lead"]) == newer  # 2024's next step is the lead's
    assert landing_year(cast["outsider"]) == newer  # nothing anywhere: the newest year in progress
    client = Client()
    client.force_login(cast["head_bgs"])
    page = client.get(reverse("home"))
    assert page.context["year"] == demo_year
    assert 'href="/2024/"' in page.content.decode()  # the year switcher
    # A page whose URL names no year keeps the year of the home page in the menu.
    other = client.get(reverse("workflow:years")).content.decode()
    assert f'href="/2023/dept/{Department.objects.get(name="办公室").pk}/reports/"' in other
    client.get(reverse("home_year", args=[2024]))
    assert "2024年度</a>" in client.get(reverse("workflow:years")).content.decode()


def test_year_page_is_404_for_an_unknown_year(cast):
    client = Client()
    client.force_login(cast["head_bgs"])
    assert client.get(reverse("home_year", args=[1999])).status_code == 404


def test_year_in_phase_shortcut_hides_monthly_items_in_democratic(demo_year, cast):
    year_in_phase(demo_year, Phase.DEMOCRATIC)
    assert titles(cast["head_bgs"], demo_year) == []
