"""The ledger changelist's order is read from an index, with or without the year filter: on SQLite, without
`record_year_date_id_desc`, a year-filtered page sorted all of the year's records (75 ms at 200,000)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from reviews.models import LedgerRecord

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

    assert "record_year_date_id_desc" in plan if filtered else "record_date_id_desc" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan
