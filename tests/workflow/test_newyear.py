"""新建下一年度: the year after 2023 from it on one form, previewed on a confirmation page, created in one
transaction in 准备."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ballots import services as ballots
from scoring.models import AssessmentYear, Scheme
from tests.conftest import year_in_phase

URL = "/workflow/2023/next/"


def _post(client, **changes):
    """The form as it comes, 2023's departments taking part with their headcounts, with `changes`."""
    data = {
        "year": "2024",
        "title": "2024年度机关各部室创先争优绩效考核",
        "scheme_action": "copy",
        "scheme_code": "district-2024",
        "scheme_name": "区总工会机关各部室创先争优绩效考核（2024年）",
        "departments-TOTAL_FORMS": "7",
        "departments-INITIAL_FORMS": "7",
    }
    year = AssessmentYear.objects.get(year=2023)
    for i, entry in enumerate(year.year_departments.all()):
        data[f"departments-{i}-department"] = str(entry.department_id)
        data[f"departments-{i}-take_part"] = "on"
        data[f"departments-{i}-headcount"] = str(entry.headcount)
    data.update(changes)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("admin", 200), ("reviewer_bgs", 403), ("leader_wang", 403), ("head_bgs", 403), ("vice_li", 403)],
)
def test_new_year_form_for_lead_and_admin_only(client, cast, who, status):
    client.force_login(cast[who])

    assert client.get(URL).status_code == status
    assert _post(client, confirmed="yes").status_code == (302 if status == 200 else 403)
    assert AssessmentYear.objects.filter(year=2024).exists() is (status == 200)


def test_new_year_form_offers_last_years_departments_and_names(client, cast):
    client.force_login(cast["lead"])

    page = client.get(URL)

    form = page.context["form"]
    assert form.initial == {
        "year": 2024,
        "title": "2024年度机关各部室创先争优绩效考核",
        "scheme_action": "copy",
        "scheme_code": "district-2024",
        "scheme_name": AssessmentYear.objects.get(year=2023).scheme.name.replace("2023", "2024"),
    }
    assert [(d.name, f.initial["headcount"], f.initial["take_part"]) for f, d in page.context["rows"]] == [
        ("办公室", 6, True),
        ("组织部", 5, True),
        ("宣教调研室", 3, True),
        ("民管法工部", 4, True),
        ("生活保障部", 4, True),
        ("女职工部", 3, True),
        ("经济工作部", 4, True),
    ]


def test_new_year_preview_lists_what_it_creates_and_creates_nothing(client, cast):
    client.force_login(cast["lead"])

    page = _post(client, **{"departments-0-headcount": "7", "departments-6-take_part": None})

    assert page.status_code == 200
    assert page.templates[0].name == "includes/confirm.html"
    lines = page.context["consequences"]
    assert lines[0] == "新建考核年度“2024年度机关各部室创先争优绩效考核”，阶段为“准备”；"
    assert lines[2] == "参评部室 6 个：办公室7人、组织部5人、宣教调研室3人、民管法工部4人、生活保障部4人、女职工部3人；"
    assert lines[3] == "年度领导：王主席、李副主席、赵副主席；分管关系 6 项，与2023年度相同；"
    assert not AssessmentYear.objects.filter(year=2024).exists()
    assert not Scheme.objects.filter(code="district-2024").exists()


