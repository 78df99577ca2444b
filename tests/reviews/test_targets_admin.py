"""Target items in the admin (目标管理, docs/scoring.md §7): the lead allots them, the review group records against
them, a frozen year is read-only, every list of a year's targets says what is wrong with its allotment, and a
year whose allotment does not sum is still scored everywhere."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from departments.models import Department
from results.cache import year_result
from reviews import services
from reviews.models import TargetRecord
from reviews.selectors import target_allotment_problems
from scoring.models import AssessmentYear, RuleCategory, Target, YearDepartment
from tests.conftest import year_in_phase
from workflow.services import approval_blockers

TARGETS = "/admin/scoring/target/"
TITLE = "2011年度县总工会各部办目标管理考核"  # str() of the county demo year
RECORDS = "/admin/reviews/targetrecord/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _version(year) -> object:
    return AssessmentYear.objects.values_list("data_version", flat=True).get(pk=year.pk)


def _target(year, code) -> Target:
    return Target.objects.select_related("year", "department", "category").get(year=year, code=code)


def _target_post(year, department, category, code="JJB-4", name="职工书屋", points="5", order=""):
    return {
        "year": str(year.pk),
        "department": str(department.pk),
        "category": str(category.pk),
        "code": code,
        "name": name,
        "points": points,
        "order": order,
    }


def _record_post(target, **values):
    data = {
        "target": str(target.pk),
        "date": "2011-06-01",
        "points": "",
        "reason": "",
        "description": "",
    }
    data.update(values)
    return data


def _category(year, code) -> RuleCategory:
    return RuleCategory.objects.get(scheme=year.scheme, code=code)


# --- the list and its allotment check ---------------------------------------------------------------------


def test_target_list_shows_the_years_targets_and_that_the_allotment_sums(county_year, county_cast):
    response = _client(county_cast["county_lead"]).get(f"{TARGETS}?year__id__exact={county_year.pk}")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 17
    assert response.context["allotment_problems"] == []
    assert "2011年度县总工会各部办目标管理考核：各部室目标项目应得分合计均等于满分 100。" in response.content.decode()


def test_target_list_of_one_department(county_year, county_cast):
    office = Department.objects.get(name="综合办公室")

    response = _client(county_cast["county_lead"]).get(
        f"{TARGETS}?year__id__exact={county_year.pk}&department__id__exact={office.pk}"
    )

    assert [t.code for t in response.context["cl"].result_list] == ["BGS-1", "BGS-2", "BGS-3"]


def test_target_list_warns_of_each_department_whose_points_do_not_sum(county_year, county_cast):
    services.target_create(
        year=county_year,
        department=Department.objects.get(name="经济技术部"),
        category=_category(county_year, "W"),
        code="JJB-4",
        name="职工书屋",
        points=Decimal("5"),
    )
    newcomer = Department.objects.create(name="网络工作部", order=99)
    YearDepartment.objects.create(year=county_year, department=newcomer, headcount=2, order=7)

    response = _client(county_cast["county_lead"]).get(f"{TARGETS}?year__id__exact={county_year.pk}")

    assert response.context["allotment_problems"] == [
        "部室“经济技术部”各目标项目应得分合计 105，须等于满分 100。",
        "部室“网络工作部”没有目标项目（设有目标项目的年度，每个部室都须有）。",
    ]
    html = response.content.decode()
    assert '<li class="warning">2011年度县总工会各部办目标管理考核：部室“经济技术部”各目标项目应得分合计 105' in html
    assert "均等于满分" not in html


def test_a_year_without_targets_has_no_allotment_problem(demo_year):
    assert target_allotment_problems(demo_year) == []


# --- entering targets by hand -----------------------------------------------------------------------------


def test_target_form_offers_the_years_departments_and_the_categories_that_carry_points(county_year, county_cast):
    response = _client(county_cast["county_lead"]).get(f"{TARGETS}add/?year={county_year.pk}")

    form = response.context["adminform"].form
    assert [c.code for c in form.fields["category"].queryset] == ["W", "J", "B"]  # not V 否决项目
    assert [d.name for d in form.fields["department"].queryset] == [
        "综合办公室",
        "基层工作部",
        "宣传教育部",
        "经济技术部",
        "法律保障部",
        "女职工委员会",
    ]


def test_lead_adds_a_target_and_the_year_gets_a_new_data_version(county_year, county_cast):
    before = _version(county_year)
    economy = Department.objects.get(name="经济技术部")

    response = _client(county_cast["county_lead"]).post(
        f"{TARGETS}add/", _target_post(county_year, economy, _category(county_year, "W"), points="2.5")
    )

    assert response.status_code == 302
    target = _target(county_year, "JJB-4")
    assert (target.department, target.points, target.order) == (economy, Decimal("2.50"), 18)
    assert _version(county_year) != before
    assert year_result(county_year).department("经济技术部").review_score == Decimal("97.00")


def test_target_form_shows_each_rule_next_to_its_field(county_year, county_cast):
    office = Department.objects.get(name="综合办公室")

    response = _client(county_cast["county_lead"]).post(
        f"{TARGETS}add/", _target_post(county_year, office, _category(county_year, "W"), code="BGS-1", points="0")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "code": ["目标代码“BGS-1”在2011年度县总工会各部办目标管理考核已使用。"],
        "points": ["应得分须大于 0。"],
    }
    assert Target.objects.filter(year=county_year).count() == 17


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"category": "V"}, {"category": ["类别“V 否决项目”只有否决项目，不能设立目标项目。"]}),
        ({"points": Decimal("1.005")}, {"points": ["应得分最多两位小数。"]}),
        ({"points": Decimal("-1")}, {"points": ["应得分须大于 0。"]}),
        ({"code": " ", "name": ""}, {"code": ["须填写目标代码。"], "name": ["须填写目标项目名称。"]}),
        ({"department": "outside"}, {"department": [f"网络工作部未参加{TITLE}（请先将其加入该年度的参评部室）。"]}),
        ({"category": "district"}, {"category": [f"类别“T 完成工作任务”不属于{TITLE}的考核方案。"]}),
    ],
)  # fmt: skip
def test_target_validate_refuses_by_field(county_year, demo_year, changes, errors):
    values = {
        "department": Department.objects.get(name="综合办公室"),
        "category": _category(county_year, "W"),
        "code": "BGS-9",
        "name": "新项目",
        "points": Decimal("1"),
    }
    if changes.get("category") == "V":
        changes = {"category": _category(county_year, "V")}
    elif changes.get("category") == "district":
        changes = {"category": _category(demo_year, "T")}
    elif changes.get("department") == "outside":
        changes = {"department": Department.objects.create(name="网络工作部")}
    values.update(changes)

    with pytest.raises(ValidationError) as exc:
        services.target_validate(year=county_year, **values)

    assert exc.value.message_dict == errors


def test_a_reviewer_may_see_targets_but_not_enter_them(county_year, county_cast):
    client = _client(county_cast["county_reviewer"])
    target = _target(county_year, "BGS-1")
    office, w = target.department, target.category

    assert client.get(f"{TARGETS}?year__id__exact={county_year.pk}").status_code == 200
    assert client.get(f"{TARGETS}add/").status_code == 403
    assert client.post(f"{TARGETS}add/", _target_post(county_year, office, w)).status_code == 403
    change = client.get(f"{TARGETS}{target.pk}/change/")
    assert (change.status_code, change.context["has_change_permission"]) == (200, False)
    post = _target_post(county_year, office, w, code="BGS-1", points="50")
    assert client.post(f"{TARGETS}{target.pk}/change/", post).status_code == 403
    assert _target(county_year, "BGS-1").points == Decimal("40.00")


def test_a_frozen_years_targets_are_read_only(county_year, county_cast):
    year_in_phase(county_year, AssessmentYear.Phase.APPROVED)
    client = _client(county_cast["county_lead"])
    target = _target(county_year, "BGS-1")

    post = _target_post(county_year, target.department, target.category, code="BGS-1", points="50")
    assert client.post(f"{TARGETS}{target.pk}/change/", post).status_code == 403
    assert client.post(f"{TARGETS}{target.pk}/delete/", {"post": "yes"}).status_code == 403
    add = client.get(f"{TARGETS}add/")
    assert county_year not in add.context["adminform"].form.fields["year"].queryset
    with pytest.raises(ValidationError, match="已审定"):
        services.target_create(
            year=county_year,
            department=target.department,
            category=target.category,
            code="BGS-9",
            name="x",
            points=Decimal("1"),
        )
    assert _target(county_year, "BGS-1").points == Decimal("40.00")


def test_a_target_with_records_is_not_deleted(county_year):
    target = _target(county_year, "BGS-2")

    with pytest.raises(ValidationError) as exc:
        services.target_delete(target=target)

    assert exc.value.messages == ["目标项目 BGS-2 已有 2 条扣分记录，不能删除（请先删除其记录）。"]
    assert Target.objects.filter(pk=target.pk).exists()


def test_target_services_give_the_year_a_new_data_version(county_year):
    versions = [_version(county_year)]
    w = _category(county_year, "W")
    office = Department.objects.get(name="综合办公室")
    target = services.target_create(
        year=county_year, department=office, category=w, code="BGS-4", name="新项目", points=Decimal("10")
    )
    versions.append(_version(county_year))
    services.target_update(target=target, department=office, category=w, code="BGS-4", name="新", points=Decimal("5"))
    versions.append(_version(county_year))
    record = services.target_record_create(
        target=target, points=Decimal("2"), reason="延迟", date=datetime.date(2011, 5, 1)
    )
    versions.append(_version(county_year))
    assert [t.earned for t in year_result(county_year).department("综合办公室").targets][-1] == Decimal("3.00")
    services.target_record_update(
        record=record, target=target, date=datetime.date(2011, 5, 2), not_started=True, reason="未开展"
    )
    versions.append(_version(county_year))
    assert [t.earned for t in year_result(county_year).department("综合办公室").targets][-1] == Decimal("0")
    services.target_record_delete(record=record)
    versions.append(_version(county_year))
    services.target_delete(target=target)
    versions.append(_version(county_year))

    assert len(set(versions)) == 7


# --- recording against targets ----------------------------------------------------------------------------


def test_a_reviewer_records_a_deduction_against_a_target(county_year, county_cast):
    target = _target(county_year, "BGS-3")
    before = _version(county_year)

    response = _client(county_cast["county_reviewer"]).post(
        f"{RECORDS}add/", _record_post(target, points="4.5", reason="后勤保障检查不合格")
    )

    assert response.status_code == 302
    record = TargetRecord.objects.get(target=target)
    assert (record.year, record.points, record.not_started, record.recorded_by) == (
        county_year,
        Decimal("4.50"),
        False,
        county_cast["county_reviewer"],
    )
    assert _version(county_year) != before
    office = year_result(county_year).department("综合办公室")
    assert (office.targets[2].earned, office.review_score) == (Decimal("20.50"), Decimal("49.50"))


def test_the_record_form_offers_the_open_years_targets_dated_in_their_year(county_year, county_cast):
    target = _target(county_year, "BGS-1")

    response = _client(county_cast["county_reviewer"]).get(f"{RECORDS}add/?target={target.pk}")

    form = response.context["adminform"].form
    assert form.fields["target"].queryset.count() == 17
    assert form.initial["date"] == datetime.date(2011, 12, 31)
    labels = [label for _, label in form.fields["target"].choices][1:3]
    assert labels == [
        "2011 · 综合办公室 · BGS-1 全年信息宣传任务（40分）",
        "2011 · 综合办公室 · BGS-2 职工书屋建设（35分）",
    ]


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        (
            {"not_started": "on", "points": "3", "reason": "x"},
            {"points": ["未开展的目标项目按应得分全部扣除，不能再填写扣分。"]},
        ),
        ({"reason": "x"}, {"points": ["须填写扣分分值，或注明立项工作没有开展。"]}),
        ({"points": "2"}, {"reason": ["目标项目扣分须填写理由。"]}),
        ({"points": "-1", "reason": "x"}, {"points": ["扣分须大于 0。"]}),
        ({"points": "1", "reason": "x", "date": "2012-01-05"}, {"date": ["发生日期须在 2011 年内。"]}),
    ],
)  # fmt: skip
def test_the_record_form_shows_the_cores_messages_next_to_their_fields(county_year, county_cast, values, errors):
    target = _target(county_year, "BGS-3")

    response = _client(county_cast["county_reviewer"]).post(f"{RECORDS}add/", _record_post(target, **values))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert not TargetRecord.objects.filter(target=target).exists()


def test_a_not_started_record_loses_all_the_targets_points(county_year, county_cast):
    target = _target(county_year, "XJB-3")

    response = _client(county_cast["county_lead"]).post(
        f"{RECORDS}add/", _record_post(target, not_started="on", reason="全年未评选")
    )

    assert response.status_code == 302
    assert year_result(county_year).department("宣传教育部").review_score == Decimal("82.50")


def test_a_frozen_years_records_are_read_only(county_year, county_cast):
    record = TargetRecord.objects.filter(target__code="XJB-1").get()
    year_in_phase(county_year, AssessmentYear.Phase.APPROVED)
    client = _client(county_cast["county_lead"])

    post = _record_post(record.target, points="1", reason="x")
    assert client.post(f"{RECORDS}{record.pk}/change/", post).status_code == 403
    assert client.post(f"{RECORDS}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{RECORDS}add/").context["adminform"].form.fields["target"].queryset.count() == 0
    record.refresh_from_db()
    assert record.points == Decimal("2.50")


def test_the_record_list_of_a_department(county_year, county_cast):
    office = Department.objects.get(name="综合办公室")

    response = _client(county_cast["county_reviewer"]).get(
        f"{RECORDS}?year__id__exact={county_year.pk}&target__department__id__exact={office.pk}"
    )

    rows = [(r.target.code, r.points) for r in response.context["cl"].result_list]
    assert sorted(rows) == [("BGS-1", Decimal("5.00")), ("BGS-2", Decimal("20.00")), ("BGS-2", Decimal("20.00"))]


# --- a year whose allotment does not sum ------------------------------------------------------------------


@pytest.fixture
def unbalanced_year(county_year):
    """The county year with 综合办公室's BGS-3 allotted 20 instead of 25: its targets sum to 95."""
    target = _target(county_year, "BGS-3")
    services.target_update(
        target=target,
        department=target.department,
        category=target.category,
        code=target.code,
        name=target.name,
        points=Decimal("20"),
    )
    return county_year


