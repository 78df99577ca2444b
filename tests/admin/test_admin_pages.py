"""Every model of departments and scoring is registered in the admin and its pages open in Chinese."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from departments.models import Department, Leader, Membership, Organisation
from scoring.models import (
    AssessmentYear,
    DemocraticScore,
    DiscretionaryAward,
    Rule,
    RuleCategory,
    Scheme,
    Supervision,
    TieOrder,
    TieOrderEntry,
    YearDepartment,
    YearLeader,
)

MODELS = [
    Organisation,
    Department,
    Leader,
    Membership,
    Scheme,
    RuleCategory,
    Rule,
    AssessmentYear,
    YearDepartment,
    YearLeader,
    Supervision,
    DemocraticScore,
    TieOrder,
    TieOrderEntry,
    DiscretionaryAward,
]


def test_admin_registers_every_model():
    assert [m for m in MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_opens(client, cast, model):
    client.force_login(cast["admin"])

    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))

    assert response.status_code == 200
    assert model._meta.verbose_name_plural in response.content.decode()


def test_year_admin_shows_inlines(client, cast, demo_year):
    client.force_login(cast["admin"])

    response = client.get(reverse("admin:scoring_assessmentyear_change", args=[demo_year.pk]))

    body = response.content.decode()
    assert [f.opts.model for f in response.context["inline_admin_formsets"]] == [
        YearDepartment,
        YearLeader,
        Supervision,
    ]
    assert "年度参评部室" in body and "分管关系" in body


def test_user_admin_shows_memberships_inline(client, cast):
    client.force_login(cast["admin"])

    response = client.get(reverse("admin:auth_user_change", args=[cast["reviewer_bgs"].pk]))

    assert response.status_code == 200
    assert "考核系统角色" in response.content.decode()


def test_department_autocomplete_answers(client, cast, demo_year):
    client.force_login(cast["admin"])

    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "办公", "app_label": "scoring", "model_name": "yeardepartment", "field_name": "department"},
    )

    assert [r["text"] for r in response.json()["results"]] == ["办公室"]


def test_third_party_apps_are_listed_in_chinese(client, cast):
    client.force_login(cast["admin"])

    page = client.get(reverse("admin:index")).content.decode()

    for label in ["登录安全", "登录失败记录", "登录尝试", "登录日志", "后台任务", "任务结果"]:
        assert f">{label}<" in page, label
    for english in ["Axes", "Access attempts", "Access failures", "Access logs", "Tasks Database", "Task Results"]:
        assert english not in page, english


def _form_values(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _form_post(response) -> dict:
    """The POST data of an admin add or change page as it comes, with its inlines' forms."""
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, 0)
        for form in inline.formset.initial_forms:
            data.update(_form_values(form))
    return data


def test_year_add_form_starts_a_year_in_preparation(client, cast, demo_year):
    client.force_login(cast["admin"])
    url = reverse("admin:scoring_assessmentyear_add")
    page = client.get(url)
    data = _form_post(page)
    data.update({"year": "2031", "title": "2031年度考核", "scheme": str(demo_year.scheme_id)})

    response = client.post(url, {**data, "phase": AssessmentYear.Phase.ANNOUNCED, "results_published": "on"})

    assert 'name="phase"' not in page.content.decode()
    assert 'name="results_published"' not in page.content.decode()
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = AssessmentYear.objects.get(year=2031)
    assert (created.phase, created.results_published) == (AssessmentYear.Phase.PREPARING, False)


OUTSIDE = "未参加部未参加本年度考核，不能设为分管部室（请先将其加入该年度的参评部室）。"


def test_supervision_of_a_department_outside_the_year_is_refused(client, cast, demo_year):
    outside = Department.objects.create(name="未参加部", order=99)
    leader = Leader.objects.get(name="李副主席")
    client.force_login(cast["admin"])
    before = Supervision.objects.count()

    response = client.post(
        reverse("admin:scoring_supervision_add"),
        {"year": demo_year.pk, "leader": leader.pk, "department": outside.pk},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"department": [OUTSIDE]}
    assert Supervision.objects.count() == before


def _year_page_post(client, year, **extra) -> dict:
    data = _form_post(client.get(reverse("admin:scoring_assessmentyear_change", args=[year.pk])))
    data.update(extra)
    return data