def test_new_year_created_in_preparing_with_everything_of_last_year(client, cast, demo_year):
    AssessmentYear.objects.filter(pk=demo_year.pk).update(
        first_prize_count=2, discretionary_threshold=Decimal("88.5"), group_weights={"机关": "0.7", "基层": "0.3"}
    )
    client.force_login(cast["lead"])

    response = _post(client, confirmed="yes", **{"departments-0-headcount": "7", "departments-1-headcount": "8"})

    new = AssessmentYear.objects.select_related("scheme").get(year=2024)
    assert response.url == reverse("workflow:year", kwargs={"year": 2024})
    assert new.phase == AssessmentYear.Phase.PREPARING
    assert new.title == "2024年度机关各部室创先争优绩效考核"
    assert (new.scheme.code, new.scheme.rules.count()) == ("district-2024", demo_year.scheme.rules.count())
    assert (new.first_prize_count, new.discretionary_threshold) == (2, Decimal("88.50"))
    assert new.group_weights == {"机关": "0.7", "基层": "0.3"}
    assert (new.review_weight, new.democratic_weight) == (Decimal("0.8000"), Decimal("0.2000"))
    assert [(e.department.name, e.headcount) for e in new.year_departments.select_related("department")] == [
        ("办公室", 7),
        ("组织部", 8),
        ("宣教调研室", 3),
        ("民管法工部", 4),
        ("生活保障部", 4),
        ("女职工部", 3),
        ("经济工作部", 4),
    ]
    assert [e.leader.name for e in new.year_leaders.select_related("leader")] == ["王主席", "李副主席", "赵副主席"]
    assert sorted(
        (s.leader.name, s.department.name) for s in new.supervisions.select_related("leader", "department")
    ) == sorted(
        (s.leader.name, s.department.name) for s in demo_year.supervisions.select_related("leader", "department")
    )


def test_new_year_keeps_the_scheme_when_asked(client, cast, demo_year):
    client.force_login(cast["admin"])

    _post(client, confirmed="yes", scheme_action="keep", scheme_code="", scheme_name="")

    assert AssessmentYear.objects.get(year=2024).scheme_id == demo_year.scheme_id
    assert not Scheme.objects.filter(code="district-2024").exists()


def test_new_year_refuses_bad_input_whole(client, cast):
    client.force_login(cast["lead"])

    taken = _post(client, confirmed="yes", year="2023")
    no_count = _post(client, confirmed="yes", **{"departments-2-headcount": ""})
    used_code = _post(client, confirmed="yes", scheme_code="district-2023")

    assert taken.context["form"].non_field_errors() == ["2023年度已存在。", "新年度须晚于2023年度。"]
    assert no_count.context["rows"][2][0].errors == {"headcount": ["参评部室须填写年末在编人数。"]}
    assert used_code.context["form"].non_field_errors() == ["方案代码“district-2023”已被使用，请换一个。"]
    assert AssessmentYear.objects.count() == 1
    assert not Scheme.objects.filter(code="district-2024").exists()


def test_new_years_round_offers_last_years_rater_groups(client, cast, demo_year):
    scoring = year_in_phase(demo_year, AssessmentYear.Phase.SCORING)
    groups = [
        ballots.GroupSpec("机关全体人员", 29, Decimal("0.6"), True),
        ballots.GroupSpec("基层工会干部代表", 40, Decimal("0.4"), False),
    ]
    ballots.round_open(year=scoring, title="2023年度民主测评", closes_at=_tomorrow(), groups=groups)
    client.force_login(cast["lead"])
    _post(client, confirmed="yes", **{"departments-0-headcount": "8"})

    offered = ballots.default_groups(year=AssessmentYear.objects.get(year=2024))

    assert offered == [
        ballots.GroupSpec("机关全体人员", 31, Decimal("0.6000"), True),
        ballots.GroupSpec("基层工会干部代表", 40, Decimal("0.4000"), False),
    ]


def _tomorrow():
    return timezone.now() + datetime.timedelta(days=1)


def test_new_year_post_without_the_departments_management_form_is_shown_again(client, cast):
    """A crafted POST (tests/security/test_url_matrix.py): it was a 500 (zip() of no forms and the departments)."""
    client.force_login(cast["lead"])

    page = _post(client, **{"departments-TOTAL_FORMS": None, "departments-INITIAL_FORMS": None})

    assert page.status_code == 200
    assert page.context["form"].non_field_errors() == ["参加考核的部室与源年度不一致，请重新填写。"]
    assert len(page.context["rows"]) == 7
    assert AssessmentYear.objects.count() == 1
