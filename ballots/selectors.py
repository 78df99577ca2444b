"""What is read of the democratic evaluation: grades, the departments on a ballot, a code's check, turnout, and
the counted ballots the scoring core scores (`results.loader.year_input` reads them through
`ballots_for_scoring`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count

from ballots.codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MSG_CLOSED,
    MSG_FROZEN,
    MSG_UNKNOWN,
    MSG_USED,
    BallotRefused,
    code_hash,
    code_normalize,
    msg_phase,
)
from ballots.models import Ballot, BallotCode, BallotRating, CodeBatch, RaterGroup, Round
from departments.models import Department
from kaohe.db import retry_when_locked
from people.models import Person
from scoring import engine
from scoring.models import AssessmentYear
from scoring.phases import year_allows


def grade_names(grade_points) -> list[str]:
    """The grades, best first. Ordered by points, not by the JSON's key order (PostgreSQL's jsonb sorts keys)."""
    return sorted(grade_points, key=lambda g: (-Decimal(str(grade_points[g])), g))


def grade_scale(year: AssessmentYear) -> list[tuple[str, str]]:
    """(grade, points) best first, for display."""
    return [(g, str(year.grade_points[g])) for g in grade_names(year.grade_points)]


@dataclass(frozen=True)
class CodeCheck:
    round: Round
    group: RaterGroup
    department: Department | None


@retry_when_locked
def code_check(code: str, *, now=None) -> CodeCheck:
    """The round, group and rater's department of a code that can still vote; else BallotRefused."""
    normalized = code_normalize(code)
    if len(normalized) != CODE_LENGTH or set(normalized) - set(CODE_ALPHABET):
        raise BallotRefused(MSG_UNKNOWN)
    found = (
        BallotCode.objects.select_related("batch__group__round__year", "batch__department")
        .filter(code_hash=code_hash(normalized))
        .first()
    )
    if found is None or found.batch.voided:
        raise BallotRefused(MSG_UNKNOWN)
    round_ = found.batch.group.round
    if round_.year.is_frozen:
        raise BallotRefused(MSG_FROZEN)
    if not round_.accepts_online_votes(now):
        raise BallotRefused(MSG_CLOSED)
    if not year_allows(round_.year, "ballot"):
        raise BallotRefused(msg_phase(round_.year))
    if found.used:
        raise BallotRefused(MSG_USED)
    return CodeCheck(round=round_, group=found.batch.group, department=found.batch.department)


def ballot_departments(*, year: AssessmentYear) -> list[Department]:
    """The departments a ballot grades, in the year's order."""
    return [yd.department for yd in year.year_departments.select_related("department").order_by("order", "id")]


def roster_counts(*, year: AssessmentYear) -> dict[int, int]:
    """The active people of the roster per department of the year (by id): the codes to print for each."""
    return Person.objects.active_counts(ballot_departments(year=year))


def ballot_form_departments(*, check: CodeCheck) -> list[Department]:
    """The departments shown to a rater: the rater's own one is left out when it would not count (§4)."""
    departments = ballot_departments(year=check.round.year)
    if check.department is not None and check.round.year.exclude_own_department:
        departments = [d for d in departments if d.pk != check.department.pk]
    return departments


def ballots_for_scoring(*, year: AssessmentYear) -> tuple[engine.BallotInput, ...]:
    """The counted ballots of a year for the scoring core: those of a closed round, in one aggregated query.

    Each row is one (group, rater's department, graded department, grade) with its count; the core honours
    `count`, and a ballot's grades are independent of each other in docs/scoring.md §4, so this gives the same
    scores as loading every ballot.
    """
    rows = (
        BallotRating.objects.filter(ballot__group__round__year=year, ballot__group__round__status=Round.Status.CLOSED)
        .values_list("ballot__group__name", "ballot__voter_department__name", "department__name", "grade")
        .annotate(n=Count("id"))
        .order_by(
            "ballot__group__order", "ballot__group__name", "ballot__voter_department__name", "department__name", "grade"
        )
    )
    return tuple(
        engine.BallotInput(group=group, voter_department=voter, ratings={dept: grade}, count=n)
        for group, voter, dept, grade, n in rows
    )


@dataclass(frozen=True)
class WholeBallot:
    """One counted ballot with all its grades, as an archive keeps it: no code, person, time or id."""

    group: str
    voter_department: str | None
    paper: bool
    ratings: dict[str, str]  # graded department -> grade, in the departments' order; abstentions absent


def ballots_whole(*, year: AssessmentYear) -> list[WholeBallot]:
    """The counted ballots of a year (those of a closed round) one by one, each whole: three queries.

    Sorted by their content (group, rater's department, paper, grades), so that their order tells nothing of
    when they were cast. Scored one by one they give what `ballots_for_scoring` gives (docs/scoring.md §4).
    """
    counted = {"group__round__year": year, "group__round__status": Round.Status.CLOSED}
    position = {
        name: i
        for i, name in enumerate(
            year.year_departments.order_by("order", "id").values_list("department__name", flat=True)
        )
    }
    ballots = list(
        Ballot.objects.filter(**counted).values_list(
            "pk", "group__order", "group__name", "voter_department__name", "paper"
        )
    )
    ratings: dict[Any, list[tuple[int, str, str]]] = {pk: [] for pk, *_ in ballots}
    for pk, name, grade in BallotRating.objects.filter(
        **{f"ballot__{key}": value for key, value in counted.items()}
    ).values_list("ballot_id", "department__name", "grade"):
        ratings[pk].append((position.get(name, len(position)), name, grade))
    for graded in ratings.values():
        graded.sort()
    ballots.sort(key=lambda b: (b[1], b[2], b[3] or "", b[4], ratings[b[0]]))
    return [
        WholeBallot(group, voter, paper, {name: grade for _, name, grade in ratings[pk]})
        for pk, _, group, voter, paper in ballots
    ]


@dataclass(frozen=True)
class GroupTurnout:
    group: RaterGroup
    online: int
    paper: int

    @property
    def total(self) -> int:
        return self.online + self.paper

    @property
    def turnout(self) -> Decimal | None:
        """Percentage of the planned raters who voted, to 0.1."""
        if not self.group.planned_count:
            return None
        return (Decimal(self.total * 100) / self.group.planned_count).quantize(Decimal("0.1"))


def round_turnout(*, round: Round) -> list[GroupTurnout]:
    """Ballots cast per group, online and on paper: what may be shown while the round is open."""
    counts: dict[tuple[int, bool], int] = {
        (group_id, paper): n
        for group_id, paper, n in Ballot.objects.filter(group__round=round)
        .values_list("group_id", "paper")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [GroupTurnout(g, counts.get((g.pk, False), 0), counts.get((g.pk, True), 0)) for g in round.groups.all()]


def round_codes_summary(*, round: Round) -> list[dict[str, Any]]:
    """Per batch: how many codes, how many used (a code remembers only that)."""
    used = dict(
        BallotCode.objects.filter(batch__group__round=round, used=True)
        .values_list("batch_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"batch": batch, "used": used.get(batch.pk, 0)}
        for batch in CodeBatch.objects.filter(group__round=round)
        .select_related("group", "department", "created_by")
        .order_by("group__order", "id")
    ]
