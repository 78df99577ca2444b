"""Synthetic assessment years at any scale (a district's dozen departments up to a province's thousands).

`synthetic_seed` writes one valid year with bulk inserts: every rule of the scheme is used, B1 commendations
shared by 2–3 departments, vetoes, annual items at most once per department, T3 points with reasons, exempt
deductions, a few pending records, vice chairs supervising every department, headcounts, and democratic
scores — or, when ballots are asked for (`--ballots K`), a closed round of ballots.

Departments come in "districts" of seven (the seven 部室 of a district federation's 机关), each district with
its vice chair, so that the data looks like several district federations in one system. The generator is
deterministic for a given seed.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DO_NOTHING
from django.utils import timezone

from ballots.models import Ballot, BallotRating, RaterGroup, Round
from departments.models import Department, Leader
from kaohe.db import statistics_refresh
from results.cache import year_result
from results.loader import year_input
from results.revisions import one_change_per_year, year_data_changed
from reviews.models import LedgerRecord, RecordDepartment
from scoring import engine
from scoring.catalogue import DEFAULT_SCHEME, catalogue_load
from scoring.models import (
    AssessmentYear,
    DemocraticScore,
    DiscretionaryAward,
    Rule,
    Scheme,
    Supervision,
    TieOrder,
    TieOrderEntry,
    YearDepartment,
    YearLeader,
)

BASE_DEPARTMENTS = ("办公室", "组织部", "宣教调研室", "民管法工部", "生活保障部", "女职工部", "经济工作部")
DISTRICT_SIZE = len(BASE_DEPARTMENTS)
CHAIR_NAME = "合成数据主席"
BALLOT_GROUPS = (("机关全体人员", Decimal("0.6"), True), ("基层工会干部代表", Decimal("0.4"), False))

# How often each repeatable rule is recorded, relative to the others (attendance and information items are the
# everyday ones; D-items and P3 are rare). Bonuses are added on top, see _bonus_share.
DEDUCTION_WEIGHTS = {
    "T1": 2, "T2": 3, "T3": 6, "T4": 5,
    "S1": 10, "S2": 14, "S3": 8,
    "P1": 4, "P2": 6, "P3": 1,
    "I1": 10, "I2": 3, "C1": 8,
    "D1": 1, "D2": 1, "D3": 1,
}  # fmt: skip
BONUS_WEIGHTS = {"B1": 5, "B2": 3, "B3": 2}
LEVEL_WEIGHTS = {"national": 1, "provincial": 3, "municipal": 6}
PER_PERSON_RULES = frozenset({"S1", "S2", "S3", "P2", "C1"})  # "每人次/每次": often more than one unit
ANNUAL_SHARE = {"G1": 0.3, "G2": 0.2, "G3": 0.15}  # share of departments with each annual item
VETO_SHARE = 0.005
EXEMPT_SHARE = 0.03
PENDING_SHARE = 0.01
SHARED_B1_SHARE = 0.4
SHARED_OTHER_BONUS_SHARE = 0.15
TARGET_NET_POINTS = Decimal("-12")  # aimed-for mean net points; the realised mean comes out a few points higher

EXEMPT_REASONS = ("因极端天气停电，确属无法克服的困难", "上级临时调整工作安排，非部室所能预见", "突发公共卫生事件影响")
T3_REASONS = ("配合其他单位工作延迟", "材料报送晚于督办时限", "客观条件变化致进度滞后")
VETO_REASONS = ("经区总党组会研究确定", "经调查属实，党组会决定否决")


class SeedError(ValueError):
    """Arguments that cannot make a valid year."""


@dataclass(frozen=True)
class SeedSummary:
    year: int
    departments: int
    records: int
    record_links: int
    pending: int
    vetoes: int
    shared_bonuses: int
    ballots: int
    ballot_ratings: int
    democratic_scores: int
    discretionary_awards: int
    seconds: float


def department_name(index: int) -> str:
    """The name of synthetic department `index` (0-based): 第1区办公室, 第1区组织部, … 第2区办公室, …"""
    return f"第{index // DISTRICT_SIZE + 1}区{BASE_DEPARTMENTS[index % DISTRICT_SIZE]}"


def vice_chair_name(district: int) -> str:
    return f"第{district + 1}区副主席"


def synthetic_seed(
    *,
    year: int,
    departments: int,
    records: int,
    ballots: int = 0,
    seed: int = 2023,
    replace: bool = False,
    batch_size: int = 2000,
) -> SeedSummary:
    """Create the synthetic year `year`. Refuses an existing year unless `replace` (then it is emptied first)."""
    started = timezone.now()
    if departments < 3:
        raise SeedError("--departments 至少为 3（共享加分需要 2–3 个部室）")
    if ballots < 0:
        raise SeedError("--ballots 不能为负数")
    districts = -(-departments // DISTRICT_SIZE)
    if ballots and ballots < districts:
        raise SeedError(f"--ballots 至少为 {districts}（每个区至少一张覆盖全区部室的测评票）")

    catalogue_load()
    scheme = Scheme.objects.get(code=DEFAULT_SCHEME)
    rules = {r.code: r for r in Rule.objects.filter(scheme=scheme)}
    annual_codes = [code for code, r in rules.items() if r.annual]
    veto_codes = [code for code, r in rules.items() if r.kind == Rule.Kind.VETO]
    minimum = len(rules)
    if records < minimum:
        raise SeedError(f"--records 至少为 {minimum}（每个考核项目至少一条记录）")

    rng = random.Random(seed)
    with transaction.atomic(), one_change_per_year():
        existing = AssessmentYear.objects.filter(year=year).first()
        if existing is not None:
            if not replace:
                raise SeedError(f"{year}年度已存在（如需覆盖，请加 --replace）")
            if existing.is_frozen:
                raise SeedError(f"{year}年度已审定，数据只读，不能覆盖")
            _year_empty(existing)
            existing.delete()
        assessment_year = AssessmentYear.objects.create(
            year=year,
            title=f"{year}年度（合成数据）",
            scheme=scheme,
            phase=AssessmentYear.Phase.SCORING,
            democratic_source=(
                AssessmentYear.DemocraticSource.BALLOTS if ballots else AssessmentYear.DemocraticSource.SCORES
            ),
            group_weights={name: str(w) for name, w, _ in BALLOT_GROUPS} if ballots else None,
        )
        depts = _departments_ensure(departments)
        YearDepartment.objects.bulk_create(
            [
                YearDepartment(year=assessment_year, department=d, headcount=rng.randint(3, 15), order=i)
                for i, d in enumerate(depts, start=1)
            ],
            batch_size=batch_size,
        )
        _leaders_create(assessment_year, depts, districts, batch_size)

        plan = _records_plan(rng, rules, depts, records, annual_codes, veto_codes, year)
        links = _records_insert(assessment_year, rules, plan, batch_size)

        n_ballots = n_ratings = n_scores = 0
        if ballots:
            n_ballots, n_ratings = _ballots_create(rng, assessment_year, depts, ballots, batch_size)
        else:
            n_scores = len(
                DemocraticScore.objects.bulk_create(
                    [
                        DemocraticScore(
                            year=assessment_year, department=d, score=Decimal(rng.randint(7000, 9900)) / 100
                        )
                        for d in depts
                    ],
                    batch_size=batch_size,
                )
            )
        n_awards = _discretionary_grant(assessment_year)
        year_data_changed(year=assessment_year)  # the bulk and raw inserts above send no signals

    return SeedSummary(
        year=year,
        departments=len(depts),
        records=len(plan),
        record_links=links,
        pending=sum(1 for p in plan if p.pending),
        vetoes=sum(1 for p in plan if rules[p.rule].kind == Rule.Kind.VETO),
        shared_bonuses=sum(1 for p in plan if len(p.departments) > 1),
        ballots=n_ballots,
        ballot_ratings=n_ratings,
        democratic_scores=n_scores,
        discretionary_awards=n_awards,
        seconds=(timezone.now() - started).total_seconds(),
    )


def _year_empty(year: AssessmentYear) -> None:
    """Delete a year's rows with plain DELETEs: the ORM's cascade would load every record to send signals."""

    # Rows of other apps that point at a record (evidence, objections, …) go through the ORM: they are few.
    for relation in LedgerRecord._meta.related_objects:
        if relation.related_model is not RecordDepartment and relation.on_delete is not DO_NOTHING:
            relation.related_model._base_manager.filter(**{f"{relation.field.name}__year": year}).delete()
    RecordDepartment.objects.filter(year=year)._raw_delete(connection.alias)
    for model in (LedgerRecord.history.model, RecordDepartment.history.model):
        model.objects.filter(year_id=year.pk)._raw_delete(connection.alias)
    LedgerRecord.objects.filter(year=year)._raw_delete(connection.alias)

    BallotRating.objects.filter(ballot__group__round__year=year)._raw_delete(connection.alias)
    Ballot.objects.filter(group__round__year=year)._raw_delete(connection.alias)
    Round.objects.filter(year=year).delete()
    TieOrderEntry.objects.filter(tie_order__year=year).delete()
    for model in (TieOrder, DiscretionaryAward, DemocraticScore, Supervision, YearLeader, YearDepartment):
        model.objects.filter(year=year)._raw_delete(connection.alias)


def _departments_ensure(count: int) -> list[Department]:
    names = [department_name(i) for i in range(count)]
    found = {d.name: d for d in Department.objects.filter(name__in=names)}
    Department.objects.bulk_create(
        [Department(name=name, order=1000 + i) for i, name in enumerate(names) if name not in found],
        batch_size=2000,
    )
    found = {d.name: d for d in Department.objects.filter(name__in=names)}
    return [found[name] for name in names]


def _leaders_create(year: AssessmentYear, depts: list[Department], districts: int, batch_size: int) -> None:
    """一名主席 and one vice chair per district supervising its departments (副主席按分管部室平均奖)."""
    names = [CHAIR_NAME] + [vice_chair_name(d) for d in range(districts)]
    found = {x.name: x for x in Leader.objects.filter(name__in=names)}
    Leader.objects.bulk_create(
        [
            Leader(name=name, role=Leader.Role.CHAIR if i == 0 else Leader.Role.VICE_CHAIR, order=1000 + i)
            for i, name in enumerate(names)
            if name not in found
        ],
        batch_size=batch_size,
    )
    leaders = {x.name: x for x in Leader.objects.filter(name__in=names)}
    YearLeader.objects.bulk_create(
        [YearLeader(year=year, leader=leaders[name], order=i) for i, name in enumerate(names[1:] + names[:1])],
        batch_size=batch_size,
    )
    Supervision.objects.bulk_create(
        [
            Supervision(year=year, leader=leaders[vice_chair_name(i // DISTRICT_SIZE)], department=d)
            for i, d in enumerate(depts)
        ],
        batch_size=batch_size,
    )


@dataclass
class _Planned:
    rule: str
    departments: tuple[int, ...]  # indexes into the department list
    quantity: int = 1
    points: Decimal | None = None
    level: str = ""
    exempt: bool = False
    reason: str = ""
    pending: bool = False
    day: int = 0


def _weighted(rng: random.Random, weights: dict[str, float]):
    keys = list(weights)
    cumulative = []
    total = 0.0
    for key in keys:
        total += weights[key]
        cumulative.append(total)

    def pick() -> str:
        return keys[_bisect(cumulative, rng.random() * total)]

    return pick


def _bisect(cumulative: list[float], x: float) -> int:
    lo, hi = 0, len(cumulative)
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(cumulative) - 1)


def _mean_points(rule: Rule) -> Decimal:
    if rule.kind == Rule.Kind.DISCRETIONARY:
        return rule.max_points / 2
    if rule.kind == Rule.Kind.BONUS:
        levels = rule.level_points()
        total = sum(LEVEL_WEIGHTS.values())
        return sum(levels[level] * w for level, w in LEVEL_WEIGHTS.items()) / total
    quantity = Decimal("1.4") if rule.code in PER_PERSON_RULES else Decimal("1")
    return rule.points * quantity


def _bonus_share(rules: dict[str, Rule], records_per_department: Decimal) -> float:
    """The share of repeatable records that are bonuses so that a department nets about TARGET_NET_POINTS."""
    d_total = sum(DEDUCTION_WEIGHTS.values())
    b_total = sum(BONUS_WEIGHTS.values())
    mean_d = sum(_mean_points(rules[c]) * w for c, w in DEDUCTION_WEIGHTS.items()) / d_total
    mean_d *= Decimal(str(1 - EXEMPT_SHARE))
    # A shared bonus reaches 7/3 departments on average (see _shared_with): halved for B1, in full for others.
    mean_b = (
        sum(
            _mean_points(rules[c])
            * w
            * Decimal(str(1 - share + share * (7 / 3) * (0.5 if rules[c].halve_when_shared else 1)))
            for c, w in BONUS_WEIGHTS.items()
            for share in [SHARED_B1_SHARE if rules[c].halve_when_shared else SHARED_OTHER_BONUS_SHARE]
        )
        / b_total
    )
    if records_per_department <= 0:
        return 0.1
    share = (mean_d * records_per_department + TARGET_NET_POINTS) / (records_per_department * (mean_b + mean_d))
    return float(min(max(share, Decimal("0.05")), Decimal("0.5")))


def _records_plan(
    rng: random.Random,
    rules: dict[str, Rule],
    depts: list[Department],
    total: int,
    annual_codes: list[str],
    veto_codes: list[str],
    year: int,
) -> list[_Planned]:
    n = len(depts)
    plan: list[_Planned] = []

    # Annual items (G1–G3): each on a share of the departments, never twice on one (the database refuses it).
    for code in annual_codes:
        share = ANNUAL_SHARE.get(code, 0.2)
        chosen = rng.sample(range(n), max(1, min(n, round(n * share))))
        plan.extend(_Planned(code, (i,)) for i in chosen)
    # Vetoes: a few departments, every veto rule at least once.
    veto_count = max(len(veto_codes), round(n * VETO_SHARE))
    vetoed = rng.sample(range(n), min(n, veto_count))
    for k in range(veto_count):
        plan.append(_Planned(veto_codes[k % len(veto_codes)], (vetoed[k % len(vetoed)],)))
    # Every repeatable rule at least once, then the rest drawn by weight.
    repeatable = list(DEDUCTION_WEIGHTS) + list(BONUS_WEIGHTS)
    if len(plan) + len(repeatable) > total:
        # Small runs: trim the annual and veto items (keeping one of each rule) to make room.
        keep: dict[str, _Planned] = {}
        for p in plan:
            keep.setdefault(p.rule, p)
        plan = list(keep.values())
    remaining = total - len(plan) - len(repeatable)
    bonus_share = _bonus_share(rules, Decimal(total) / n)
    pick_deduction = _weighted(rng, DEDUCTION_WEIGHTS)
    pick_bonus = _weighted(rng, BONUS_WEIGHTS)
    # Departments are dealt bonuses and deductions like cards (each gets its share, in random order), so that
    # scores spread like a real year's rather than by the luck of the draw.
    bonus_to, deduction_to = _dealer(rng, n), _dealer(rng, n)
    for code in repeatable:
        plan.append(_Planned(code, (rng.randrange(n),)))
    for _ in range(max(0, remaining)):
        if rng.random() < bonus_share:
            plan.append(_Planned(pick_bonus(), (next(bonus_to),)))
        else:
            plan.append(_Planned(pick_deduction(), (next(deduction_to),)))

    pick_level = _weighted(rng, LEVEL_WEIGHTS)
    b1_shared = False
    for p in plan:
        rule = rules[p.rule]
        p.day = rng.randrange(365)
        if rule.kind == Rule.Kind.BONUS:
            p.level = pick_level()
            shared = SHARED_B1_SHARE if rule.halve_when_shared else SHARED_OTHER_BONUS_SHARE
            if p.rule == "B1" and not b1_shared:
                shared = 1.0  # at least one shared commendation (表彰项目涉及多个部室)
            if rng.random() < shared:
                p.departments = _shared_with(rng, p.departments[0], n)
                b1_shared = b1_shared or p.rule == "B1"
        elif rule.kind == Rule.Kind.VETO:
            if rule.reason_required:
                p.reason = rng.choice(VETO_REASONS)
        else:
            if rule.kind == Rule.Kind.DISCRETIONARY:
                p.points = Decimal(rng.randint(0, int(rule.max_points * 100))) / 100
                p.reason = rng.choice(T3_REASONS)
            elif p.rule in PER_PERSON_RULES:
                p.quantity = rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
            if rng.random() < EXEMPT_SHARE:
                p.exempt = True
                p.reason = rng.choice(EXEMPT_REASONS)
        if not rule.annual and rule.kind != Rule.Kind.VETO and rng.random() < PENDING_SHARE:
            p.pending = True
    # At least one exempt deduction and one pending record, whatever the size.
    if not any(p.exempt for p in plan):
        first = next(p for p in plan if p.rule == "S2")
        first.exempt, first.reason = True, EXEMPT_REASONS[0]
    if not any(p.pending for p in plan):
        next(p for p in plan if p.rule == "S1").pending = True
    rng.shuffle(plan)
    return plan


def _dealer(rng: random.Random, n: int):
    while True:
        order = list(range(n))
        rng.shuffle(order)
        yield from order


def _shared_with(rng: random.Random, first: int, n: int) -> tuple[int, ...]:
    """2–3 departments, preferably of the same district (a commendation of a district's joint work)."""
    district = first // DISTRICT_SIZE
    pool = [i for i in range(district * DISTRICT_SIZE, min(n, (district + 1) * DISTRICT_SIZE)) if i != first]
    if len(pool) < 2:
        pool = [i for i in range(n) if i != first]
    others = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2))))
    return (first, *others)


