"""The ledger changelist's order is read from an index, with or without the year filter: on SQLite, without
`record_year_date_id_desc`, a year-filtered page sorted all of the year's records (75 ms at 200,000)."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from departments.models import Department
from results.loader import department_records
from reviews.models import LedgerRecord
from reviews.selectors import record_rows

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite 的查询计划")
@pytest.mark.parametrize("filtered", [False, True])
def test_changelist_page_is_read_in_index_order(demo_year, cast, filtered):
    request = RequestFactory().get("/")
    request.user = cast["lead"]
    records = admin.site._registry[LedgerRecord].get_queryset(request)
    if filtered:
        records = records.filter(year=demo_year)

    plan = _plan(records.prefetch_related(None).order_by("-date", "-id")[:50])

    index = "record_year_date_id_desc" if filtered else "record_date_id_desc"
    assert re.search(rf"reviews_ledgerrecord USING INDEX {index}\b", plan)
    assert "TEMP B-TREE FOR ORDER BY" not in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite 的查询计划")
def test_a_departments_records_are_looked_up_not_walked_through_the_year(demo_year):
    """The department page and the admin breakdown read one department's records: at 200,000 records a plan that
    walks the year's records or links (their year indexes) cost 32–48 ms per request instead of 1–3 ms."""

    office = Department.objects.get(name="办公室")
    with CaptureQueriesContext(connection) as queries:
        record_rows(demo_year, office)
        department_records(demo_year, office.pk)

    plans = [_plan_of_sql(query["sql"]) for query in queries.captured_queries]
    assert len(plans) == 4  # records, their rules, their evidence; the lines' links
    for plan in plans:
        assert "record_year_date_id_desc" not in plan and "record_year_status" not in plan
        assert "reviews_recorddepartment_year_id" not in plan and "SCAN reviews_" not in plan


def _plan_of_sql(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(row[-1] for row in cursor.fetchall())
