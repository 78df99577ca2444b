"""The scoring core: docs/scoring.md §1–5 and §7 as pure functions over frozen dataclasses.

No ORM, no I/O, `Decimal` only. `results.loader` loads a year from the database into a `YearInput`,
`scoring.cases` builds one from a `kaohe-case/1` document; both call `score_year`, and so do every page,
report and command.
"""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar

ZERO = Decimal("0")
BASE_SCORE = Decimal("100")  # 三、考核实行百分制: the default full score of a scheme, and the democratic scale
CENT = Decimal("0.01")

KIND_DEDUCTION = "deduction"
KIND_DISCRETIONARY = "discretionary"
KIND_BONUS = "bonus"
KIND_VETO = "veto"
DEDUCTION_KINDS = frozenset({KIND_DEDUCTION, KIND_DISCRETIONARY})


AWARD_FIRST = "first"
AWARD_SECOND = "second"
AWARD_DISCRETIONARY = "discretionary"
AWARD_NONE = "none"
AWARD_PENDING = "pending"
AWARD_LABELS = {
    AWARD_FIRST: "一等奖",
    AWARD_SECOND: "二等奖",
    AWARD_DISCRETIONARY: "酌情奖励",
    AWARD_NONE: "无",
    AWARD_PENDING: "待定",
}

ROLE_CHAIR = "chair"
ROLE_VICE_CHAIR = "vice_chair"


class ScoringError(ValueError):
    """Input that cannot be scored. `place` names where, e.g. ``records[3].points``."""

    def __init__(self, place: str, message: str):
        super().__init__(f"{place}: {message}" if place else message)
        self.place = place
        self.message = message


_T = TypeVar("_T")


def _all_known(values: Iterable[Decimal | None]) -> list[Decimal] | None:
    """The values, or None when any of them is not known yet."""
    known = []
    for value in values:
        if value is None:
            return None
        known.append(value)
    return known


def round2(value: Decimal | Fraction) -> Decimal:
    """docs/scoring.md §1: round to 0.01, half up (四舍五入)."""
    if isinstance(value, Fraction):
        # Exact: decide the half-up rounding on the fraction itself, never on a truncated decimal.
        return _round2_ratio(value.numerator, value.denominator)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _round2_ratio(numerator: int, denominator: int) -> Decimal:
    """`numerator / denominator` rounded to 0.01 as `ROUND_HALF_UP` does (halves away from zero), exactly, in
    integers (`denominator` > 0): what `round2` does with a `Fraction`, and what the democratic scores use
    without building one."""
    hundredths, rest = divmod(abs(numerator) * 100, denominator)
    if 2 * rest >= denominator:
        hundredths += 1
    return (Decimal(-hundredths if numerator < 0 else hundredths) / 100).quantize(CENT)


def _round2_quotient(value: Decimal, divisor: int) -> Decimal:
    """`round2(Fraction(value) / divisor)`, exactly (`divisor` > 0)."""
    numerator, denominator = value.as_integer_ratio()
    return _round2_ratio(numerator, denominator * divisor)


# ---------------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class RuleSpec:
    code: str
    category: str
    kind: str
    text: str = ""
    points: Decimal | None = None  # per unit, positive, for fixed deductions
    max_points: Decimal | None = None  # for discretionary deductions (T3)
    level_points: Mapping[str, Decimal] = field(default_factory=dict)  # for bonuses: level code -> points
    level_names: Mapping[str, str] = field(default_factory=dict)  # level code -> name shown (全总)
    annual: bool = False
    halve_when_shared: bool = False
    reason_required: bool = False

    @property
    def is_deduction(self) -> bool:
        return self.kind in DEDUCTION_KINDS


@dataclass(frozen=True)
class SchemeSpec:
    code: str
    categories: tuple[tuple[str, str], ...]  # (code, name) in order
    rules: Mapping[str, RuleSpec]
    name: str = ""
    full_score: Decimal = BASE_SCORE  # §7: the score a department starts from
    caps: Mapping[str, Decimal] = field(default_factory=dict)  # category -> most its deductions count (扣完为止)
    bonus_caps: Mapping[str, Decimal] = field(default_factory=dict)  # category -> most its bonuses count
    levels: tuple[tuple[str, str], ...] = ()  # bonus levels (code, name), best first

    @property
    def score_categories(self) -> tuple[str, ...]:
        """Categories that carry points, in scheme order: every one but those holding only veto rules (a
        category without rules may hold target items, docs/scoring.md §7)."""
        kinds: dict[str, set[str]] = defaultdict(set)
        for rule in self.rules.values():
            kinds[rule.category].add(rule.kind)
        return tuple(code for code, _ in self.categories if kinds[code] != {KIND_VETO})

    def category_name(self, code: str) -> str:
        return dict(self.categories).get(code, code)

    def level_name(self, code: str) -> str:
        return dict(self.levels).get(code, code)


