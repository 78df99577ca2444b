"""Writes and reads of the democratic evaluation. Scores themselves come only from the scoring core
(`engine.democratic_from_ballots` via `scoring.services`); this module loads ballots for it.

Writes follow the year's phase (scoring.phases): the lead prepares and manages the round — opens, edits and
closes it, prints and voids codes — in 评分 and 民主测评 ("ballot_setup"), so that the slips are printed
before voting starts; ballots themselves, online at /vote/ and on paper (by hand or imported), only in
民主测评 ("ballot"). A frozen year allows neither."""

from __future__ import annotations

import functools
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ballots.models import Ballot, BallotCode, BallotRating, CodeBatch, RaterGroup, Round
from departments.models import Department
from kaohe.xlsx import append_guarded, text_guard
from scoring import engine
from scoring.models import AssessmentYear
from scoring.phases import year_allows, year_require

# No 0/O, 1/I/L: every character is unmistakable on paper and on a phone keyboard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes: guessing one of a few hundred issued codes is hopeless.
MAX_CODES_PER_BATCH = 500
ABSTAIN = ""  # what a form sends for 弃权


class BallotRefused(Exception):
    """A code that cannot vote, with the message the rater sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


MSG_UNKNOWN = "测评码无效，请核对后重新输入（测评码由 8 位字母和数字组成，不含 0、O、1、I、L）。"
MSG_USED = "该测评码已经使用过，每个测评码只能投票一次。"
MSG_CLOSED = "本次民主测评已经截止，不能再投票。"
MSG_FROZEN = "该年度考核结果已审定，不能再投票。"


def msg_phase(year: AssessmentYear) -> str:
    """Why a code cannot vote while the year is not in 民主测评."""
    return f"当前考核阶段为「{year.get_phase_display()}」，网上测评仅在「民主测评」阶段开放，现在不能投票。"


def _retry_when_locked(function):
    """Retry a short read or write when SQLite reports its database or a table as locked.

    SQLite (development, tests) allows one writer at a time and, with a shared-cache test database, does not
    wait for it; a voter whose submit meets another voter's should not see an error for that. PostgreSQL
    waits on its own and never raises this. Inside an outer transaction nothing is retried: the caller's is.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        for attempt in range(100):
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if connection.in_atomic_block or "locked" not in str(error) or attempt == 99:
                    raise
                time.sleep(0.01 + attempt * 0.002)
        raise AssertionError("unreachable")

    return wrapper


def grade_names(grade_points) -> list[str]:
    """The grades, best first. Ordered by points, not by the JSON's key order (PostgreSQL's jsonb sorts keys)."""
    return sorted(grade_points, key=lambda g: (-Decimal(str(grade_points[g])), g))


def grade_scale(year: AssessmentYear) -> list[tuple[str, str]]:
    """(grade, points) best first, for display."""
    return [(g, str(year.grade_points[g])) for g in grade_names(year.grade_points)]


# ---------------------------------------------------------------------------------------------------------
# Codes


def code_normalize(raw: str) -> str:
    """What the rater typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """HMAC-SHA256 keyed with SECRET_KEY: the database alone cannot be searched for a code."""
    return salted_hmac("kaohe.ballots.code", code_normalize(code), algorithm="sha256").hexdigest()


def code_display(code: str) -> str:
    code = code_normalize(code)
    return f"{code[:4]}-{code[4:]}"


def _code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def codes_generate(*, group: RaterGroup, count: int, department: Department | None = None, user=None) -> list[str]:
    """Create `count` codes and return them, formatted. This is the only moment the codes exist in clear."""
    round_ = group.round
    year_require(round_.year, "ballot_setup")
    if not round_.is_open:
        raise ValidationError("民主测评已结束，不能再生成测评码。")
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError(f"每次可生成 1 至 {MAX_CODES_PER_BATCH} 个测评码。")
    if group.by_department and department is None:
        raise ValidationError(f"“{group.name}”按部室发码，请选择测评人所在部室。")
    if not group.by_department:
        department = None
    batch = CodeBatch.objects.create(group=group, department=department, count=count, created_by=user)
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {_code_new() for _ in range(count - len(codes))} - codes
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


@dataclass(frozen=True)
class CodeCheck:
    round: Round
    group: RaterGroup
    department: Department | None


@_retry_when_locked
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


# ---------------------------------------------------------------------------------------------------------
# Casting


def ballot_departments(*, year: AssessmentYear) -> list[Department]:
    """The departments a ballot grades, in the year's order."""
    return [yd.department for yd in year.year_departments.select_related("department").order_by("order", "id")]