def test_a_year_whose_targets_do_not_sum_is_scored_on_every_page(unbalanced_year, county_cast):
    office = Department.objects.get(name="综合办公室")
    pages = [
        "/2011/results/",
        f"/2011/dept/{office.pk}/",
        f"/2011/compare/{office.pk}/",
        "/reports/2011/",
        "/workflow/2011/approval/",
        f"/admin/reviews/ledgerrecord/breakdown/{unbalanced_year.pk}/{office.pk}/",
        f"{TARGETS}?year__id__exact={unbalanced_year.pk}",
    ]
    client = _client(county_cast["county_lead"])

    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)
    # Scored as it stands: 100 − (5 + 20 + 20 capped at 35) − 6 J.
    assert year_result(unbalanced_year).department("综合办公室").review_score == Decimal("54.00")
    assert target_allotment_problems(unbalanced_year) == ["部室“综合办公室”各目标项目应得分合计 95，须等于满分 100。"]


def test_a_year_whose_targets_do_not_sum_cannot_be_approved(unbalanced_year):
    year_in_phase(unbalanced_year, AssessmentYear.Phase.PUBLICITY)

    assert approval_blockers(unbalanced_year) == ["目标项目：部室“综合办公室”各目标项目应得分合计 95，须等于满分 100。"]