@dataclass(frozen=True)
class Settings:
    review_weight: Decimal = Decimal("0.8")
    democratic_weight: Decimal = Decimal("0.2")
    first_prize_count: int = 1
    first_prize_per_capita: Decimal = Decimal("2000")
    second_prize_count: int = 2
    second_prize_per_capita: Decimal = Decimal("1000")
    discretionary_threshold: Decimal = Decimal("90")
    grade_points: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "优秀": Decimal("100"),
            "良好": Decimal("85"),
            "一般": Decimal("70"),
            "较差": Decimal("50"),
        }
    )
    group_weights: Mapping[str, Decimal] | None = None
    exclude_own_department: bool = True


@dataclass(frozen=True, slots=True)
class DepartmentInput:
    name: str
    headcount: int


@dataclass(frozen=True)
class LeaderInput:
    name: str
    role: str
    supervises: tuple[str, ...] = ()


class RecordInput(NamedTuple):
    """One ledger record (or, read summed from the database, several identical ones).

    A named tuple rather than a frozen dataclass: a province-scale year builds 200,000 of them per scoring, and a
    tuple is built about four times faster (a frozen dataclass sets each field through `object.__setattr__`).
    Immutable either way: the scored-year cache shares its input across requests."""

    rule: str
    departments: tuple[str, ...]
    quantity: int = 1
    points: Decimal | None = None
    level: str | None = None
    exempt: bool = False
    reason: str = ""
    key: Any = None  # the record's identity where it came from (database id, case index)


@dataclass(frozen=True, slots=True)
class TargetInput:
    """A target item (目标责任项目) allotted to one department for the year (docs/scoring.md §7)."""

    code: str
    department: str
    category: str
    name: str
    points: Decimal  # allotted


class TargetRecordInput(NamedTuple):
    """A deduction on a target item, or the statement that it was not started (立项工作没有开展)."""

    target: str
    points: Decimal | None = None
    not_started: bool = False
    reason: str = ""
    key: Any = None


@dataclass(frozen=True, slots=True)
class BallotInput:
    group: str
    voter_department: str | None
    ratings: Mapping[str, str | None]  # department -> grade; None or absent = abstention
    count: int = 1  # identical ballots may be given once with a count (aggregated loads)


@dataclass(frozen=True)
class YearInput:
    year: int
    scheme: SchemeSpec
    departments: tuple[DepartmentInput, ...]
    settings: Settings = field(default_factory=Settings)
    leaders: tuple[LeaderInput, ...] = ()
    records: tuple[RecordInput, ...] = ()
    # Exactly one of these when the year holds a democratic evaluation; both None when it holds none.
    democratic_scores: Mapping[str, Decimal] | None = None
    ballots: tuple[BallotInput, ...] | None = None
    discretionary_awards: Mapping[str, Decimal] = field(default_factory=dict)
    tie_order: tuple[tuple[str, ...], ...] = ()
    targets: tuple[TargetInput, ...] = ()
    target_records: tuple[TargetRecordInput, ...] = ()

    @property
    def holds_democratic_evaluation(self) -> bool:
        return self.democratic_scores is not None or self.ballots is not None


# ---------------------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True, slots=True)
class Line:
    """What one record gives one department: the unit of "every point explained"."""

    key: Any
    rule: str
    category: str
    points: Decimal  # signed: deductions negative
    quantity: int
    exempt: bool = False
    shared_with: tuple[str, ...] = ()  # the other departments of a shared bonus
    halved: bool = False
    veto: bool = False
    target: bool = False  # a record on a target item: `rule` is the target's code


@dataclass(frozen=True, slots=True)
class TargetResult:
    """What a department earned on one of its target items (应得分/实得分)."""

    code: str
    name: str
    category: str
    points: Decimal  # allotted (应得分)
    deducted: Decimal  # Σ of its deduction records, before 扣完为止
    not_started: bool
    earned: Decimal  # 实得分

    @property
    def shortfall(self) -> Decimal:
        return self.points - self.earned


