"""Rater counts from the staff roster: the default 机关全体人员 count and the codes printed per department are the
active people of the roster, not typed."""

import pytest
from django.core.exceptions import ValidationError

from ballots import services
from ballots.models import BallotCode
from departments.models import Department
from people.models import Person


@pytest.fixture
def roster(demo_year):
    """办公室: three active people and one who left; 组织部: two active; 旧科室 (not in the year): one."""
    bgs, zzb = Department.objects.get(name="办公室"), Department.objects.get(name="组织部")
    old = Department.objects.create(name="旧科室", order=99)
    for name in ["甲", "乙", "丙"]:
        Person.objects.create(name=name, department=bgs)
    Person.objects.create(name="丁", department=bgs, is_active=False)
    for name in ["戊", "己"]:
        Person.objects.create(name=name, department=zzb)
    Person.objects.create(name="庚", department=old)
    return {"办公室": bgs, "组织部": zzb}


def test_default_staff_group_counts_the_active_roster_of_the_year(roster, demo_year):
    groups = services.default_groups(year=demo_year)

    assert [(g.name, g.planned_count, g.by_department) for g in groups] == [
        ("机关全体人员", 5, True),
        ("基层工会干部代表", 30, False),
    ]


def test_default_staff_group_counts_headcounts_without_a_roster(demo_year):
    groups = services.default_groups(year=demo_year)

    assert groups[0].planned_count == 29


def test_codes_without_a_count_follow_the_department_roster(roster, staff_group, grassroots_group, departments):
    codes = services.codes_generate(group=staff_group, department=roster["办公室"], count=None)

    assert len(codes) == 3
    assert BallotCode.objects.filter(batch__department=roster["办公室"]).count() == 3
    with pytest.raises(ValidationError) as empty:
        services.codes_generate(group=staff_group, department=departments["女职工部"], count=None)
    with pytest.raises(ValidationError) as ungrouped:
        services.codes_generate(group=grassroots_group, count=None)
    assert empty.value.messages == ["人员名册中女职工部没有在职人员，请填写数量。"]
    assert ungrouped.value.messages == ["请填写数量。"]


def test_round_page_offers_roster_counts_and_codes_follow_them(client, cast, roster, staff_group):
    client.force_login(cast["lead"])

    page = client.get("/democratic/2023/").content.decode()
    response = client.post(
        "/democratic/2023/codes/", {"group": staff_group.pk, "department": roster["组织部"].pk, "count": ""}
    )

    assert f'<option value="{roster["组织部"].pk}" data-roster-count="2">组织部（名册 2 人）</option>' in page
    assert f'<option value="{roster["办公室"].pk}" data-roster-count="3">办公室（名册 3 人）</option>' in page
    assert "js/ballot_codes.js" in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert BallotCode.objects.filter(batch__department=roster["组织部"]).count() == 2


def test_round_open_page_says_the_staff_count_comes_from_the_roster(client, cast, roster, demo_year):
    client.force_login(cast["lead"])

    page = client.get("/democratic/2023/open/")

    assert page.context["formset"].initial[0]["planned_count"] == 5
    assert "“机关全体人员”的应参评人数取自人员名册：参加本年度考核的部室在职 5 人。" in page.content.decode()
