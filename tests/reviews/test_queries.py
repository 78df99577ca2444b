"""The changelist, its filters and search, and the breakdown page issue a constant number of queries."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from results.revisions import year_data_changed
from reviews.models import LedgerRecord, RecordDepartment
from scoring.models import AssessmentYear


def _add_records(year, rule, department, n):
    records = LedgerRecord.objects.bulk_create(
        LedgerRecord(year=year, rule=rule, date=datetime.date(2023, 1, 1 + i % 28), reason=f"批量{i}") for i in range(n)
    )
    RecordDepartment.objects.bulk_create(
        RecordDepartment(record=r, department=department, year=year, rule=rule) for r in records
    )
    year_data_changed(year=year)  # bulk inserts send no signals (results/revisions.py)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


PAGES = [
    "",
    "?status__exact=pending",
    "?q=S1",
    "?rule__category__name=集中学习和月度例会",
]


def test_changelist_queries_constant(client, cast, demo_year, rules, depts, django_assert_num_queries):
    client.force_login(cast["lead"])
    url = reverse("admin:reviews_ledgerrecord_changelist")
    small = {page: _count(client, url + page) for page in PAGES + [f"?department={depts['办公室'].pk}"]}
    _add_records(demo_year, rules["S1"], depts["办公室"], 120)

    for page, expected in small.items():
        with django_assert_num_queries(expected):
            assert client.get(url + page).status_code == 200


def test_breakdown_queries_constant(client, cast, demo_year, rules, depts, django_assert_num_queries):
    client.force_login(cast["lead"])
    url = reverse("admin:reviews_ledgerrecord_breakdown", args=[demo_year.pk, depts["办公室"].pk])
    small = _count(client, url)
    _add_records(demo_year, rules["S1"], depts["办公室"], 120)

    with django_assert_num_queries(small):
        response = client.get(url)

    assert response.context["result"].deductions == Decimal("123.50")  # 3.50 demo + 120 × 1


def test_changelist_reads_the_years_once(client, cast, demo_year):
    """The year in view, the year filter's choices (newest first) and the record count's key come from one query."""
    later = AssessmentYear.objects.create(year=2024, scheme=demo_year.scheme, title="2024年度")
    client.force_login(cast["lead"])

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:reviews_ledgerrecord_changelist"), {"year__id__exact": demo_year.pk})

    year_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "scoring_assessmentyear"' in q["sql"]]
    assert len(year_queries) == 1
    year_filter = response.context["cl"].filter_specs[0]
    assert year_filter.lookup_choices == [(later.pk, "2024年度"), (demo_year.pk, str(demo_year))]
    assert response.context["picker_year"] == demo_year
    assert response.context["cl"].result_count == LedgerRecord.objects.filter(year=demo_year).count()