@dataclass(frozen=True)
class DepartmentResult:
    name: str
    headcount: int
    deductions: Decimal
    bonuses: Decimal
    review_score: Decimal
    democratic_score: Decimal | None
    final_score: Decimal | None
    vetoed: bool
    veto_rules: tuple[str, ...]
    rank: int | None
    award: str
    per_capita: Decimal | None
    total: Decimal | None
    discretionary_eligible: bool
    by_category: Mapping[str, Decimal]  # counted: deductions negative, caps applied
    lines: tuple[Line, ...] = ()
    targets: tuple[TargetResult, ...] = ()
    # Categories whose cap counted less than was recorded: category -> (recorded deductions, recorded bonuses).
    capped: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def award_label(self) -> str:
        return AWARD_LABELS[self.award]

    @property
    def incomplete(self) -> bool:
        return self.final_score is None


@dataclass(frozen=True)
class LeaderResult:
    name: str
    role: str
    award: Decimal | None
    supervises: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradeStats:
    """Democratic-evaluation statistics of one department (counted grades only)."""

    name: str
    counts: Mapping[str, Mapping[str, int]]  # group -> grade -> count
    group_means: Mapping[str, Decimal]  # group -> mean, rounded for display


@dataclass(frozen=True)
class YearResult:
    year: int
    departments: tuple[DepartmentResult, ...]  # ranking order; incomplete ones last, in entry order
    leaders: tuple[LeaderResult, ...]
    ties: tuple[tuple[str, ...], ...]
    incomplete: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]  # (code, name) of the categories in by_category
    holds_democratic_evaluation: bool
    grade_stats: tuple[GradeStats, ...] = ()
    discretionary_eligible_names: tuple[str, ...] = ()
    has_targets: bool = False

    def department(self, name: str) -> DepartmentResult:
        for dept in self.departments:
            if dept.name == name:
                return dept
        raise KeyError(name)

    @property
    def total_money(self) -> Decimal | None:
        totals = _all_known(d.total for d in self.departments)
        return None if totals is None else sum(totals, ZERO)


# ---------------------------------------------------------------------------------------------------------
# Rules of one record (used by the case parser and by the ledger's forms)


def record_points(rule: RuleSpec, record: RecordInput) -> Decimal:
    """Signed points that `record` gives each of its departments (docs/scoring.md §3).

    Linear in the quantity, and dependent on how many departments share the record only through `_halved`:
    `results.loader.year_input(merged=True)` relies on both to let the database sum the other records.
    """
    if rule.kind == KIND_VETO or record.exempt:
        return ZERO
    if rule.kind == KIND_DEDUCTION:
        return -(rule.points or ZERO) * record.quantity
    if rule.kind == KIND_DISCRETIONARY:
        return -(record.points or ZERO) * record.quantity
    assert record.level is not None  # record_problems: a bonus record names its level
    points = rule.level_points[record.level] * record.quantity
    if _halved(rule, record):
        points = points / 2
    return points


def _halved(rule: RuleSpec, record: RecordInput) -> bool:
    # 四、1: 表彰项目涉及多个部室的，按上述标准的二分之一对相关部室加分
    return rule.kind == KIND_BONUS and rule.halve_when_shared and len(record.departments) >= 2


def _line(rule: RuleSpec, record: RecordInput, points: Decimal, name: str) -> Line:
    """The line `record` (giving `points`) puts on department `name`'s breakdown."""
    names = record.departments
    return Line(  # positionally, in field order: built once per record and department of a year
        record.key,
        rule.code,
        rule.category,
        points,
        record.quantity,
        record.exempt,
        () if len(names) == 1 else tuple(n for n in names if n != name),
        _halved(rule, record),
        rule.kind == KIND_VETO,
    )


def department_lines(scheme: SchemeSpec, name: str, records: Iterable[RecordInput]) -> tuple[Line, ...]:
    """What each of `records` that names department `name` gave it: the lines `score_year` gives the
    department, in the same order, from its own records alone (`records` may hold others; they are skipped).

    A page explains one department at a time; the year it ranks is scored without lines
    (`results.cache.year_scored`), and this builds the one department's lines when they are shown.
    """
    lines = []
    for record in records:
        if name in record.departments:
            rule = scheme.rules[record.rule]
            lines.append(_line(rule, record, record_points(rule, record), name))
    return tuple(lines)