def ballot_form_departments(*, check: CodeCheck) -> list[Department]:
    """The departments shown to a rater: the rater's own one is left out when it would not count (§4)."""
    departments = ballot_departments(year=check.round.year)
    if check.department is not None and check.round.year.exclude_own_department:
        departments = [d for d in departments if d.pk != check.department.pk]
    return departments


def _ratings_clean(year: AssessmentYear, ratings: Mapping[int, str | None]) -> dict[int, str]:
    """Department id -> grade, without abstentions; ValidationError on an unknown department or grade."""
    known = set(year.year_departments.values_list("department_id", flat=True))
    grades = set(year.grade_points)
    clean = {}
    for dept_id, grade in ratings.items():
        if dept_id not in known:
            raise ValidationError("测评票中有不属于本年度的部室。")
        if grade in (None, ABSTAIN):
            continue
        if grade not in grades:
            raise ValidationError(f"未知等次“{grade}”。")
        clean[dept_id] = grade
    return clean


def _ballot_insert(
    *, group: RaterGroup, voter_department: Department | None, ratings: dict[int, str], paper: bool
) -> None:
    ballot = Ballot.objects.create(group=group, voter_department=voter_department, paper=paper)
    BallotRating.objects.bulk_create(
        BallotRating(ballot=ballot, department_id=dept_id, grade=grade) for dept_id, grade in ratings.items()
    )


@_retry_when_locked
def ballot_cast(*, code: str, ratings: Mapping[int, str | None], now=None) -> None:
    """Cast the ballot of a one-time code: spend the code and store the ballot in one transaction.

    The code is spent by a conditional UPDATE (… WHERE used = false): of any number of concurrent submits of
    one code exactly one updates a row; the others roll back without a ballot. Nothing written here links the
    ballot to the code.
    """
    with transaction.atomic():
        check = code_check(code, now=now)
        clean = _ratings_clean(check.round.year, ratings)
        spent = BallotCode.objects.filter(code_hash=code_hash(code), used=False).update(used=True)
        if spent != 1:
            raise BallotRefused(MSG_USED)
        _ballot_insert(group=check.group, voter_department=check.department, ratings=clean, paper=False)


# ---------------------------------------------------------------------------------------------------------
# Rounds


@dataclass(frozen=True)
class GroupSpec:
    name: str
    planned_count: int
    weight: Decimal | None = None
    by_department: bool = False


def default_groups(*, year: AssessmentYear) -> list[GroupSpec]:
    """七、2: all 机关 staff and grassroots union cadre representatives."""
    staff = sum(year.year_departments.values_list("headcount", flat=True))
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
    weights = [g.weight for g in groups]
    if any(w is not None for w in weights):
        if any(w is None for w in weights):
            raise ValidationError("要么每个群体都填写权重，要么都不填写。")
        if sum(weights) != 1:
            raise ValidationError("各群体权重之和须等于 1。")


def _year_sync(year: AssessmentYear, groups: Iterable[RaterGroup]) -> None:
    """The year's settings follow the round: scored from ballots, with the groups' weights (SCORING.md §4)."""
    groups = list(groups)
    weights = None
    if groups and all(g.weight is not None for g in groups):
        weights = {g.name: str(g.weight.normalize()) for g in groups}
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


def round_close(*, round: Round) -> None:
    """Close the round: no more votes or paper ballots; its ballots now count and results become visible."""
    year_require(round.year, "ballot_setup")
    if not round.is_open:
        raise ValidationError("民主测评已经结束。")
    round.status = Round.Status.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["status", "closed_at"])


# ---------------------------------------------------------------------------------------------------------
# Paper ballots


def paper_ballot_add(
    *, round: Round, group: RaterGroup, voter_department: Department | None, ratings: Mapping[int, str | None]
) -> None:
    year_require(round.year, "ballot")
    if not round.is_open:
        raise ValidationError("民主测评已结束，不能再录入纸质票。")
    if group.round_id != round.pk:
        raise ValidationError("测评人群体不属于本次测评。")
    with transaction.atomic():
        clean = _ratings_clean(round.year, ratings)
        _ballot_insert(group=group, voter_department=voter_department, ratings=clean, paper=True)


PAPER_HEADER_GROUP = "测评人群体"
PAPER_HEADER_DEPARTMENT = "所在部室"
ABSTAIN_WORDS = {"", "弃权", "-", "—", "/"}


