"""The county demo (`manage.py load_demo --scheme county-2011`): the 2011 year of target management
(docs/scoring.md §7), its accounts, and a walk through the pages for every role."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from departments.models import Department, Membership, Role
from ops.demo import COUNTY_USERS, DEMO_USERS
from results.cache import year_result
from reviews.models import LedgerRecord, TargetRecord
from scoring.models import AssessmentYear, Rule, Target

COUNTY_DEPARTMENTS = ["综合办公室", "基层工作部", "宣传教育部", "经济技术部", "法律保障部", "女职工委员会"]


def test_load_demo_county_creates_the_2011_year_with_targets(db, settings):
    settings.DEBUG = True  # load_demo runs only in development
    out = StringIO()

    call_command("load_demo", "--scheme", "county-2011", stdout=out)

    assert out.getvalue().startswith("已载入：示例组织“某某县总工会”、2011年度县总工会目标管理示例数据、示例账号 admin")
    assert list(AssessmentYear.objects.values_list("year", "scheme__code", "phase")) == [
        (2011, "county-2011", "scoring")
    ]
    year = AssessmentYear.objects.get(year=2011)
    assert list(year.year_departments.values_list("department__name", flat=True)) == COUNTY_DEPARTMENTS
    allotted = dict(year.targets.values_list("department__name").annotate(total=Sum("points")))
    assert allotted == {name: Decimal("100.00") for name in COUNTY_DEPARTMENTS}
    records = TargetRecord.objects.filter(year=year)
    assert sorted(records.values_list("target__code", "points", "not_started")) == [
        ("BGS-1", Decimal("5.00"), False),
        ("BGS-2", Decimal("20.00"), False),
        ("BGS-2", Decimal("20.00"), False),
        ("JCB-2", None, True),
        ("JJB-3", Decimal("3.00"), False),
        ("XJB-1", Decimal("2.50"), False),
    ]
    assert {r.recorded_by.username for r in records} == {"county_reviewer"}
    assert sorted(LedgerRecord.objects.filter(year=year).values_list("rule__code", "recorded_by__username")) == [
        ("B1", "county_reviewer"),
        ("B1", "county_reviewer"),
        ("B1", "county_reviewer"),
        ("J1", "county_reviewer"),
        ("J1", "county_reviewer"),
        ("J1", "county_reviewer"),
        ("J2", "county_reviewer"),
        ("J2", "county_reviewer"),
    ]
    # 综合办公室 records the J and B rules in the demo; the vetoes stay the lead's.
    offices = {r.code: [o.name for o in r.recorder_offices.all()] for r in Rule.objects.filter(scheme=year.scheme)}
    assert offices == {
        "J1": ["综合办公室"],
        "J2": ["综合办公室"],
        "B1": ["综合办公室"],
        "V1": [],
    }


def test_county_demo_scores_caps_and_shortfalls(county_year):
    result = year_result(county_year)

    scores = {d.name: (str(d.review_score), d.rank, d.award) for d in result.departments}
    assert scores == {
        "宣传教育部": ("102.50", 1, "first"),  # B: 5 + 3 counted up to the bonus cap 5
        "法律保障部": ("102.00", 2, "second"),
        "女职工委员会": ("98.00", 3, "second"),
        "经济技术部": ("97.00", 4, "none"),
        "基层工作部": ("60.00", 5, "none"),  # JCB-2 not started (30), J: 8 + 3 capped at 10
        "综合办公室": ("54.00", 6, "none"),  # BGS-2 loses its 35, not the 40 recorded
    }
    office = result.department("综合办公室")
    assert [(t.code, str(t.points), str(t.earned)) for t in office.targets] == [
        ("BGS-1", "40.00", "35.00"),
        ("BGS-2", "35.00", "0.00"),
        ("BGS-3", "25.00", "25.00"),
    ]


def test_load_demo_county_is_idempotent(county_year, settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("load_demo", "--scheme", "county-2011", stdout=out)

    assert out.getvalue().strip() == "示例数据已存在。"
    assert (AssessmentYear.objects.count(), Target.objects.count(), TargetRecord.objects.count()) == (1, 17, 6)


def test_default_load_demo_is_the_district_years_alone(db, settings):
    settings.DEBUG = True

    call_command("load_demo", stdout=StringIO())

    assert list(AssessmentYear.objects.values_list("year", "scheme__code")) == [
        (2023, "district-2023"),
        (2022, "district-2022"),
    ]
    assert Target.objects.count() == 0
    usernames = set(Membership.objects.values_list("user__username", flat=True))
    assert not any(name.startswith("county_") for name in usernames)
    assert {row[0] for row in DEMO_USERS} - {"admin"} == usernames


def test_both_demos_keep_their_departments_and_accounts_apart(demo_year, county_year):
    district = set(demo_year.year_departments.values_list("department__name", flat=True))
    county = set(county_year.year_departments.values_list("department__name", flat=True))
    assert district & county == set()
    heads = Membership.objects.filter(role=Role.DEPARTMENT_HEAD, user__username__startswith="county_")
    assert set(heads.values_list("department__name", flat=True)) == county


def test_demo_accounts_lists_the_county_accounts(db):
    out = StringIO()

    call_command("demo_accounts", "--scheme", "county-2011", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[1:]] == [row[0] for row in COUNTY_USERS]


def _pages(year, own):
    other = Department.objects.get(name="经济技术部")
    target = Target.objects.get(year=year, code="BGS-1")
    record = TargetRecord.objects.filter(target=target).first()
    return {
        "home": "/",
        "results": "/2011/results/",
        "own department": f"/2011/dept/{own.pk}/",
        "other department": f"/2011/dept/{other.pk}/",
        "self-assessment": f"/2011/dept/{own.pk}/self/",
        "comparison": f"/2011/compare/{own.pk}/",
        "reports": "/reports/2011/",
        "procedure": "/workflow/2011/",
        "targets": f"/admin/scoring/target/?year__id__exact={year.pk}",
        "target add": "/admin/scoring/target/add/",
        "target import": "/admin/scoring/target/import/",
        "target records": "/admin/reviews/targetrecord/",
        "target record add": f"/admin/reviews/targetrecord/add/?target={target.pk}",
        "target record": f"/admin/reviews/targetrecord/{record.pk}/change/",
        "ledger breakdown": f"/admin/reviews/ledgerrecord/breakdown/{year.pk}/{own.pk}/",
    }


OK, FORBIDDEN, LOGIN = 200, 403, 302
# What each county role gets on each page (the head and vice chair of 综合办公室; the others have no department).
WALK = {
    "county_lead": dict.fromkeys(
        ("home", "results", "own department", "other department", "self-assessment", "comparison", "reports",
         "procedure", "targets", "target add", "target import", "target records", "target record add",
         "target record", "ledger breakdown"),
        OK,
    ),
    "county_reviewer": {
        **dict.fromkeys(
            ("home", "results", "own department", "other department", "self-assessment", "comparison", "reports",
             "procedure", "targets", "target records", "target record add", "target record", "ledger breakdown"),
            OK,
        ),
        "target add": FORBIDDEN,
        "target import": FORBIDDEN,
    },
    "county_head_bgs": {
        **dict.fromkeys(("home", "own department", "self-assessment", "reports", "procedure"), OK),
        **dict.fromkeys(("results", "other department", "comparison", "target import"), FORBIDDEN),
        **dict.fromkeys(("targets", "target add", "target records", "target record add", "target record",
                         "ledger breakdown"), LOGIN),
    },
    "county_vice_chen": {
        **dict.fromkeys(("home", "own department", "self-assessment", "reports"), OK),
        **dict.fromkeys(("results", "other department", "comparison", "procedure", "target import"), FORBIDDEN),
        **dict.fromkeys(("targets", "target add", "target records", "target record add", "target record",
                         "ledger breakdown"), LOGIN),
    },
    "county_chair_liu": {
        **dict.fromkeys(("home", "results", "own department", "other department", "self-assessment", "comparison",
                         "reports", "procedure"), OK),
        "target import": FORBIDDEN,
        **dict.fromkeys(("targets", "target add", "target records", "target record add", "target record",
                         "ledger breakdown"), LOGIN),
    },
}  # fmt: skip


@pytest.mark.parametrize("username", sorted(WALK))
def test_each_county_role_walks_the_demo(county_cast, county_year, username):
    client = Client()
    client.force_login(county_cast[username])
    own = Department.objects.get(name="综合办公室")

    answers = {name: client.get(url).status_code for name, url in _pages(county_year, own).items()}

    assert answers == WALK[username]