def target_line(target: TargetInput, record: TargetRecordInput) -> Line:
    """The line a record on `target` puts on its department's breakdown: its points deducted, or all the
    target's points when the item was not started (before 扣完为止, which the target's result applies)."""
    points = -target.points if record.not_started else -(record.points or ZERO)
    return Line(record.key, target.code, target.category, points, 1, target=True)


def department_target_lines(data: YearInput, name: str) -> tuple[Line, ...]:
    """The lines of the target records of department `name`: those `score_year` adds to its lines after its
    ledger lines, in the same order (a page that explains one department adds them to `department_lines`)."""
    own = {t.code: t for t in data.targets if t.department == name}
    return tuple(target_line(own[r.target], r) for r in data.target_records if r.target in own)


def record_problems(
    rule: RuleSpec, record: RecordInput, taking_part: Collection[str] | None = None
) -> list[tuple[str, str]]:
    """Everything wrong with one record for its rule, as (field, message in Chinese).

    The single statement of the per-record rules of docs/scoring.md §3/§6; the case parser and the ledger's
    forms both use it. With `taking_part` (the names of the year's departments), a record may name only those.
    """
    problems: list[tuple[str, str]] = []
    outside = [] if taking_part is None else [name for name in record.departments if name not in taking_part]
    if outside:
        problems.append(("departments", f"{'、'.join(outside)}未参加本年度考核"))
    if isinstance(record.quantity, bool) or not isinstance(record.quantity, int) or record.quantity < 1:
        problems.append(("quantity", "数量须为正整数"))
    elif record.quantity != 1 and (rule.kind == KIND_VETO or rule.annual):
        problems.append(("quantity", f"{rule.code} 为{'否决' if rule.kind == KIND_VETO else '年度'}项目，数量只能为 1"))
    if not record.departments:
        problems.append(("departments", "须指定部室"))
    elif len(record.departments) > 1 and len(set(record.departments)) != len(record.departments):
        problems.append(("departments", "同一部室不能重复列出"))
    elif len(record.departments) > 1 and rule.kind != KIND_BONUS:
        problems.append(("departments", f"{rule.code} 不是加分项目，只能针对一个部室"))
    if rule.kind == KIND_DISCRETIONARY:
        if record.points is None:
            problems.append(("points", f"{rule.code} 须填写酌情扣分分值"))
        elif not record.points.is_finite():
            problems.append(("points", "分值须为数字"))
        elif not ZERO <= record.points <= (rule.max_points or ZERO):
            problems.append(("points", f"分值须在 0 至 {_plain(rule.max_points or ZERO)} 之间"))
        elif record.points != record.points.quantize(CENT):
            problems.append(("points", "分值最多两位小数"))
    elif record.points is not None:
        problems.append(("points", f"{rule.code} 分值固定，不能填写分值"))
    if rule.kind == KIND_BONUS:
        if not record.level:
            names = "/".join(rule.level_names.get(code, code) for code in rule.level_points)
            problems.append(("level", f"{rule.code} 为加分项目，须选择级别（{names}）"))
        elif record.level not in rule.level_points:
            problems.append(("level", f"未知级别“{record.level}”"))
    elif record.level:
        problems.append(("level", f"{rule.code} 不是加分项目，不能选择级别"))
    if record.exempt and not rule.is_deduction:
        problems.append(("exempt", "只有扣分项目可以免于扣分"))
    if (rule.reason_required or record.exempt) and not (record.reason or "").strip():
        what = "免于扣分" if record.exempt else rule.code
        problems.append(("reason", f"{what}须填写理由"))
    return problems


def target_record_problems(target: TargetInput | None, record: TargetRecordInput) -> list[tuple[str, str]]:
    """Everything wrong with one record on a target item (docs/scoring.md §7), as (field, message in Chinese):
    the target's counterpart of `record_problems`, used by the case parser and the ledger's forms."""
    if target is None:
        return [("target", f"未知目标项目“{record.target}”")]
    problems: list[tuple[str, str]] = []
    if not isinstance(record.not_started, bool):
        problems.append(("not_started", "须为 true 或 false"))
    elif record.not_started:
        if record.points is not None:
            problems.append(("points", "未开展的目标项目按应得分全部扣除，不能再填写扣分"))
    elif record.points is None:
        problems.append(("points", "须填写扣分分值，或注明立项工作没有开展"))
    elif not record.points.is_finite():
        problems.append(("points", "分值须为数字"))
    elif record.points <= ZERO:
        problems.append(("points", "扣分须大于 0"))
    elif record.points != record.points.quantize(CENT):
        problems.append(("points", "分值最多两位小数"))
    if not (record.reason or "").strip():
        problems.append(("reason", "目标项目扣分须填写理由"))
    return problems


