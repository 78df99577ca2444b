"""Writes of the democratic evaluation. Scores themselves come only from the scoring core
(`engine.democratic_from_ballots`); reads are in `ballots.selectors`, the paper-ballot workbook in
`ballots.paper`, the statistics in `ballots.statistics`.

Writes follow the year's phase (scoring.phases): the lead prepares and manages the round — opens, edits and
closes it, prints and voids codes — in 评分 and 民主测评 ("ballot_setup"), so that the slips are printed
before voting starts; ballots themselves, online at /vote/ and on paper (by hand or imported), only in
民主测评 ("ballot"). A frozen year allows neither."""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ballots.codes import ABSTAIN, MAX_CODES_PER_BATCH, MSG_USED, BallotRefused, code_display, code_hash, code_new
from ballots.models import Ballot, BallotCode, BallotRating, CodeBatch, RaterGroup, Round
from ballots.selectors import code_check
from departments.models import Department
from kaohe.db import retry_when_locked
from people.models import Person
from scoring.models import AssessmentYear
from scoring.phases import year_require


@transaction.atomic
def codes_generate(
    *, group: RaterGroup, count: int | None, department: Department | None = None, user=None
) -> list[str]:
    """Create `count` codes and return them, formatted. This is the only moment the codes exist in clear.

    Without a `count`, a group coded by department gets one code per active person of the department's roster."""
    round_ = group.round
    year_require(round_.year, "ballot_setup")
    if not round_.is_open:
        raise ValidationError("民主测评已结束，不能再生成测评码。")
    if count is None:
        if not (group.by_department and department is not None):
            raise ValidationError("请填写数量。")
        count = Person.objects.active_counts([department]).get(department.pk, 0)
        if not count:
            raise ValidationError(f"人员名册中{department.name}没有在职人员，请填写数量。")
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError(f"每次可生成 1 至 {MAX_CODES_PER_BATCH} 个测评码。")
    if group.by_department and department is None:
        raise ValidationError(f"“{group.name}”按部室发码，请选择测评人所在部室。")
    if not group.by_department:
        department = None
    batch = CodeBatch.objects.create(group=group, department=department, count=count, created_by=user)
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {code_new() for _ in range(count - len(codes))} - codes
        hashes = {code_hash(c): c for c in candidates}
        taken = set(BallotCode.objects.filter(code_hash__in=hashes).values_list("code_hash", flat=True))
        codes |= {c for h, c in hashes.items() if h not in taken}
    BallotCode.objects.bulk_create(BallotCode(batch=batch, code_hash=code_hash(c)) for c in codes)
    return sorted(code_display(c) for c in codes)


def batch_void(*, batch: CodeBatch) -> int:
    """Void a batch (e.g. a lost sheet): its unused codes can no longer vote. Returns how many were unused."""
    year_require(batch.group.round.year, "ballot_setup")
    CodeBatch.objects.filter(pk=batch.pk).update(voided=True)
    return batch.codes.filter(used=False).count()


def ratings_clean(year: AssessmentYear, ratings: Mapping[int, str | None]) -> dict[int, str]:
    """Department id -> grade, without abstentions; ValidationError on an unknown department or grade."""
    known = set(year.year_departments.values_list("department_id", flat=True))
    grades = set(year.grade_points)
    clean: dict[int, str] = {}
    for dept_id, grade in ratings.items():
        if dept_id not in known:
            raise ValidationError("测评票中有不属于本年度的部室。")
        if grade is None or grade == ABSTAIN:
            continue
        if grade not in grades:
            raise ValidationError(f"未知等次“{grade}”。")
        clean[dept_id] = grade
    return clean


def ballot_insert(
    *, group: RaterGroup, voter_department: Department | None, ratings: dict[int, str], paper: bool
) -> None:
    ballot = Ballot.objects.create(group=group, voter_department=voter_department, paper=paper)
    BallotRating.objects.bulk_create(
        BallotRating(ballot=ballot, department_id=dept_id, grade=grade) for dept_id, grade in ratings.items()
    )


@retry_when_locked
def ballot_cast(*, code: str, ratings: Mapping[int, str | None], now=None) -> None:
    """Cast the ballot of a one-time code: spend the code and store the ballot in one transaction.

    The code is spent by a conditional UPDATE (… WHERE used = false): of any number of concurrent submits of
    one code exactly one updates a row; the others roll back without a ballot. Nothing written here links the
    ballot to the code.
    """
    with transaction.atomic():
        check = code_check(code, now=now)
        clean = ratings_clean(check.round.year, ratings)
        spent = BallotCode.objects.filter(code_hash=code_hash(code), used=False).update(used=True)
        if spent != 1:
            raise BallotRefused(MSG_USED)
        ballot_insert(group=check.group, voter_department=check.department, ratings=clean, paper=False)


