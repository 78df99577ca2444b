"""Pages of a year with many departments stay small: the results and comparison tables go page by page, the
charts draw at most 30 departments, and the admin offers departments in a drop-down instead of thousands of links."""

import re

import pytest
from django.urls import reverse

from departments.models import Department, Membership, Role
from results.cache import year_result
from reviews.admin import PICKER_LINKS_MAX
from scoring.models import AssessmentYear
from staff.views import CHART_DEPARTMENTS, RESULTS_PER_PAGE
from tools.bench.synthetic import synthetic_seed

pytestmark = pytest.mark.django_db

DEPARTMENTS = 130


@pytest.fixture
def large_year(cast) -> AssessmentYear:
    synthetic_seed(year=2031, departments=DEPARTMENTS, records=400)
    return AssessmentYear.objects.select_related("scheme").get(year=2031)


def _rows(html: str) -> list[str]:
    """The department names in the table body, in order."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r'<th scope="row">([^<]+)</th>', body)


def test_results_page_by_page_in_ranking_order(client, cast, large_year):
    client.force_login(cast["leader_wang"])
    url = reverse("staff:results", args=[2031])
    ranking = [d.name for d in year_result(large_year).departments]

    first = client.get(url)
    second = client.get(url, {"page": 2})
    beyond = client.get(url, {"page": 99})  # past the end: the last page, not an error

    assert first.status_code == second.status_code == beyond.status_code == 200
    assert _rows(first.content.decode()) == ranking[:RESULTS_PER_PAGE]
    assert _rows(second.content.decode()) == ranking[RESULTS_PER_PAGE:]
    assert _rows(beyond.content.decode()) == ranking[RESULTS_PER_PAGE:]
    assert "第 1 / 2 页" in first.content.decode()
    assert f"共 {DEPARTMENTS} 个部室，本页第 101–{DEPARTMENTS} 个" in second.content.decode()


def test_results_charts_draw_the_first_departments_of_the_page(client, cast, large_year):
    client.force_login(cast["leader_wang"])

    response = client.get(reverse("staff:results", args=[2031]))

    (chart,) = response.context["score_charts"]()  # built lazily, on a miss of the charts cache
    ranking = [d.name for d in year_result(large_year).departments]
    assert [label.text for label in chart.labels] == ranking[:CHART_DEPARTMENTS]
    assert response.context["deduction_chart"]().labels == chart.labels
    assert f"仅显示本页排名前 {CHART_DEPARTMENTS} 的部室" in response.content.decode()


def test_results_of_a_small_year_on_one_page_with_every_department_charted(client, cast, demo_year):
    client.force_login(cast["leader_wang"])

    response = client.get(reverse("staff:results", args=[2023]))

    assert len(response.context["score_charts"]()[0].labels) == 7
    assert "第 1 / " not in response.content.decode()
    assert "仅显示本页" not in response.content.decode()


def test_compare_list_page_by_page(client, cast, large_year):
    client.force_login(cast["lead"])
    url = reverse("staff:compare", args=[2031])
    order = [d.name for d in year_result(large_year).departments]
    entry_order = list(
        Department.objects.filter(year_entries__year=large_year)
        .order_by("year_entries__order")
        .values_list("name", flat=True)
    )

    first, second = client.get(url), client.get(url, {"page": 2})

    assert sorted(_rows(first.content.decode()) + _rows(second.content.decode())) == sorted(order)
    assert _rows(first.content.decode()) == entry_order[:RESULTS_PER_PAGE]


def test_admin_department_filter_is_a_drop_down_that_filters(client, cast, large_year):
    assert DEPARTMENTS > PICKER_LINKS_MAX
    client.force_login(cast["admin"])
    url = reverse("admin:reviews_ledgerrecord_changelist")
    target = Department.objects.filter(year_entries__year=large_year).order_by("year_entries__order")[5]

    page = client.get(url, {"year__id__exact": large_year.pk, "q": "合成", "o": "-1", "p": "2"}).content.decode()
    filtered = client.get(url, {"year__id__exact": large_year.pk, "department": target.pk})

    # One <select name="department"> in the sidebar keeping the other filters and the search as hidden fields.
    assert page.count('<select name="department" aria-label="部室"') == 1
    assert f'<input type="hidden" name="year__id__exact" value="{large_year.pk}">' in page
    assert '<input type="hidden" name="q" value="合成">' in page
    assert '<input type="hidden" name="o" value="-1">' in page  # the ordering is kept...
    assert 'name="p"' not in page[page.index('data-filter-title="部室"') :]  # ...the page number is not
    assert f'<option value="{target.pk}" selected>{target.name}</option>' in filtered.content.decode()
    shown = {r.pk for r in filtered.context["cl"].result_list}
    assert shown and shown <= set(target.records.values_list("pk", flat=True))


def test_admin_department_drop_downs_list_the_year_in_view_and_follow_renames(client, cast, demo_year, large_year):
    client.force_login(cast["admin"])
    url = reverse("admin:reviews_ledgerrecord_changelist")
    in_order = list(
        Department.objects.filter(year_entries__year=large_year)
        .order_by("year_entries__order")
        .values_list("pk", "name")
    )
    renamed = Department.objects.get(pk=in_order[3][0])

    def options(html: str) -> list[tuple[int, str]]:
        sidebar = html[html.index('<select name="department" aria-label="部室"') :]
        found = re.findall(r'<option value="(\d+)">([^<]+)</option>', sidebar)
        return [(int(pk), name) for pk, name in found]

    before = client.get(url).content.decode()  # no year chosen: the latest year, 2031
    renamed.name = "改名后的部室"
    renamed.save()
    after = client.get(url).content.decode()
    other_year = client.get(url, {"year__id__exact": demo_year.pk}).content.decode()

    assert options(before)[: len(in_order)] == in_order
    assert before.count(f'<option value="{renamed.pk}">') == 1  # the filter; the breakdown picker offers names
    assert f'<option value="{in_order[3][1]}"></option>' in before
    assert after.count(f'<option value="{renamed.pk}">改名后的部室</option>') == 1
    assert '<option value="改名后的部室"></option>' in after
    assert in_order[3][1] not in after
    # The 2023 demo year has 7 departments: links, and none of the 2031 ones.
    assert 'name="department" aria-label' not in other_year and 'list="picker-departments"' not in other_year
    assert "改名后的部室" not in other_year


def test_admin_breakdown_picker_leads_to_the_department(client, cast, large_year):
    client.force_login(cast["lead"])
    target = Department.objects.filter(year_entries__year=large_year).order_by("year_entries__order")[7]
    pick = reverse("admin:reviews_ledgerrecord_breakdown_pick", args=[large_year.pk])

    changelist = client.get(reverse("admin:reviews_ledgerrecord_changelist"), {"year__id__exact": large_year.pk})
    response = client.get(pick, {"department": target.pk})

    assert f'action="{pick}"' in changelist.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reviews_ledgerrecord_breakdown", args=[large_year.pk, target.pk])
    breakdown = client.get(response["Location"]).content.decode()
    assert f'name="department" list="picker-departments" value="{target.name}"' in breakdown
    by_name = client.get(pick, {"department": f" {target.name} "})  # what the search box sends
    assert by_name.status_code == 302 and by_name["Location"] == response["Location"]


@pytest.mark.parametrize("value", ["", "abc", "999999", "办公室"])  # 办公室 is the demo's, not the large year's
def test_admin_breakdown_picker_refuses_a_department_outside_the_year(client, cast, large_year, value):
    client.force_login(cast["lead"])
    pick = reverse("admin:reviews_ledgerrecord_breakdown_pick", args=[large_year.pk])

    response = client.get(pick, {"department": value})

    assert response.status_code == 404


@pytest.mark.parametrize(("who", "status"), [("head_bgs", 302), ("outsider", 302)])
def test_admin_breakdown_picker_needs_the_admin(client, cast, large_year, who, status):
    client.force_login(cast[who])
    department = Department.objects.filter(year_entries__year=large_year).first()

    response = client.get(
        reverse("admin:reviews_ledgerrecord_breakdown_pick", args=[large_year.pk]), {"department": department.pk}
    )

    assert response.status_code == status
    assert response["Location"].startswith(reverse("admin:login"))


def test_small_year_keeps_the_department_links(client, cast, demo_year):
    client.force_login(cast["lead"])

    page = client.get(reverse("admin:reviews_ledgerrecord_changelist"), {"year__id__exact": demo_year.pk})

    html = page.content.decode()
    assert 'name="department" aria-label' not in html
    bgs = Department.objects.get(name="办公室")
    assert reverse("admin:reviews_ledgerrecord_breakdown", args=[demo_year.pk, bgs.pk]) in html


@pytest.mark.parametrize(
    "url_name", ["admin:departments_membership_changelist", "admin:workplans_monthlyreport_changelist",
                 "admin:workflow_objection_changelist"],
)  # fmt: skip
def test_other_admin_department_filters_become_a_drop_down(client, cast, large_year, url_name):
    client.force_login(cast["admin"])

    page = client.get(reverse(url_name)).content.decode()

    assert page.count('<select name="department__id__exact" aria-label=') == 1
    select = page[page.index('<select name="department__id__exact"') :]
    select = select[: select.index("</select>")]
    offered = [(int(pk), name) for pk, name in re.findall(r'<option value="(\d+)">([^<]+)</option>', select)]
    assert sorted(offered) == sorted(Department.objects.values_list("pk", "name"))  # every department, once
    assert '<option value="">全部</option>' in select
    assert "department__id__exact=" not in page  # no link per department


def test_membership_department_drop_down_filters(client, cast, large_year):

    client.force_login(cast["admin"])
    target = Department.objects.filter(year_entries__year=large_year).order_by("name")[9]
    membership = Membership.objects.create(user=cast["outsider"], role=Role.DEPARTMENT_HEAD, department=target)
    url = reverse("admin:departments_membership_changelist")

    response = client.get(url, {"department__id__exact": target.pk, "role__exact": Role.DEPARTMENT_HEAD})

    assert list(response.context["cl"].result_list) == [membership]
    page = response.content.decode()
    assert f'<option value="{target.pk}" selected>{target.name}</option>' in page
    assert f'<input type="hidden" name="role__exact" value="{Role.DEPARTMENT_HEAD}">' in page