def target_problems(scheme: SchemeSpec, target: TargetInput) -> list[tuple[str, str]]:
    """Everything wrong with one target item on its own (docs/scoring.md §7), as (field, message in Chinese):
    its code and name, a category of the scheme that carries points, allotted points above 0 with at most two
    decimals. Whether its department takes part, its code is unique in the year and the department's points sum
    to the full score are the year's to tell (`target_allotment_problems`)."""
    problems: list[tuple[str, str]] = []
    if not target.code.strip():
        problems.append(("code", "须填写目标代码"))
    if not target.name.strip():
        problems.append(("name", "须填写目标项目名称"))
    names = dict(scheme.categories)
    if target.category not in names:
        problems.append(("category", f"未知考核类别“{target.category}”"))
    elif target.category not in scheme.score_categories:
        problems.append(("category", f"类别“{target.category} {names[target.category]}”只有否决项目，不能设立目标项目"))
    points = target.points
    if not points.is_finite():
        problems.append(("points", "应得分须为数字"))
    elif points <= ZERO:
        problems.append(("points", "应得分须大于 0"))
    elif points != points.quantize(CENT):
        problems.append(("points", "应得分最多两位小数"))
    return problems


def target_allotment_problems(
    full_score: Decimal, departments: Iterable[str], targets: Iterable[TargetInput]
) -> list[tuple[str, str]]:
    """What is wrong with a year's allotment of target points (docs/scoring.md §7), as (department, message in
    Chinese), in the order of `departments`: when the year has targets, every department has some, and each
    department's allotted points sum exactly to the scheme's full score. Empty for a year without targets.
    Used by the case parser (which refuses such a case) and by the product, which warns where targets are
    entered and listed."""
    allotted: dict[str, Decimal] = {}
    for target in targets:
        allotted[target.department] = allotted.get(target.department, ZERO) + target.points
    if not allotted:
        return []
    problems = []
    for name in departments:
        total = allotted.get(name)
        if total is None:
            problems.append((name, f"部室“{name}”没有目标项目（设有目标项目的年度，每个部室都须有）"))
        elif total != full_score:
            problems.append(
                (name, f"部室“{name}”各目标项目应得分合计 {_plain(total)}，须等于满分 {_plain(full_score)}")
            )
    return problems


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# ---------------------------------------------------------------------------------------------------------
# Democratic evaluation (docs/scoring.md §4)


def democratic_from_ballots(
    settings: Settings, departments: tuple[str, ...], ballots: tuple[BallotInput, ...]
) -> tuple[dict[str, Decimal | None], tuple[GradeStats, ...]]:
    """Each department's democratic score (rounded) from its counted grades, and the statistics."""
    # Grades are counted first (integers) and summed per department and group (sums of Decimal points times
    # counts are exact), and every mean and score is rounded from an exact quotient of integers
    # (`_round2_ratio`): a province-scale year rates 2,000 departments.
    grade_points = settings.grade_points
    counts: dict[str, dict[str, dict[str, int]]] = {d: defaultdict(lambda: defaultdict(int)) for d in departments}
    for ballot in ballots:
        for dept, grade in ballot.ratings.items():
            if grade is None:
                continue
            if settings.exclude_own_department and ballot.voter_department == dept:
                continue
            counts[dept][ballot.group][grade] += ballot.count

    scores: dict[str, Decimal | None] = {}
    stats = []
    for dept in departments:
        sums = {  # group -> (sum of points, number of grades), groups with grades only
            group: (sum((grade_points[g] * n for g, n in by_grade.items()), ZERO), sum(by_grade.values()))
            for group, by_grade in counts[dept].items()
            if any(by_grade.values())
        }
        if not sums:
            scores[dept] = None
        elif settings.group_weights is None:
            scores[dept] = _round2_quotient(sum((t for t, _ in sums.values()), ZERO), sum(n for _, n in sums.values()))
        else:
            weights = settings.group_weights
            weight_sum = sum((weights[g] for g in sums), ZERO)
            if weight_sum:
                # Σ weight × sum / count over the groups, then ÷ Σ weight: one exact quotient of integers.
                numerator, denominator = 0, 1
                for g, (t, n) in sums.items():
                    a, b = (weights[g] * t).as_integer_ratio()
                    numerator, denominator = numerator * b * n + a * denominator, denominator * b * n
                p, q = weight_sum.as_integer_ratio()
                scores[dept] = _round2_ratio(numerator * q, denominator * p)
            else:
                scores[dept] = None
        stats.append(
            GradeStats(
                name=dept,
                counts={g: dict(c) for g, c in counts[dept].items()},
                group_means={g: _round2_quotient(t, n) for g, (t, n) in sums.items()},
            )
        )
    return scores, tuple(stats)