def test_targets_of_a_department_that_left_the_year_are_left_out_and_named(county_year, county_cast):
    YearDepartment.objects.filter(year=county_year, department__name="经济技术部").delete()

    response = _client(county_cast["county_lead"]).get("/2011/results/")

    assert response.status_code == 200
    assert [d.name for d in year_result(county_year).departments] == [
        "宣传教育部",
        "法律保障部",
        "女职工委员会",
        "基层工作部",
        "综合办公室",
    ]
    assert target_allotment_problems(county_year) == [
        f"目标项目 {code} 的部室“经济技术部”未参加2011年度县总工会各部办目标管理考核，该项目不计分。"
        for code in ("JJB-1", "JJB-2", "JJB-3")
    ]


def test_target_lists_show_the_latest_year_with_targets_and_link_each_targets_records(
    demo_year, county_year, county_cast
):
    client = _client(county_cast["county_reviewer"])
    target = _target(county_year, "BGS-2")

    targets = client.get(TARGETS)
    records = client.get(RECORDS)

    assert (targets.context["targets_year"], targets.context["allotment_problems"]) == (county_year, [])
    listed = f"{RECORDS}?year__id__exact={county_year.pk}&amp;target__id__exact={target.pk}"
    added = f"{RECORDS}add/?target={target.pk}"
    assert f'<a href="{listed}">2 条</a> · <a href="{added}">录入</a>' in targets.content.decode()
    # The department filter offers the county year's departments, not the district's (2023 is later).
    departments = next(f for f in records.context["cl"].filter_specs if f.title == "部室")
    assert [name for _, name in departments.lookup_choices][:2] == ["综合办公室", "基层工作部"]
    assert client.get(listed.replace("&amp;", "&")).context["cl"].result_count == 2


def test_leadership_sees_the_count_of_records_without_a_link_to_record(county_year, county_cast):
    chair = county_cast["county_chair_liu"]
    chair.is_staff = True
    chair.save()

    response = _client(chair).get(f"{TARGETS}?year__id__exact={county_year.pk}")

    assert response.status_code == 200
    assert "录入</a>" not in response.content.decode()
    assert _client(chair).get(f"{RECORDS}add/").status_code == 403
