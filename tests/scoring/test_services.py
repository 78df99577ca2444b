"""Scoring a year from the database: same numbers as the core, in a constant number of queries."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department, Leader
from results.cache import year_result
from results.exchange import year_import
from results.loader import _DepartmentNames, year_input
from reviews.models import LedgerRecord
from reviews.services import ledger_record_create
from scoring.cases import loads, result_to_json, score_document
from scoring.catalogue import DEFAULT_SCHEME, scheme_spec
from scoring.models import AssessmentYear, Rule, YearLeader
from tests.factories import LeaderFactory, LedgerRecordFactory, YearFactory, supervision

pytestmark = pytest.mark.django_db


def _grow(year, n_records: int) -> None:
    rules = {r.code: r for r in Rule.objects.filter(scheme=year.scheme)}
    depts = list(Department.objects.filter(year_entries__year=year))
    for i in range(n_records):
        a, b = depts[i % len(depts)], depts[(i + 1) % len(depts)]
        if i % 3 == 0:
            ledger_record_create(year=year, rule=rules["B1"], departments=[a, b], level="municipal")
        elif i % 3 == 1:
            ledger_record_create(year=year, rule=rules["T3"], departments=[a], points=Decimal("0.5"), reason="x")
        else:
            ledger_record_create(year=year, rule=rules["S2"], departments=[a], quantity=2)


def _queries(year) -> int:
    with CaptureQueriesContext(connection) as ctx:
        year_result(year.year)
    return len(ctx.captured_queries)


def test_year_result_query_count_is_constant(demo_year):
    small = _queries(demo_year)
    _grow(demo_year, 60)
    large = _queries(demo_year)
    assert small == large
    # year, categories, rules, levels, departments, leaders, supervisions, links, targets, target records,
    # democratic scores, awards, tie orders
    assert large == 13


def test_year_result_query_count_with_django_assert(demo_year, django_assert_num_queries):
    _grow(demo_year, 9)
    with django_assert_num_queries(_queries(demo_year)):
        year_result(demo_year.year)


def test_year_result_equals_scoring_the_demo_file(demo_year):

    doc = loads((settings.BASE_DIR / "fixtures" / "demo" / "2023.json").read_bytes())
    assert result_to_json(year_result(demo_year)) == score_document(doc, scheme_spec)


def test_demo_year_numbers(demo_year):
    result = year_result(demo_year)
    assert [(d.name, str(d.final_score), d.award) for d in result.departments] == [
        ("宣教调研室", "103.80", "none"),
        ("生活保障部", "102.80", "first"),
        ("办公室", "102.10", "second"),
        ("组织部", "96.80", "second"),
        ("经济工作部", "94.48", "none"),
        ("民管法工部", "91.40", "none"),
        ("女职工部", "86.40", "none"),
    ]


def test_ledger_record_create_refuses_second_annual_record(demo_year):
    rule = Rule.objects.get(scheme=demo_year.scheme, code="G1")
    dept = Department.objects.get(name="女职工部")

    with pytest.raises(ValidationError) as exc:
        ledger_record_create(year=demo_year, rule=rule, departments=[dept])
    assert "departments" in exc.value.message_dict
    assert LedgerRecord.objects.filter(year=demo_year, rule=rule).count() == 1


def test_load_demo_is_idempotent(demo_year, settings):
    settings.DEBUG = True  # load_demo runs only in development

    call_command("load_demo")
    assert LedgerRecord.objects.filter(year=demo_year).count() == 32


def test_year_import_of_a_scheme_case_uses_default_scheme():
    year = year_import(
        loads(b'{"format": "kaohe-case/1", "year": 2030, "departments": [{"name": "A", "headcount": 1}]}')
    )
    assert year.scheme.code == DEFAULT_SCHEME


def test_records_name_their_departments_from_the_year_and_look_up_any_other(demo_year):

    office = Department.objects.get(name="办公室")
    names = _DepartmentNames({})

    assert names[office.pk] == "办公室"  # not among the given names: read from the database, then kept
    assert dict(names) == {office.pk: "办公室"}
    records = year_input(demo_year).records
    linked = {name for record in records for name in record.departments}
    assert linked == set(Department.objects.filter(records__year=demo_year).values_list("name", flat=True))


def test_a_chair_without_vice_chairs_is_left_out_with_no_award(db):
    year = YearFactory(departments=["甲部", "乙部"])
    chair = LeaderFactory(name="王主席", role=Leader.Role.CHAIR)
    YearLeader.objects.create(year=year, leader=chair, order=1)
    # A vice chair entered but supervising nothing is left out too; the chair then has nobody to average.
    YearLeader.objects.create(year=year, leader=LeaderFactory(name="李副主席"), order=2)

    result = year_result(year.year)

    assert result.leaders == ()
    assert [d.name for d in result.departments] == ["甲部", "乙部"]


def test_a_chair_with_a_supervising_vice_chair_gets_the_mean(db):
    year = YearFactory(departments=["甲部", "乙部"])
    YearLeader.objects.create(year=year, leader=LeaderFactory(name="王主席", role=Leader.Role.CHAIR), order=1)
    vice = LeaderFactory(name="李副主席")
    YearLeader.objects.create(year=year, leader=vice, order=2)
    supervision(year, vice, "乙部")
    AssessmentYear.objects.filter(pk=year.pk).update(democratic_source=AssessmentYear.DemocraticSource.NONE)
    LedgerRecordFactory(year=year, rule="S1", departments=["甲部"])

    result = year_result(year.year)

    # 乙部 100 (一等奖 2000), 甲部 99 (二等奖 1000); the vice chair supervises 乙部, the chair averages him.
    assert [(x.name, x.award) for x in result.leaders] == [
        ("李副主席", Decimal("2000.00")),
        ("王主席", Decimal("2000.00")),
    ]