def paper_template_xlsx(*, round: Round) -> bytes:
    """An empty import sheet: one row per paper ballot, one column per department.

    The group and grade columns offer drop-down lists. Their items sit in a hidden sheet that the lists point
    to, rather than in the list formula itself: a name with a comma or a quote stays one item, and a long list
    does not hit Excel's 255-character limit on written-out lists. The import reads the first sheet only.
    """
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    departments = ballot_departments(year=round.year)
    wb = Workbook()
    ws = wb.active
    ws.title = "纸质测评票"
    append_guarded(ws, [PAPER_HEADER_GROUP, PAPER_HEADER_DEPARTMENT, *[d.name for d in departments]])
    ws.freeze_panes = "A2"
    for i in range(1, len(departments) + 3):
        ws.column_dimensions[get_column_letter(i)].width = 16 if i <= 2 else 12
    last_col = get_column_letter(len(departments) + 2)

    choices = wb.create_sheet("选项")
    choices.sheet_state = "hidden"
    lists = (
        ([g.name for g in round.groups.all()], "A2:A1000"),
        ([*grade_names(round.year.grade_points), "弃权"], f"C2:{last_col}1000"),
    )
    for column, (items, cells) in enumerate(lists, start=1):
        for row, item in enumerate(items, start=1):
            text_guard(choices.cell(row=row, column=column, value=item))
        letter = get_column_letter(column)
        validation = DataValidation(
            type="list", formula1=f"'选项'!${letter}$1:${letter}${max(len(items), 1)}", allow_blank=True
        )
        ws.add_data_validation(validation)
        validation.add(cells)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def paper_ballots_import(*, round: Round, data: bytes) -> int:
    """Import paper ballots from an Excel sheet, all or nothing. Errors name their row numbers."""
    from io import BytesIO
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    year_require(round.year, "ballot")
    if not round.is_open:
        raise ValidationError("民主测评已结束，不能再录入纸质票。")
    try:
        ws = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (BadZipFile, OSError, KeyError, ValueError):
        raise ValidationError("无法读取该文件，请上传 Excel（.xlsx）文件。") from None
    rows = ws.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    departments = {d.name: d for d in ballot_departments(year=round.year)}
    groups = {g.name: g for g in round.groups.all()}
    grades = set(round.year.grade_points)
    if header[:2] != [PAPER_HEADER_GROUP, PAPER_HEADER_DEPARTMENT]:
        raise ValidationError(f"第 1 行须为表头：{PAPER_HEADER_GROUP}、{PAPER_HEADER_DEPARTMENT}、各部室名称。")
    errors = [f"第 1 行：未知部室“{name}”" for name in header[2:] if name not in departments]
    if len(set(header)) != len(header):
        errors.append("第 1 行：列名重复")
    parsed = []
    for number, row in enumerate(rows, start=2):
        values = [_cell(v) for v in row][: len(header)]
        if not any(values):
            continue
        values += [""] * (len(header) - len(values))
        group = groups.get(values[0])
        if group is None:
            errors.append(f"第 {number} 行：未知测评人群体“{values[0]}”")
        voter = None
        if values[1]:
            voter = departments.get(values[1])
            if voter is None:
                errors.append(f"第 {number} 行：未知部室“{values[1]}”")
        ratings = {}
        for name, value in zip(header[2:], values[2:], strict=True):
            if value in ABSTAIN_WORDS:
                continue
            if value not in grades:
                allowed = "、".join(grade_names(round.year.grade_points))
                errors.append(f"第 {number} 行，{name}：未知等次“{value}”（可填 {allowed} 或 弃权）")
            elif name in departments:
                ratings[departments[name].pk] = value
        parsed.append((group, voter, ratings))
    if errors:
        raise ValidationError(errors)
    if not parsed:
        raise ValidationError("文件中没有测评票。")
    with transaction.atomic():
        for group, voter, ratings in parsed:
            _ballot_insert(group=group, voter_department=voter, ratings=ratings, paper=True)
    return len(parsed)


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


# ---------------------------------------------------------------------------------------------------------
# Reads


def ballots_for_scoring(*, year: AssessmentYear) -> tuple[engine.BallotInput, ...]:
    """The counted ballots of a year for the scoring core: those of a closed round, in one aggregated query.

    Each row is one (group, rater's department, graded department, grade) with its count; the core honours
    `count`, and a ballot's grades are independent of each other in SCORING.md §4, so this gives the same
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


def round_codes_summary(*, round: Round) -> list[dict]:
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
    from scoring.services import year_scored

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