# ---------------------------------------------------------------------------------------------------------
# Rounds


@dataclass(frozen=True)
class GroupSpec:
    name: str
    planned_count: int
    weight: Decimal | None = None
    by_department: bool = False


def default_groups(*, year: AssessmentYear) -> list[GroupSpec]:
    """The groups a year's round form offers: last year's (the year before with a round), with their names,
    counts, weights and department codes — a group coded by department counts this year's 机关 staff; without
    one, 七、2: all 机关 staff and grassroots union cadre representatives. 机关 staff are the active people of the
    roster in the year's departments, or while the roster has none, the year's headcounts."""
    departments = [yd.department for yd in year.year_departments.select_related("department")]
    staff = sum(Person.objects.active_counts(departments).values())
    if not staff:
        staff = sum(year.year_departments.values_list("headcount", flat=True))
    last = Round.objects.filter(year__year__lt=year.year).order_by("-year__year").first()
    if last is not None:
        return [
            GroupSpec(g.name, (staff or 1) if g.by_department else g.planned_count, g.weight, g.by_department)
            for g in last.groups.all()
        ]
    return [
        GroupSpec("机关全体人员", staff or 1, None, True),
        GroupSpec("基层工会干部代表", 30, None, False),
    ]


def _groups_validate(groups: Sequence[GroupSpec]) -> None:
    if not groups:
        raise ValidationError("请至少设定一个测评人群体。")
    names = [g.name.strip() for g in groups]
    if any(not n for n in names):
        raise ValidationError("群体名称不能为空。")
    if len(set(names)) != len(names):
        raise ValidationError("群体名称不能重复。")
    weights = [g.weight for g in groups if g.weight is not None]
    if weights:
        if len(weights) != len(groups):
            raise ValidationError("要么每个群体都填写权重，要么都不填写。")
        if sum(weights) != 1:
            raise ValidationError("各群体权重之和须等于 1。")


def _year_sync(year: AssessmentYear, groups: Iterable[RaterGroup]) -> None:
    """The year's settings follow the round: scored from ballots, with the groups' weights (docs/scoring.md §4)."""
    groups = list(groups)
    weights = None
    given = {g.name: g.weight for g in groups if g.weight is not None}
    if groups and len(given) == len(groups):
        weights = {name: str(weight.normalize()) for name, weight in given.items()}
    year.democratic_source = AssessmentYear.DemocraticSource.BALLOTS
    year.group_weights = weights
    year.save(update_fields=["democratic_source", "group_weights"])


@transaction.atomic
def round_open(*, year: AssessmentYear, title: str, closes_at, groups: Sequence[GroupSpec]) -> Round:
    year_require(year, "ballot_setup")
    if Round.objects.filter(year=year).exists():
        raise ValidationError(f"{year}已有民主测评。")
    if closes_at <= timezone.now():
        raise ValidationError("截止时间须晚于现在。")
    _groups_validate(groups)
    round_ = Round.objects.create(year=year, title=title.strip() or f"{year.year}年度民主测评", closes_at=closes_at)
    created = [
        RaterGroup.objects.create(
            round=round_,
            name=g.name.strip(),
            planned_count=g.planned_count,
            weight=g.weight,
            by_department=g.by_department,
            order=i,
        )
        for i, g in enumerate(groups)
    ]
    _year_sync(year, created)
    return round_


@transaction.atomic
def round_update(*, round: Round, title: str, closes_at, groups: Mapping[int, GroupSpec]) -> None:
    """Edit an open round: title, closing time, and each group's name, planned count and weight."""
    year_require(round.year, "ballot_setup")
    if not round.is_open:
        raise ValidationError("民主测评已结束，不能再修改。")
    existing = {g.pk: g for g in round.groups.all()}
    if set(groups) != set(existing):
        raise ValidationError("测评人群体与本次测评不符。")
    _groups_validate(list(groups.values()))
    round.title = title.strip() or round.title
    round.closes_at = closes_at
    round.save(update_fields=["title", "closes_at"])
    # Two passes so that swapping two names does not trip the unique constraint.
    for group in existing.values():
        group.name = f"__{group.pk}"
        group.save(update_fields=["name"])
    for pk, spec in groups.items():
        group = existing[pk]
        group.name, group.planned_count, group.weight = spec.name.strip(), spec.planned_count, spec.weight
        group.save(update_fields=["name", "planned_count", "weight"])
    _year_sync(round.year, existing.values())