# ---------------------------------------------------------------------------------------------------------
# The year


@dataclass
class _Dept:
    index: int
    name: str
    headcount: int
    deducted: dict[str, Decimal]  # category -> deductions (positive), counted after the caps are applied
    bonus: dict[str, Decimal]  # category -> bonuses, likewise
    lines: list[Line]
    vetoes: set[str]
    targets: list[TargetResult] = field(default_factory=list)
    capped: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    review: Decimal = ZERO
    democratic: Decimal | None = None
    final: Decimal | None = None
    rank: int | None = None
    award: str = AWARD_NONE
    per_capita: Decimal | None = ZERO
    eligible: bool = False

    @property
    def key(self) -> tuple[Decimal, Decimal, Decimal]:
        # docs/scoring.md §5: final desc, then democratic desc, then review desc (all negated for ascending sort).
        return (-(self.final or ZERO), -(self.democratic or ZERO), -self.review)


def gc_paused(function: Callable[..., _T]) -> Callable[..., _T]:
    """Run `function` with the cyclic garbage collector paused.

    Scoring a province-scale year allocates hundreds of thousands of small acyclic objects (records, lines,
    tuples); the collector's repeated passes over them cost about a third of the time. Reference counting
    still frees them as usual; the collector resumes (if it was on) as soon as the function returns.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> _T:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@gc_paused
def score_year(data: YearInput, *, explain: bool = True) -> YearResult:
    """Score one year: review scores, democratic and final scores, ranking, awards and money.

    With `explain` (the default) every department's result carries its lines, what each record gave it;
    without, `lines` stay empty and everything else is the same (`score_case` prints no lines).
    """
    scheme = data.scheme
    categories = scheme.score_categories
    depts = {
        d.name: _Dept(i, d.name, d.headcount, {c: ZERO for c in categories}, {c: ZERO for c in categories}, [], set())
        for i, d in enumerate(data.departments)
    }

    # §3: points of every record (the hottest loop of a large year: Line built positionally, in field order)
    rules = scheme.rules
    # A large year repeats a few hundred distinct (rule, quantity, points, level, exempt, shared) shapes: one
    # Decimal per shape instead of one per record keeps the result's lines small.
    same_points: dict[tuple[str, int, str | None, str | None, bool, bool], Decimal] = {}
    for record in data.records:
        rule = rules[record.rule]
        names = record.departments
        given = None if record.points is None else str(record.points)  # 1.5 and 1.50 print differently
        shape = (record.rule, record.quantity, given, record.level, record.exempt, len(names) >= 2)
        points = same_points.get(shape)
        if points is None:
            points = same_points[shape] = record_points(rule, record)
        veto, deduction = rule.kind == KIND_VETO, rule.is_deduction
        for name in names:
            dept = depts[name]
            # Deductions and bonuses are summed apart (a category may hold both): each has its own cap.
            if veto:
                dept.vetoes.add(rule.code)
            elif deduction:
                dept.deducted[rule.category] -= points
            else:
                dept.bonus[rule.category] += points
            if explain:
                dept.lines.append(_line(rule, record, points, name))

    # §7: target items, each losing at most its allotted points (扣完为止 per item)
    for target_result, name in _targets_scored(data, explain, depts):
        depts[name].targets.append(target_result)
        depts[name].deducted[target_result.category] += target_result.shortfall

    # §7: category caps, then the review score
    for dept in depts.values():
        for code in categories:
            deducted, bonus = dept.deducted[code], dept.bonus[code]
            counted_deducted = min(deducted, scheme.caps.get(code, deducted))
            counted_bonus = min(bonus, scheme.bonus_caps.get(code, bonus))
            if (counted_deducted, counted_bonus) != (deducted, bonus):
                dept.capped[code] = (deducted, bonus)
            dept.deducted[code], dept.bonus[code] = counted_deducted, counted_bonus
        deductions = sum(dept.deducted.values(), ZERO)
        bonuses = sum(dept.bonus.values(), ZERO)
        dept.review = max(ZERO, scheme.full_score - deductions + bonuses)

    # §4: democratic and final scores
    settings = data.settings
    grade_stats: tuple[GradeStats, ...] = ()
    if data.ballots is not None:
        scores, grade_stats = democratic_from_ballots(settings, tuple(depts), data.ballots)
    elif data.democratic_scores is not None:
        scores = {name: data.democratic_scores.get(name) for name in depts}
        scores = {name: None if s is None else round2(s) for name, s in scores.items()}
    else:
        scores = {}
    for dept in depts.values():
        if not data.holds_democratic_evaluation:
            dept.final = dept.review
        else:
            dept.democratic = scores[dept.name]
            if dept.democratic is not None:
                dept.final = round2(dept.review * settings.review_weight + dept.democratic * settings.democratic_weight)
    incomplete = tuple(d.name for d in depts.values() if d.final is None)

    # §5: ranking
    groups = _ranked_groups([d for d in depts.values() if d.final is not None], data.tie_order)
    position = 0
    for group in groups:
        for dept in group:
            dept.rank = position + 1
        position += len(group)

    # §5: prizes, walking the non-vetoed departments in order
    ties: list[tuple[str, ...]] = []
    if incomplete:
        for dept in depts.values():
            dept.award, dept.per_capita = AWARD_PENDING, None
    else:
        place = 0
        for group in groups:
            candidates = [d for d in group if not d.vetoes]
            tiers = {_tier(settings, place + i + 1) for i in range(len(candidates))}
            place += len(candidates)
            if len(tiers) > 1:
                # The tie straddles a prize boundary: leadership must order it first.
                ties.append(tuple(d.name for d in group))
                award = AWARD_PENDING
            else:
                award = tiers.pop() if tiers else AWARD_NONE
            for dept in candidates:
                dept.award, dept.per_capita = award, _prize_money(settings, award)

    # §5: discretionary awards (八、其余对完成工作任务得分在90分以上的可酌情奖励)
    for dept in depts.values():
        dept.eligible = (
            not incomplete
            and not dept.vetoes
            and dept.award == AWARD_NONE
            and dept.final is not None
            and dept.final >= settings.discretionary_threshold
        )
    for name, amount in data.discretionary_awards.items():
        granted = depts.get(name)
        if granted is None:
            raise ScoringError(f"discretionary_awards.{name}", "未知部室")
        if amount and not granted.eligible:
            raise ScoringError(
                f"discretionary_awards.{name}",
                "该部室不符合酌情奖励条件（须未被否决、未获创先争优奖且最终得分达到分数线）",
            )
        if amount:
            granted.award, granted.per_capita = AWARD_DISCRETIONARY, amount

    ordered = [d for group in groups for d in group] + [depts[n] for n in incomplete]
    results = tuple(_department_result(d) for d in ordered)
    by_name = {r.name: r for r in results}
    return YearResult(
        year=data.year,
        departments=results,
        leaders=_leader_results(data.leaders, by_name),
        ties=tuple(ties),
        incomplete=incomplete,
        categories=tuple((c, scheme.category_name(c)) for c in categories),
        holds_democratic_evaluation=data.holds_democratic_evaluation,
        grade_stats=grade_stats,
        discretionary_eligible_names=tuple(r.name for r in results if r.discretionary_eligible),
        has_targets=bool(data.targets),
    )


def _targets_scored(data: YearInput, explain: bool, depts: Mapping[str, _Dept]) -> Iterable[tuple[TargetResult, str]]:
    """Each target item's result with its department, in the order of the year's targets; with `explain`,
    the lines of the target records go on their departments' breakdowns."""
    if not data.targets:
        return
    by_code = {t.code: t for t in data.targets}
    deducted: dict[str, Decimal] = defaultdict(lambda: ZERO)
    not_started: set[str] = set()
    for record in data.target_records:
        target = by_code[record.target]
        if record.not_started:
            not_started.add(target.code)
        else:
            deducted[target.code] += record.points or ZERO
        if explain:
            depts[target.department].lines.append(target_line(target, record))
    for target in data.targets:
        recorded = deducted[target.code]
        shortfall = target.points if target.code in not_started else min(target.points, recorded)
        yield (
            TargetResult(
                target.code,
                target.name,
                target.category,
                target.points,
                recorded,
                target.code in not_started,
                target.points - shortfall,
            ),
            target.department,
        )


