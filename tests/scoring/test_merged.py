"""The pages' scored year: records summed by the database (`year_input(merged=True)`), scored without lines, and
one department's lines read on demand (`ScoredYear.explained`) — all equal to scoring record by record."""

from decimal import Decimal

import pytest

from departments.models import Department
from results.cache import year_scored
from results.loader import department_records, year_input
from reviews.models import LedgerRecord
from reviews.services import ledger_record_create
from scoring import engine
from scoring.models import AssessmentYear, Rule
from tools.bench.synthetic import synthetic_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_records(demo_year):
    """办公室 in the demo year (S1, I1, S2 ×1, B2, and B1 shared with 组织部) plus: two more S2 (quantities 2
    and 3), an exempt S2, a pending S2 (not counted), and a B1 shared with 宣教调研室."""
    rules = {r.code: r for r in Rule.objects.filter(scheme=demo_year.scheme)}
    office, xuanjiao = Department.objects.get(name="办公室"), Department.objects.get(name="宣教调研室")

    def add(rule, departments=(office,), **fields):
        return ledger_record_create(year=demo_year, rule=rules[rule], departments=list(departments), **fields)

    demo_b1 = LedgerRecord.objects.get(year=demo_year, rule__code="B1", departments=office)
    return office, {
        "B1 of the demo": demo_b1,
        "S2 ×2": add("S2", quantity=2),
        "S2 ×3": add("S2", quantity=3),
        "S2 exempt": add("S2", exempt=True, reason="因公出差"),
        "S2 pending": add("S2", quantity=4, status=LedgerRecord.Status.PENDING),
        "B1 shared": add("B1", departments=(office, xuanjiao), level="national"),
    }


def _shape(record: engine.RecordInput) -> tuple:
    return (record.rule, record.departments, record.quantity, record.level, record.exempt, record.key)


def test_merged_input_sums_what_sharing_cannot_change_and_keeps_halved_bonuses_whole(demo_year, office_records):
    office, added = office_records

    merged = year_input(demo_year, merged=True)

    mine = sorted((_shape(r) for r in merged.records if "办公室" in r.departments), key=str)
    assert mine == sorted(
        [
            ("S1", ("办公室",), 1, None, False, None),
            ("I1", ("办公室",), 2, None, False, None),
            ("S2", ("办公室",), 6, None, False, None),  # 1 + 2 + 3; the pending 4 waits for the review lead
            ("S2", ("办公室",), 1, None, True, None),  # exempt: a group of its own
            ("B2", ("办公室",), 1, "municipal", False, None),  # B2 is not halved when shared: summed too
            # halved when shared: the record itself, its departments in link order
            ("B1", ("组织部", "办公室"), 1, "provincial", False, added["B1 of the demo"].pk),
            ("B1", ("办公室", "宣教调研室"), 1, "national", False, added["B1 shared"].pk),
        ],
        key=str,
    )
    assert len(merged.records) == len(year_input(demo_year).records) - 2  # of 36 records, three S2 became one


def test_merged_input_scores_exactly_as_the_records_do(demo_year, office_records):
    records = year_input(demo_year)

    by_record = engine.score_year(records, explain=False)
    merged = engine.score_year(year_input(demo_year, merged=True), explain=False)

    # repr compares every Decimal with its exponent: "6.0" and "6.00" would differ on a page.
    assert repr(merged) == repr(by_record)
    office = merged.department("办公室")
    assert (office.deductions, office.bonuses) == (Decimal("6.0"), Decimal("14"))  # S1 1 + I1 2 × 1 + S2 6 × 0.5;
    assert office.by_category["S"] == Decimal("-4.0")  # B2 5 + B1 provincial 8 / 2 + B1 national 10 / 2
    assert office.review_score == Decimal("108.0")


def test_synthetic_year_merged_scores_as_record_by_record_and_explains_every_department():
    synthetic_seed(year=2101, departments=12, records=600, ballots=20)
    year = AssessmentYear.objects.select_related("scheme").get(year=2101)
    explained = engine.score_year(year_input(year))

    scored = year_scored(year)

    assert repr(scored.result) == repr(engine.score_year(year_input(year), explain=False))
    assert len(scored.input.records) < len(year_input(year).records)
    for department in Department.objects.filter(year_entries__year=year):
        assert scored.explained(department) == explained.department(department.name)


def test_explained_department_has_its_lines_and_the_ranking_figures(demo_year, office_records):
    office, added = office_records
    full = engine.score_year(year_input(demo_year)).department("办公室")

    explained = year_scored(demo_year).explained(office)

    assert explained == full
    assert [(line.key, line.rule, line.quantity) for line in explained.lines][-4:] == [
        (added["S2 ×2"].pk, "S2", 2),
        (added["S2 ×3"].pk, "S2", 3),
        (added["S2 exempt"].pk, "S2", 1),
        (added["B1 shared"].pk, "B1", 1),
    ]
    assert explained.lines[-1].shared_with == ("宣教调研室",) and explained.lines[-1].halved
    assert year_scored(demo_year).result.department("办公室").lines == ()  # the ranking itself carries none


def test_department_records_are_its_confirmed_records_with_all_their_departments(demo_year, office_records):
    office, added = office_records

    records = department_records(demo_year, office.pk)

    assert [(r.rule, r.departments, r.key) for r in records][-2:] == [
        ("S2", ("办公室",), added["S2 exempt"].pk),
        ("B1", ("办公室", "宣教调研室"), added["B1 shared"].pk),
    ]
    assert len(records) == 9  # 5 of the demo + 4 new confirmed ones; the pending one is not among them