def _records_insert(year: AssessmentYear, rules: dict[str, Rule], plan: list[_Planned], batch_size: int) -> int:
    """LedgerRecord and RecordDepartment rows (year, rule and annual copied onto the link, as the ledger does).

    Plain INSERTs with ids chosen here: building 400,000 model instances for bulk_create costs more than the
    database's work. Like bulk_create, this writes no history rows."""

    depts = list(YearDepartment.objects.filter(year=year).order_by("order").values_list("department_id", flat=True))
    now = timezone.now()
    start = datetime.date(year.year, 1, 1)
    date_field = LedgerRecord._meta.get_field("date")
    dates = [date_field.get_db_prep_save(start + datetime.timedelta(days=d), connection) for d in range(366)]
    points_field = LedgerRecord._meta.get_field("points")
    points: dict[Decimal | None, object] = {None: None}
    confirmed_at = LedgerRecord._meta.get_field("confirmed_at").get_db_prep_save(now, connection)
    descriptions = {code: f"合成记录：{rule.short_text}" for code, rule in rules.items()}
    confirmed, pending = str(LedgerRecord.Status.CONFIRMED), str(LedgerRecord.Status.PENDING)

    first_record = _next_id(LedgerRecord)
    record_rows = []
    for n, p in enumerate(plan):
        if p.points not in points:
            points[p.points] = points_field.get_db_prep_save(p.points, connection)
        record_rows.append(
            {
                "id": first_record + n,
                "year_id": year.pk,
                "rule_id": rules[p.rule].pk,
                "date": dates[p.day],
                "quantity": p.quantity,
                "level": p.level,
                "points": points[p.points],
                "exempt": p.exempt,
                "reason": p.reason,
                "description": descriptions[p.rule],
                "status": pending if p.pending else confirmed,
                "confirmed_at": None if p.pending else confirmed_at,
            }
        )
    _rows_insert(LedgerRecord, record_rows, now, batch_size)

    first_link = _next_id(RecordDepartment)
    link_rows = []
    for n, p in enumerate(plan):
        rule = rules[p.rule]
        for i in p.departments:
            link_rows.append(
                {
                    "id": first_link + len(link_rows),
                    "record_id": first_record + n,
                    "department_id": depts[i],
                    "year_id": year.pk,
                    "rule_id": rule.pk,
                    "annual": rule.annual,
                }
            )
    _rows_insert(RecordDepartment, link_rows, now, batch_size)
    _sequences_reset(LedgerRecord, RecordDepartment)
    statistics_refresh(LedgerRecord, RecordDepartment)
    return len(link_rows)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _rows_insert(model, rows: list[dict], now: datetime.datetime, batch_size: int) -> None:
    """INSERT rows given as {attname: database value}; a column missing from a row gets its field's default
    (so a field added to the model later still works), auto_now fields get `now`."""
    fields = model._meta.concrete_fields
    given = set(rows[0]) if rows else set()
    constants = {}
    for f in fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants[f.attname] = f.get_db_prep_save(now, connection)
        elif f.has_default() or f.null:
            constants[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        else:
            raise SeedError(f"{model._meta.label}.{f.name} 没有默认值，合成数据需要补充该字段")
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), batch_size * 10):
            chunk = rows[offset : offset + batch_size * 10]
            cursor.executemany(sql, [tuple(row[a] if a in row else constants[a] for a in attnames) for row in chunk])