def _add_inline_row(data: dict, prefix: str, **values) -> None:
    i = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = i + 1
    data.update({f"{prefix}-{i}-{name}": value for name, value in values.items()})


def test_year_page_refuses_supervising_a_department_outside_the_year(client, cast, demo_year):
    outside = Department.objects.create(name="未参加部", order=99)
    leader = Leader.objects.get(name="李副主席")
    client.force_login(cast["admin"])
    data = _year_page_post(client, demo_year)
    _add_inline_row(data, "supervisions", leader=leader.pk, department=outside.pk)

    response = client.post(reverse("admin:scoring_assessmentyear_change", args=[demo_year.pk]), data)

    assert response.status_code == 200
    [formset] = [f.formset for f in response.context["inline_admin_formsets"] if f.opts.model is Supervision]
    assert [form.errors for form in formset.forms if form.errors] == [{"department": [OUTSIDE]}]
    assert not Supervision.objects.filter(department=outside).exists()


def test_year_page_takes_a_new_department_and_its_supervision_in_one_save(client, cast, demo_year):
    joining = Department.objects.create(name="新部室", order=99)
    leader = Leader.objects.get(name="李副主席")
    client.force_login(cast["admin"])
    data = _year_page_post(client, demo_year)
    _add_inline_row(data, "year_departments", department=joining.pk, headcount=5, order=99)
    _add_inline_row(data, "supervisions", leader=leader.pk, department=joining.pk)

    response = client.post(reverse("admin:scoring_assessmentyear_change", args=[demo_year.pk]), data)

    assert response.status_code == 302
    assert Supervision.objects.get(department=joining).leader == leader


def test_admin_is_djangos_default_site_with_chinese_titles(client, cast):
    client.force_login(cast["admin"])

    page = client.get(reverse("admin:index")).content.decode()

    assert admin.site.__class__ is admin.AdminSite  # the lazy default site proxies its class
    assert "<title>创先争优绩效考核 | 考核系统</title>" in page
    assert '<div id="site-name"><a href="/admin/">考核系统管理</a></div>' in page
    apps = re.findall(r'<a href="/admin/(\w+)/" class="section" title="在应用程序 (\S+) 中的模型">\2</a>', page)
    assert [name for _, name in apps] == [
        *("人员名册", "后台任务", "待办与通知", "月度计划与年度自评", "民主测评", "登录安全"),
        *("考核台帐", "考核报告", "考核方案与评分", "考核程序", "认证和授权", "部室与人员"),
    ]


SUPERVISED = "2023年度 李副主席分管办公室（请先在该年度页面取消分管）"


def test_a_supervised_department_cannot_leave_its_year_from_the_year_department_admin(client, cast, demo_year):
    entry = YearDepartment.objects.get(year=demo_year, department__name="办公室")
    assert Supervision.objects.get(year=demo_year, department=entry.department).leader.name == "李副主席"
    client.force_login(cast["admin"])
    delete = reverse("admin:scoring_yeardepartment_delete", args=[entry.pk])

    page = client.get(delete)
    posted = client.post(delete, {"post": "yes"})
    bulk = client.post(
        reverse("admin:scoring_yeardepartment_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert SUPERVISED in page.content.decode()
    assert page.context["protected"] == [SUPERVISED]
    assert (posted.status_code, posted.context["protected"]) == (200, [SUPERVISED])
    assert SUPERVISED in bulk.content.decode()
    assert YearDepartment.objects.filter(pk=entry.pk).exists()


def test_a_supervised_department_cannot_be_swapped_for_another_in_its_year_entry(client, cast, demo_year):
    entry = YearDepartment.objects.get(year=demo_year, department__name="办公室")
    other = Department.objects.create(name="新部室", order=99)
    client.force_login(cast["admin"])
    url = reverse("admin:scoring_yeardepartment_change", args=[entry.pk])

    response = client.post(url, {"year": demo_year.pk, "department": other.pk, "headcount": 6, "order": 1})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "department": ["该部室在本年度有分管副主席，不能改为其他部室；请先在该年度页面取消分管。"]
    }
    assert YearDepartment.objects.get(pk=entry.pk).department.name == "办公室"
