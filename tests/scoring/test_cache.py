"""The scored-year cache: one score per data version, a new version on every write the score reads, and the
check mode that catches a write which forgets to mark its year."""

from decimal import Decimal

import pytest
from django.db import transaction

from departments.models import Department
from results.cache import StaleScoreError, year_result, year_scored, year_scoring_cache_clear
from results.loader import year_input
from results.revisions import one_change_per_year, year_data_changed
from reviews.models import LedgerRecord, TargetRecord
from reviews.services import ledger_record_create, ledger_record_delete, ledger_record_update
from scoring import engine
from scoring.models import AssessmentYear, DemocraticScore, Rule, RuleLevel, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def unchecked(settings):
    """The production setting: a cache hit is trusted (the suite's check mode would re-score it)."""
    settings.KAOHE_SCORING_CACHE_CHECK = False
    year_scoring_cache_clear()


def _version(year) -> str:
    return AssessmentYear.objects.values_list("data_version", flat=True).get(pk=year.pk)


def _bgs(year) -> Decimal:
    return year_result(year).department("办公室").review_score


def test_year_result_hit_is_the_same_object_in_one_query(demo_year, unchecked, django_assert_num_queries):
    first = year_result(demo_year)

    with django_assert_num_queries(1):  # the year row with its data version
        again = year_result(demo_year)

    assert again is first
    assert first == engine.score_year(year_input(demo_year), explain=False)


def test_year_scored_gives_the_input_it_scored(demo_year, unchecked):
    scored = year_scored(demo_year.year)

    assert scored.input == year_input(demo_year, merged=True)
    assert scored.result is year_result(demo_year)


def test_ledger_writes_each_give_a_new_version_and_a_new_score(demo_year, unchecked):
    bgs = Department.objects.get(name="办公室")
    s2 = Rule.objects.get(scheme=demo_year.scheme, code="S2")
    before = _bgs(demo_year)
    v0 = _version(demo_year)

    record = ledger_record_create(year=demo_year, rule=s2, departments=[bgs], quantity=2)
    v1 = _version(demo_year)
    assert _bgs(demo_year) == before - Decimal("1.0")  # S2: 0.5 per absence

    # The update path is a conditional queryset UPDATE (optimistic lock), which sends no signal itself.
    ledger_record_update(
        record=record, expected_version=record.version, rule=s2, departments=[bgs], date=record.date, quantity=4
    )
    v2 = _version(demo_year)
    assert _bgs(demo_year) == before - Decimal("2.0")

    ledger_record_delete(record=LedgerRecord.objects.get(pk=record.pk))
    v3 = _version(demo_year)
    assert _bgs(demo_year) == before

    assert len({v0, v1, v2, v3}) == 4


def test_year_settings_change_rescores(demo_year, unchecked):
    first = year_result(demo_year).department("办公室").final_score

    year = AssessmentYear.objects.get(pk=demo_year.pk)  # another request's copy of the year
    year.review_weight, year.democratic_weight = Decimal("1"), Decimal("0")
    year.save()

    # The caller's own copy is stale; the score is still that of the year as it is now.
    now = year_result(demo_year).department("办公室")
    assert now.final_score == now.review_score
    assert now.final_score != first


def test_democratic_score_rule_and_department_rename_rescore(demo_year, unchecked):
    bgs = Department.objects.get(name="办公室")
    score = DemocraticScore.objects.get(year=demo_year, department=bgs)
    score.score = Decimal("50.00")
    score.save()
    assert year_result(demo_year).department("办公室").democratic_score == Decimal("50.00")

    before = year_result(demo_year)
    rule = Rule.objects.get(scheme=demo_year.scheme, code="S2")
    rule.points = Decimal("0.7")
    rule.save()
    assert year_result(demo_year) != before
    assert year_result(demo_year) == engine.score_year(year_input(demo_year), explain=False)

    bgs.name = "综合办公室"
    bgs.save()
    assert "综合办公室" in {d.name for d in year_result(demo_year).departments}


def test_rolled_back_write_never_leaves_its_score_behind(demo_year, unchecked):
    bgs = Department.objects.get(name="办公室")
    s2 = Rule.objects.get(scheme=demo_year.scheme, code="S2")
    before = _bgs(demo_year)

    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_record_create(year=demo_year, rule=s2, departments=[bgs], quantity=10)
        assert _bgs(demo_year) == before - Decimal("5.0")  # scored and cached inside the transaction
        raise RuntimeError("abort")

    assert _bgs(demo_year) == before


def test_bulk_write_without_mark_is_caught_by_the_check(demo_year, settings):
    settings.KAOHE_SCORING_CACHE_CHECK = True
    year_result(demo_year)
    LedgerRecord.objects.filter(year=demo_year, rule__code="S2").update(quantity=9)  # no signal, no mark

    with pytest.raises(StaleScoreError, match="2023年度的缓存评分已过期"):
        year_result(demo_year)

    year_data_changed(year=demo_year)
    assert year_result(demo_year) == engine.score_year(year_input(demo_year), explain=False)


def test_one_change_per_year_marks_once_at_the_end(demo_year, unchecked):
    records = list(LedgerRecord.objects.filter(year=demo_year)[:3])
    v0 = _version(demo_year)

    with transaction.atomic(), one_change_per_year():
        for record in records:
            record.save()
        assert _version(demo_year) == v0  # collected, not yet marked

    assert _version(demo_year) != v0


def test_cache_size_zero_scores_every_time(demo_year, settings):
    settings.KAOHE_SCORING_CACHE_CHECK = False
    settings.KAOHE_SCORING_CACHE_SIZE = 0
    year_scoring_cache_clear()

    assert year_result(demo_year) is not year_result(demo_year)
    assert year_result(demo_year) == year_result(demo_year)


def test_a_bonus_level_or_a_target_changed_alone_gives_a_new_version(demo_year, unchecked):
    level = RuleLevel.objects.get(rule__scheme=demo_year.scheme, rule__code="B1", code="provincial")
    v0 = _version(demo_year)
    level.points = Decimal("9")
    level.save()
    v1 = _version(demo_year)
    target = Target.objects.create(
        year=demo_year,
        department=Department.objects.get(name="办公室"),
        category=demo_year.scheme.categories.get(code="T"),
        code="BGS-1",
        name="重点工作",
        points=Decimal("100"),
    )
    v2 = _version(demo_year)
    TargetRecord.objects.create(year=demo_year, target=target, points=Decimal("3"), reason="延迟")
    v3 = _version(demo_year)

    assert len({v0, v1, v2, v3}) == 4
    assert year_result(demo_year).department("办公室").targets[0].earned == Decimal("97")
