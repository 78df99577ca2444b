"""`make test-postgres` runs the suite on PostgreSQL 15; tests marked `postgres` run only there."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from departments.models import Department
from reviews.models import LedgerRecord, RecordDepartment
from scoring.models import AssessmentYear, Rule
from tools.bench.synthetic import synthetic_seed


@pytest.mark.postgres
def test_postgres_marked_tests_run_on_postgresql(db):
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_annual_item_inserted_by_two_sessions_at_once_is_kept_once():
    """Two reviewers recording the same annual item for a department at the same moment: the database's
    partial unique index lets exactly one of them through (docs/scoring.md §2, annual items).

    The two transactions start together; the second then waits at the year row, whose data version the first
    one's save replaces (scoring/revisions.py), and meets the unique index once the first has committed."""
    synthetic_seed(year=2101, departments=3, records=30)
    year = AssessmentYear.objects.get(year=2101)
    rule = Rule.objects.get(scheme=year.scheme, code="G1")
    department = Department.objects.filter(year_entries__year=year).exclude(
        record_links__rule=rule, record_links__year=year
    )[0]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def insert() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                record = LedgerRecord.objects.create(year=year, rule=rule)
                RecordDepartment.objects.create(record=record, department=department, year=year, rule=rule, annual=True)
            outcomes.append("ok")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=insert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert RecordDepartment.objects.filter(year=year, rule=rule, department=department).count() == 1


@pytest.mark.postgres
def test_bulk_loaded_year_has_planner_statistics(db):
    """seed_synthetic (like import_year) refreshes PostgreSQL's statistics: the planner knows the row counts."""
    synthetic_seed(year=2102, departments=10, records=400)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            [LedgerRecord._meta.db_table, RecordDepartment._meta.db_table],
        )
        tuples = dict(cursor.fetchall())

    assert tuples[LedgerRecord._meta.db_table] == LedgerRecord.objects.count() == 400
    assert tuples[RecordDepartment._meta.db_table] == RecordDepartment.objects.count()
