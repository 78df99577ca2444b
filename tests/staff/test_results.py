"""The results page of a year whose set-up the database holds but the year does not use."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department, Leader
from results.cache import year_result
from scoring.models import Supervision
from tests.factories import LedgerRecordFactory


def _leader_awards(year) -> dict[str, Decimal | None]:
    return {leader.name: leader.award for leader in year_result(year).leaders}


def test_supervision_of_a_department_outside_the_year_is_ignored(client, cast, demo_year):
    before = _leader_awards(demo_year)
    outside = Department.objects.create(name="未参加部", order=99)
    Supervision.objects.create(year=demo_year, leader=Leader.objects.get(name="李副主席"), department=outside)
    client.force_login(cast["leader_wang"])

    response = client.get(reverse("staff:results", args=[2023]))

    assert response.status_code == 200
    assert (
        _leader_awards(demo_year)
        == before
        == {
            "李副主席": Decimal("666.67"),
            "赵副主席": Decimal("500.00"),
            "王主席": Decimal("583.34"),
        }
    )


def test_vice_chair_supervising_none_of_the_year_has_no_award(client, cast, demo_year):
    zhao = Leader.objects.get(name="赵副主席")
    outside = Department.objects.create(name="未参加部", order=99)
    Supervision.objects.filter(year=demo_year, leader=zhao).delete()
    Supervision.objects.create(year=demo_year, leader=zhao, department=outside)
    client.force_login(cast["leader_wang"])

    response = client.get(reverse("staff:results", args=[2023]))

    assert response.status_code == 200
    # 八: the chair's award is the mean of the vice chairs' who supervise departments of the year.
    assert _leader_awards(demo_year) == {"李副主席": Decimal("666.67"), "王主席": Decimal("666.67")}


def test_ranking_table_comes_from_the_shared_cache_until_the_year_changes(client, cast, demo_year):
    client.force_login(cast["leader_wang"])
    url = reverse("staff:results", args=[2023])
    client.get(url)
    office = Department.objects.get(name="办公室")

    with CaptureQueriesContext(connection) as hit:
        before = client.get(url).content.decode()
    LedgerRecordFactory(year=demo_year, rule="V1", departments=[office], date=datetime.date(2023, 12, 20))
    after = client.get(url).content.decode()

    row = f'<a href="/2023/dept/{office.pk}/">明细<span class="visually-hidden">：办公室</span></a>'
    assert row in before and row in after
    assert not any("departments_department" in q["sql"] for q in hit.captured_queries)  # the rows' links cached
    assert year_result(demo_year).department("办公室").vetoed
    assert '<span class="badge text-bg-dark text-wrap">V1 ' not in before
    assert '<span class="badge text-bg-dark text-wrap">V1 ' in after