def _ranked_groups(depts: list[_Dept], tie_order: tuple[tuple[str, ...], ...]) -> list[list[_Dept]]:
    """Departments in ranking order as groups sharing a rank; leadership's tie orders split their tie."""
    ordered = sorted(depts, key=lambda d: (d.key, d.index))
    groups: list[list[_Dept]] = []
    for dept in ordered:
        if groups and groups[-1][0].key == dept.key:
            groups[-1].append(dept)
        else:
            groups.append([dept])

    by_members = {frozenset(d.name for d in g): g for g in groups if len(g) > 1}
    seen: set[str] = set()
    resolved: dict[int, list[list[_Dept]]] = {}
    for i, order in enumerate(tie_order):
        place = f"tie_order[{i}]"
        if len(set(order)) != len(order):
            raise ScoringError(place, "同一部室不能重复列出")
        if seen & set(order):
            raise ScoringError(place, "部室已在另一个并列排序中")
        seen |= set(order)
        group = by_members.get(frozenset(order))
        if group is None:
            raise ScoringError(place, f"{'、'.join(order)} 不是一组完整的并列部室")
        by_name = {d.name: d for d in group}
        resolved[id(group)] = [[by_name[name]] for name in order]
    result: list[list[_Dept]] = []
    for group in groups:
        result.extend(resolved.get(id(group), [group]))
    return result


