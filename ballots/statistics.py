"""The statistics of a closed round — turnout, grade counts and scores per department — from the scoring core's
`GradeStats` on the scored year (the page and the reports show the same)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ballots.models import Round
from ballots.selectors import GroupTurnout, ballots_for_scoring, grade_names, round_turnout
from results.cache import year_scored
from scoring import engine
from scoring.models import AssessmentYear


@dataclass(frozen=True)
class DepartmentStats:
    name: str
    grade_counts: tuple[int, ...]  # in the order of the year's grades, all groups
    counted: int
    group_means: tuple[Decimal | None, ...]  # in the order of the round's groups
    score: Decimal | None


@dataclass(frozen=True)
class RoundStatistics:
    """The statistics table of a closed round (the page and the reports show the same)."""

    round: Round
    turnout: list[GroupTurnout]
    grades: tuple[str, ...]
    groups: tuple[str, ...]
    departments: tuple[DepartmentStats, ...]

    @property
    def total_ballots(self) -> int:
        return sum(t.total for t in self.turnout)

    @property
    def paper_ballots(self) -> int:
        return sum(t.paper for t in self.turnout)


def round_statistics(*, round: Round) -> RoundStatistics:
    """Turnout and, from the scoring core's `GradeStats`, grade counts and scores per department."""
    data = year_scored(round.year).input
    ballots = data.ballots if data.ballots is not None else ballots_for_scoring(year=round.year)
    names = tuple(d.name for d in data.departments)
    scores, stats = engine.democratic_from_ballots(data.settings, names, ballots)
    grades = tuple(grade_names(data.settings.grade_points))
    turnout = round_turnout(round=round)
    groups = tuple(t.group.name for t in turnout)
    rows = []
    for item in stats:
        totals: dict[str, int] = defaultdict(int)
        for per_grade in item.counts.values():
            for grade, n in per_grade.items():
                totals[grade] += n
        rows.append(
            DepartmentStats(
                name=item.name,
                grade_counts=tuple(totals[g] for g in grades),
                counted=sum(totals.values()),
                group_means=tuple(item.group_means.get(g) for g in groups),
                score=scores[item.name],
            )
        )
    return RoundStatistics(round=round, turnout=turnout, grades=grades, groups=groups, departments=tuple(rows))


def year_statistics(*, year: AssessmentYear) -> RoundStatistics | None:
    """The statistics of a year's closed round, for reports; None while there is none (results stay hidden)."""
    round_ = Round.objects.filter(year=year, status=Round.Status.CLOSED).select_related("year").first()
    return None if round_ is None else round_statistics(round=round_)