@transaction.atomic
def round_close(*, round: Round) -> None:
    """Close the round: no more votes or paper ballots; its ballots now count and results become visible.

    The ballots are written afresh as the round closes (`_ballots_rewrite`), so that what the database keeps
    about a row — which transaction wrote it, where it lies — no longer tells when it was cast."""
    year_require(round.year, "ballot_setup")
    if not round.is_open:
        raise ValidationError("民主测评已经结束。")
    round.status = Round.Status.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["status", "closed_at"])  # gives the year a new data version
    _ballots_rewrite(round)


def _ballots_rewrite(round: Round) -> None:
    """Replace the round's ballots by copies with fresh random ids, inserted in a random order, and rewrite its
    spent codes in one statement.

    A ballot is written in the transaction that spends its code: on PostgreSQL both rows carry that
    transaction's id (`xmin`), and on either database a row's physical place (`ctid`, SQLite's `rowid`) follows
    the order of casting, which a web server's log ties to times and addresses. After the rewrite every ballot
    and every spent code carries the closing transaction's id, and the ballots' order is a shuffle. The old rows'
    space is scrubbed once the transaction commits (`_deleted_rows_scrub`).

    Plain SQL deletes: per-row signals would only mark the year changed, which the round's own save in this
    transaction has done."""
    groups = list(round.groups.values_list("pk", flat=True))
    if not groups:
        return
    ballots = list(
        Ballot.objects.filter(group_id__in=groups).values_list("pk", "group_id", "voter_department_id", "paper")
    )
    ratings: dict[uuid.UUID, list[tuple[int, str]]] = defaultdict(list)
    for ballot_id, department_id, grade in BallotRating.objects.filter(ballot__group_id__in=groups).values_list(
        "ballot_id", "department_id", "grade"
    ):
        ratings[ballot_id].append((department_id, grade))
    secrets.SystemRandom().shuffle(ballots)
    for department_ratings in ratings.values():
        secrets.SystemRandom().shuffle(department_ratings)
    ballot_table, rating_table = (
        connection.ops.quote_name(Ballot._meta.db_table),
        connection.ops.quote_name(BallotRating._meta.db_table),
    )
    marks = ", ".join(["%s"] * len(groups))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA secure_delete = ON")  # deleted rows' bytes are overwritten, not left in pages
        of_round = f"SELECT id FROM {ballot_table} WHERE group_id IN ({marks})"
        cursor.execute(f"DELETE FROM {rating_table} WHERE ballot_id IN ({of_round})", groups)
        cursor.execute(f"DELETE FROM {ballot_table} WHERE group_id IN ({marks})", groups)
    copies = []
    copied_ratings = []
    for old_id, group_id, voter_department_id, paper in ballots:
        copy = Ballot(group_id=group_id, voter_department_id=voter_department_id, paper=paper)
        copies.append(copy)
        copied_ratings += [BallotRating(ballot=copy, department_id=d, grade=g) for d, g in ratings[old_id]]
    Ballot.objects.bulk_create(copies, batch_size=500)
    BallotRating.objects.bulk_create(copied_ratings, batch_size=1000)
    BallotCode.objects.filter(batch__group_id__in=groups, used=True).update(used=True)
    transaction.on_commit(_deleted_rows_scrub)


def _deleted_rows_scrub() -> None:
    """Remove what the rewrite left behind: PostgreSQL's dead row versions (which still carry the transaction
    ids of casting) and SQLite's write-ahead log (which still holds the pages as they were)."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in (Ballot, BallotRating, BallotCode)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---------------------------------------------------------------------------------------------------------
# Paper ballots entered by hand (a workbook of them: ballots.paper)


def paper_ballot_add(
    *, round: Round, group: RaterGroup, voter_department: Department | None, ratings: Mapping[int, str | None]
) -> None:
    year_require(round.year, "ballot")
    if not round.is_open:
        raise ValidationError("民主测评已结束，不能再录入纸质票。")
    if group.round_id != round.pk:
        raise ValidationError("测评人群体不属于本次测评。")
    with transaction.atomic():
        clean = ratings_clean(round.year, ratings)
        ballot_insert(group=group, voter_department=voter_department, ratings=clean, paper=True)
