"""Democratic scores from the database equal the scoring core's on the same ballots (docs/scoring.md §4)."""

import random
from decimal import Decimal

import pytest

from ballots import selectors, services
from ballots import statistics as ballot_statistics
from ballots.models import Ballot
from results.cache import year_result
from results.loader import year_input
from scoring import engine

GRADES = ["优秀", "良好", "一般", "较差", None]


def _cast_random(ballot_round, staff_group, grassroots_group, departments, seed: int) -> list[engine.BallotInput]:
    """Cast ballots (online and paper) and return the same ballots, one by one, as the core's input."""
    rng = random.Random(seed)
    names = list(departments)
    cast = []
    for i in range(40):
        group = staff_group if i % 2 else grassroots_group
        voter = departments[rng.choice(names)] if group.by_department else None
        ratings = {departments[n].pk: rng.choice(GRADES) for n in names}
        if i % 5 == 0:
            services.paper_ballot_add(round=ballot_round, group=group, voter_department=voter, ratings=ratings)
        else:
            [code] = services.codes_generate(group=group, department=voter, count=1)
            if voter is not None and ballot_round.year.exclude_own_department:
                ratings.pop(voter.pk)  # the page does not offer the own department
            services.ballot_cast(code=code, ratings=ratings)
        by_name = {n: ratings.get(departments[n].pk) for n in names}
        cast.append(engine.BallotInput(group.name, voter.name if voter else None, by_name))
    return cast


@pytest.mark.parametrize("seed", [1, 2])
def test_ballots_for_scoring_equals_core_on_same_ballots(
    ballot_round, staff_group, grassroots_group, departments, seed
):
    expected_input = _cast_random(ballot_round, staff_group, grassroots_group, departments, seed)
    services.round_close(round=ballot_round)

    data = year_input(ballot_round.year)
    expected = engine.democratic_from_ballots(data.settings, tuple(departments), tuple(expected_input))
    from_db = engine.democratic_from_ballots(data.settings, tuple(departments), data.ballots)

    assert from_db == expected
    result = year_result(ballot_round.year)
    assert {d.name: d.democratic_score for d in result.departments} == expected[0]
    assert result.grade_stats == expected[1]


def test_ballots_for_scoring_counts_only_closed_rounds(ballot_round, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    services.ballot_cast(code=code, ratings={departments["办公室"].pk: "优秀"})

    assert selectors.ballots_for_scoring(year=ballot_round.year) == ()
    assert year_result(ballot_round.year).department("办公室").final_score is None

    services.round_close(round=ballot_round)

    assert selectors.ballots_for_scoring(year=ballot_round.year) == (
        engine.BallotInput("基层工会干部代表", None, {"办公室": "优秀"}, count=1),
    )


def test_ballots_for_scoring_aggregates_in_one_query(
    ballot_round, staff_group, grassroots_group, departments, django_assert_num_queries
):
    _cast_random(ballot_round, staff_group, grassroots_group, departments, 3)
    services.round_close(round=ballot_round)

    with django_assert_num_queries(1):
        rows = selectors.ballots_for_scoring(year=ballot_round.year)

    assert sum(b.count for b in rows) == sum(
        Ballot.objects.get(pk=pk).ratings.count() for pk in Ballot.objects.values_list("pk", flat=True)
    )


def test_democratic_score_weighted_own_department_excluded(ballot_round, staff_group, grassroots_group, departments):
    office = departments["办公室"]
    # 机关 (0.6): 组织部 staff grade 办公室 优秀 and 一般 → 85; an 办公室 rater's 较差 for 办公室 does not count.
    for voter, grade in [("组织部", "优秀"), ("组织部", "一般")]:
        [code] = services.codes_generate(group=staff_group, department=departments[voter], count=1)
        services.ballot_cast(code=code, ratings={office.pk: grade})
    services.paper_ballot_add(
        round=ballot_round, group=staff_group, voter_department=office, ratings={office.pk: "较差"}
    )
    # 基层 (0.4): 良好 → 85... and 较差 → 50: mean 67.5.
    for grade in ["良好", "较差"]:
        [code] = services.codes_generate(group=grassroots_group, count=1)
        services.ballot_cast(code=code, ratings={office.pk: grade})
    services.round_close(round=ballot_round)

    stats = ballot_statistics.round_statistics(round=ballot_round)

    row = next(d for d in stats.departments if d.name == "办公室")
    assert row.score == Decimal("78.00")  # 0.6 × 85 + 0.4 × 67.5
    assert row.grade_counts == (1, 1, 1, 1)
    assert row.group_means == (Decimal("85.00"), Decimal("67.50"))
    assert [(t.group.name, t.online, t.paper) for t in stats.turnout] == [
        ("机关全体人员", 2, 1),
        ("基层工会干部代表", 2, 0),
    ]
    assert year_result(ballot_round.year).department("办公室").democratic_score == Decimal("78.00")