def _sequences_reset(*models) -> None:
    """After inserts with explicit ids, PostgreSQL's sequences must move past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _ballots_create(
    rng: random.Random, year: AssessmentYear, depts: list[Department], count: int, batch_size: int
) -> tuple[int, int]:
    """A closed round: 机关 staff rate their own district's departments (their own excluded when counted),
    grassroots cadres rate one district each; the first ballots cover every district once."""

    now = timezone.now()
    round_ = Round.objects.create(
        year=year,
        title=f"{year.year}年度民主测评（合成数据）",
        status=Round.Status.CLOSED,
        closes_at=now,
        closed_at=now,
    )
    staff = sum(year.year_departments.values_list("headcount", flat=True))
    groups = [
        RaterGroup.objects.create(
            round=round_,
            name=name,
            planned_count=max(1, staff if by_department else count // 3),
            weight=weight,
            by_department=by_department,
            order=i,
        )
        for i, (name, weight, by_department) in enumerate(BALLOT_GROUPS)
    ]
    grades = list(year.grade_points)
    grade_weights = [50, 35, 12, 3][: len(grades)] + [1] * max(0, len(grades) - 4)
    n = len(depts)
    districts = -(-n // DISTRICT_SIZE)
    ballots: list[Ballot] = []
    ratings: list[BallotRating] = []
    for k in range(count):
        if k < districts:
            group, voter, district, abstain = groups[1], None, k, 0.0
        elif rng.random() < 0.7:
            voter = rng.randrange(n)
            group, district, abstain = groups[0], voter // DISTRICT_SIZE, 0.05
        else:
            group, voter, district, abstain = groups[1], None, rng.randrange(districts), 0.05
        ballot = Ballot(group=group, voter_department=None if voter is None else depts[voter], paper=k % 10 == 0)
        ballots.append(ballot)
        for i in range(district * DISTRICT_SIZE, min(n, (district + 1) * DISTRICT_SIZE)):
            if rng.random() >= abstain:
                grade = rng.choices(grades, weights=grade_weights)[0]
                ratings.append(BallotRating(ballot=ballot, department=depts[i], grade=grade))
    Ballot.objects.bulk_create(ballots, batch_size=batch_size)
    BallotRating.objects.bulk_create(ratings, batch_size=batch_size)
    return len(ballots), len(ratings)


def _discretionary_grant(year: AssessmentYear) -> int:
    """Leadership grants a per-person amount to up to three eligible departments (八、可酌情奖励)."""

    result = engine.score_year(year_input(year))  # afresh: the inserts above are not marked yet
    eligible = [d.name for d in result.departments if d.discretionary_eligible][:3]
    by_name = dict(Department.objects.filter(name__in=eligible).values_list("name", "pk"))
    DiscretionaryAward.objects.bulk_create(
        [
            DiscretionaryAward(year=year, department_id=by_name[name], amount=Decimal("500"), reason="合成数据")
            for name in eligible
        ]
    )
    return len(eligible)


def year_check(year: AssessmentYear) -> engine.YearResult:
    """Score the year and check it is complete and valid (used by tests and the benchmark)."""

    return year_result(year)
