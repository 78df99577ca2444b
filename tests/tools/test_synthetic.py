"""seed_synthetic makes valid years (the case parser accepts their export), and scoring them takes a number of
queries that does not grow with the data."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from results.cache import year_result
from results.exchange import year_export
from results.loader import year_input
from reviews.models import LedgerRecord, RecordDepartment
from scoring import engine
from scoring.cases import parse_case
from scoring.catalogue import scheme_spec
from scoring.models import AssessmentYear, Rule, Supervision
from tools.bench.management.commands import seed_synthetic  # not an installed app: the command itself
from tools.bench.synthetic import SeedError, department_name, synthetic_seed

pytestmark = pytest.mark.django_db


def _seeded(year: int, departments: int, records: int, **kwargs) -> AssessmentYear:
    synthetic_seed(year=year, departments=departments, records=records, **kwargs)
    return AssessmentYear.objects.select_related("scheme").get(year=year)


def test_seed_synthetic_uses_every_rule_and_passes_the_case_parser():
    year = _seeded(2101, departments=10, records=200)

    used = set(LedgerRecord.objects.filter(year=year).values_list("rule__code", flat=True))
    assert used == set(Rule.objects.filter(scheme=year.scheme).values_list("code", flat=True))
    assert LedgerRecord.objects.filter(year=year).count() == 200
    # The export goes through the same refusals as score_case: a record breaking a rule would raise here.
    parsed = parse_case(year_export(year), scheme_spec)
    assert len(parsed.departments) == 10
    for record in year_input(year).records:
        assert engine.record_problems(parsed.scheme.rules[record.rule], record) == []


def test_seed_synthetic_makes_shared_bonuses_vetoes_and_annual_items_once():
    year = _seeded(2101, departments=14, records=400)

    sizes = Counter(RecordDepartment.objects.filter(year=year, rule__code="B1").values_list("record_id", flat=True))
    assert max(sizes.values()) in (2, 3)
    annual = Counter(RecordDepartment.objects.filter(year=year, annual=True).values_list("rule_id", "department_id"))
    assert set(annual.values()) == {1}
    t3 = LedgerRecord.objects.filter(year=year, rule__code="T3")
    assert all(Decimal("0") <= r.points <= Decimal("3") and r.reason for r in t3)
    assert LedgerRecord.objects.filter(year=year, exempt=True).exclude(reason="").exists()
    assert LedgerRecord.objects.filter(year=year, status=LedgerRecord.Status.PENDING).exists()
    result = year_result(year)
    assert sum(d.vetoed for d in result.departments) >= 1
    assert result.incomplete == ()
    assert Supervision.objects.filter(year=year).count() == 14
    assert [x.name for x in result.leaders][-1] == "合成数据主席"
    assert result.departments[0].name.startswith("第")


def test_seed_synthetic_counts_links_of_shared_bonuses():
    summary = synthetic_seed(year=2101, departments=7, records=100)

    assert summary.records == 100
    assert summary.record_links == RecordDepartment.objects.filter(year__year=2101).count()
    assert summary.record_links > 100


def test_seed_synthetic_names_departments_by_district():
    assert [department_name(i) for i in (0, 6, 7)] == ["第1区办公室", "第1区经济工作部", "第2区办公室"]


def test_seed_synthetic_refuses_an_existing_year_unless_replace():
    synthetic_seed(year=2101, departments=5, records=60)

    with pytest.raises(SeedError, match="已存在"):
        synthetic_seed(year=2101, departments=5, records=60)
    synthetic_seed(year=2101, departments=6, records=80, replace=True)

    assert LedgerRecord.objects.filter(year__year=2101).count() == 80
    assert AssessmentYear.objects.get(year=2101).year_departments.count() == 6


def test_seed_synthetic_refuses_too_few_records():
    with pytest.raises(SeedError, match="至少为 27"):
        synthetic_seed(year=2101, departments=5, records=20)


def test_seed_synthetic_is_deterministic_for_a_seed():
    first = [d.final_score for d in year_result(_seeded(2101, departments=7, records=150, seed=5)).departments]
    second = [d.final_score for d in year_result(_seeded(2102, departments=7, records=150, seed=5)).departments]

    assert first == second


def test_seed_synthetic_with_ballots_scores_every_department():
    year = _seeded(2101, departments=10, records=100, ballots=12)

    result = year_result(year)

    assert year.democratic_source == AssessmentYear.DemocraticSource.BALLOTS
    assert result.incomplete == ()
    assert all(d.democratic_score is not None for d in result.departments)


def test_seed_synthetic_command_prints_a_summary():
    out = StringIO()

    call_command(seed_synthetic.Command(), "--departments", "7", "--records", "50", "--year", "2101", stdout=out)

    assert out.getvalue().startswith("2101年度：部室 7 个，台帐记录 50 条")
    with pytest.raises(CommandError, match="至少为 3"):
        call_command(seed_synthetic.Command(), "--departments", "2", "--records", "50", "--year", "2102")


def _scoring_queries(year: AssessmentYear) -> int:
    with CaptureQueriesContext(connection) as ctx:
        year_result(year.year)
    return len(ctx.captured_queries)


def test_year_result_queries_do_not_grow_with_the_data(django_assert_max_num_queries):
    small = _seeded(2101, departments=5, records=40)
    large = _seeded(2102, departments=40, records=1200)

    assert _scoring_queries(small) == _scoring_queries(large)
    with django_assert_max_num_queries(13):
        year_result(large.year)


def test_year_result_queries_with_ballots_do_not_grow_with_the_data():
    small = _seeded(2101, departments=5, records=40, ballots=3)
    large = _seeded(2102, departments=30, records=300, ballots=40)

    assert _scoring_queries(small) == _scoring_queries(large)
