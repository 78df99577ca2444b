"""Server-side access of every staff URL, per role (the navigation only hides what these refuse)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department
from results.cache import year_result
from tests.workplans.conftest import self_assessment_with_claim, submitted_report
from workplans import services


@pytest.fixture
def depts(demo_year):
    return {d.name: d for d in Department.objects.all()}


def _all_urls(pk):
    return [
        reverse("home"),
        reverse("password_change"),
        reverse("staff:department", args=[2023, pk]),
        reverse("staff:compare", args=[2023]),
        reverse("staff:compare_detail", args=[2023, pk]),
        reverse("staff:results", args=[2023]),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, depts):
    for url in _all_urls(depts["办公室"].pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url


def test_login_page_is_chinese_and_logs_in(client, cast):
    response = client.get(reverse("login"))
    assert "登录" in response.content.decode()

    response = client.post(reverse("login"), {"username": "head_bgs", "password": "kaohe-demo-2023"})

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_head_of_a_cannot_see_b(client, cast, depts):
    client.force_login(cast["head_bgs"])
    assert client.get(reverse("staff:department", args=[2023, depts["组织部"].pk])).status_code == 403
    assert client.get(reverse("staff:department", args=[2023, depts["办公室"].pk])).status_code == 200


def test_head_sees_no_results_or_compare(client, cast, depts):
    client.force_login(cast["head_bgs"])
    for name in ("staff:results", "staff:compare"):
        assert client.get(reverse(name, args=[2023])).status_code == 403, name


def test_head_sees_rank_only_once_published(client, cast, demo_year, depts):
    client.force_login(cast["head_bgs"])
    url = reverse("staff:department", args=[2023, depts["办公室"].pk])
    assert "名次和奖项在考核结果公布后显示" in client.get(url).content.decode()

    demo_year.results_published = True
    demo_year.save(update_fields=["results_published"])

    page = client.get(url).content.decode()
    assert "名次和奖项在考核结果公布后显示" not in page
    assert "最终得分" in page


def test_results_and_compare_for_leadership_and_review_group(client, cast, depts):
    for who in ("leader_wang", "lead", "reviewer_bgs", "admin"):
        client.force_login(cast[who])
        assert client.get(reverse("staff:results", args=[2023])).status_code == 200, who
        assert client.get(reverse("staff:compare", args=[2023])).status_code == 200, who
        assert client.get(reverse("staff:department", args=[2023, depts["女职工部"].pk])).status_code == 200, who
    for who in ("outsider", "vice_zhao", "head_nzgb"):
        client.force_login(cast[who])
        assert client.get(reverse("staff:results", args=[2023])).status_code == 403, who
        assert client.get(reverse("staff:compare_detail", args=[2023, depts["办公室"].pk])).status_code == 403, who


def test_nav_shows_only_usable_entries(client, cast):
    client.force_login(cast["head_bgs"])
    page = client.get(reverse("home")).content.decode()
    assert "月度计划和小结" in page and "考核结果" not in page and "T4 建议" not in page
    client.force_login(cast["reviewer_zzb"])
    page = client.get(reverse("home")).content.decode()
    assert "T4 建议" in page and "月度计划和小结" not in page


@pytest.mark.usefixtures("self_assessment_year")  # 自评: reports, self-assessments and T4 may all be written
@pytest.mark.parametrize(
    ("who", "name", "queries"),
    [
        # 19, whether the year has targets, the years to compare with, the charts from the shared cache
        ("leader_wang", "staff:results", 22),
        ("lead", "staff:compare", 29),
    ],
)
def test_list_pages_issue_a_constant_number_of_queries(
    client, cast, demo_year, depts, django_assert_num_queries, who, name, queries
):
    client.force_login(cast[who])
    client.get(reverse(name, args=[2023]))  # warm caches (sessions, content types)
    for dept, head in (("办公室", "head_bgs"), ("组织部", "head_zzb")):
        submitted_report(demo_year, depts[dept], cast[head])
    self_assessment_with_claim(demo_year, depts["办公室"])
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[2023])).status_code == 200
    for dept, head in (("宣教调研室", "head_bgs"),):
        submitted_report(demo_year, depts[dept], cast[head], month=8)
    self_assessment_with_claim(demo_year, depts["组织部"])
    self_assessment_with_claim(demo_year, depts["女职工部"])
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[2023])).status_code == 200


def test_results_page_lists_departments_in_ranking_order(client, cast, demo_year):

    client.force_login(cast["leader_wang"])
    page = client.get(reverse("staff:results", args=[2023])).content.decode()

    names = [d.name for d in year_result(demo_year).departments]
    positions = [page.index(f'<th scope="row">{name}</th>') for name in names]
    assert positions == sorted(positions)
    assert page.count("<svg") == 2
    assert "103.80" in page  # 宣教调研室's final score, first place
    for name in names:  # each row links to its department's page
        url = reverse("staff:department", args=[2023, Department.objects.get(name=name).pk])
        assert f'<a href="{url}">明细<span class="visually-hidden">：{name}</span></a>' in page


def test_compare_list_links_each_department_to_its_comparison(client, cast, demo_year):
    client.force_login(cast["lead"])
    page = client.get(reverse("staff:compare", args=[2023])).content.decode()

    departments = Department.objects.filter(year_entries__year=demo_year)
    assert departments.count() == 7
    for department in departments:
        url = reverse("staff:compare_detail", args=[2023, department.pk])
        assert page.count(f'<a href="{url}">逐项对照</a>') == 1


@pytest.mark.usefixtures("self_assessment_year")  # 自评: reports, self-assessments and T4 may all be written
def test_department_and_self_pages_issue_a_constant_number_of_queries(client, cast, demo_year, depts):
    bgs = depts["办公室"]
    client.force_login(cast["head_bgs"])
    pages = [reverse("staff:department", args=[2023, bgs.pk]), reverse("workplans:self", args=[2023, bgs.pk])]
    self_assessment_with_claim(demo_year, bgs)
    counts = []
    for month in (6, 8):
        _, items = submitted_report(demo_year, bgs, cast["head_bgs"], month=month)
        services.t4_confirm(item=items[0], user=cast["reviewer_zzb"])
        row = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
    # The department page reads its records' lines in one query; its scheme comes with the scored year. Each
    # month's write changes the year, so its lines are read and written to the shared cache again; one query
    # asks for the version of the records' evidence files (part of the cache's key).
    assert counts[0] == counts[1] == [30, 35]