def _tier(settings: Settings, place: int) -> str:
    if place <= settings.first_prize_count:
        return AWARD_FIRST
    if place <= settings.first_prize_count + settings.second_prize_count:
        return AWARD_SECOND
    return AWARD_NONE


def _prize_money(settings: Settings, award: str) -> Decimal | None:
    if award == AWARD_FIRST:
        return settings.first_prize_per_capita
    if award == AWARD_SECOND:
        return settings.second_prize_per_capita
    if award == AWARD_PENDING:
        return None
    return ZERO


def _department_result(dept: _Dept) -> DepartmentResult:
    deductions = sum(dept.deducted.values(), ZERO)
    bonuses = sum(dept.bonus.values(), ZERO)
    per_capita = None if dept.per_capita is None else round2(dept.per_capita)
    return DepartmentResult(
        name=dept.name,
        headcount=dept.headcount,
        deductions=deductions,
        bonuses=bonuses,
        review_score=dept.review,
        democratic_score=dept.democratic,
        final_score=dept.final,
        vetoed=bool(dept.vetoes),
        veto_rules=tuple(sorted(dept.vetoes)),
        rank=dept.rank,
        award=dept.award,
        per_capita=per_capita,
        total=None if per_capita is None else round2(per_capita * dept.headcount),
        discretionary_eligible=dept.eligible,
        by_category={code: dept.bonus[code] - dept.deducted[code] for code in dept.deducted},
        lines=tuple(dept.lines),
        targets=tuple(dept.targets),
        capped=dict(dept.capped),
    )


def _leader_results(
    leaders: tuple[LeaderInput, ...], departments: Mapping[str, DepartmentResult]
) -> tuple[LeaderResult, ...]:
    """八: 副主席考核奖按所分管部室的平均奖核发；主席按副主席的平均奖核发."""
    vice_chairs = []
    for leader in leaders:
        if leader.role != ROLE_VICE_CHAIR:
            continue
        amounts = _all_known(departments[name].per_capita for name in leader.supervises)
        award = None if amounts is None else round2(sum(amounts, ZERO) / len(amounts))
        vice_chairs.append(LeaderResult(leader.name, leader.role, award, leader.supervises))
    chairs = []
    for leader in leaders:
        if leader.role != ROLE_CHAIR:
            continue
        awards = _all_known(v.award for v in vice_chairs)
        award = None if awards is None else round2(sum(awards, ZERO) / len(awards))
        chairs.append(LeaderResult(leader.name, leader.role, award))
    return tuple(vice_chairs + chairs)
