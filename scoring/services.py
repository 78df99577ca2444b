"""Load a year from the database into the scoring core, in a fixed number of queries, and score it.

Every page, export and command that shows a score calls `year_result` / `year_scored` (pages: cached per
data version) or `year_input` + the core (exports, approval: always read afresh).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connections

from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear


def _settings(year: AssessmentYear) -> engine.Settings:
    weights = year.group_weights or None
    return engine.Settings(
        review_weight=year.review_weight,
        democratic_weight=year.democratic_weight,
        first_prize_count=year.first_prize_count,
        first_prize_per_capita=year.first_prize_per_capita,
        second_prize_count=year.second_prize_count,
        second_prize_per_capita=year.second_prize_per_capita,
        discretionary_threshold=year.discretionary_threshold,
        grade_points={g: Decimal(str(p)) for g, p in year.grade_points.items()},
        group_weights=None if weights is None else {g: Decimal(str(w)) for g, w in weights.items()},
        exclude_own_department=year.exclude_own_department,
    )


def year_get(year: int | AssessmentYear) -> AssessmentYear:
    if isinstance(year, AssessmentYear):
        return year
    return AssessmentYear.objects.select_related("scheme").get(year=year)


@engine.gc_paused
def year_input(year: int | AssessmentYear) -> engine.YearInput:
    """The core's input for a year: confirmed records only (pending ones await the review lead).

    Queries: year, rules, departments, leaders, supervisions, record links, democratic scores,
    discretionary awards, tie orders — nine, whatever the size of the year.
    """

    year = year_get(year)
    scheme = spec_from_db(year.scheme)
    entries = list(
        year.year_departments.order_by("order", "id").values_list("department_id", "department__name", "headcount")
    )
    departments = tuple(engine.DepartmentInput(name, headcount) for _, name, headcount in entries)
    supervised: dict[int, list[str]] = defaultdict(list)
    for leader_id, name in year.supervisions.order_by("department__order", "department_id").values_list(
        "leader_id", "department__name"
    ):
        supervised[leader_id].append(name)
    leaders = tuple(
        engine.LeaderInput(name, role, tuple(supervised[leader_id]) if role == engine.ROLE_VICE_CHAIR else ())
        for leader_id, name, role in year.year_leaders.order_by("order", "id").values_list(
            "leader_id", "leader__name", "leader__role"
        )
    )

    record_inputs = _records_read(year, {pk: name for pk, name, _ in entries})

    democratic_scores = None
    ballots = None
    if year.democratic_source == AssessmentYear.DemocraticSource.SCORES:
        democratic_scores = dict(year.democratic_scores.values_list("department__name", "score"))
    elif year.democratic_source == AssessmentYear.DemocraticSource.BALLOTS:
        ballots = year_ballots(year)

    awards = dict(year.discretionary_awards.values_list("department__name", "amount"))
    tie_groups: dict[int, list[str]] = defaultdict(list)
    from scoring.models import TieOrderEntry

    for tie_id, name in (
        TieOrderEntry.objects.filter(tie_order__year=year)
        .order_by("tie_order_id", "position")
        .values_list("tie_order_id", "department__name")
    ):
        tie_groups[tie_id].append(name)

    return engine.YearInput(
        year=year.year,
        scheme=scheme,
        departments=departments,
        settings=_settings(year),
        leaders=leaders,
        records=tuple(record_inputs),
        democratic_scores=democratic_scores,
        ballots=ballots,
        discretionary_awards=awards,
        tie_order=tuple(tuple(g) for g in tie_groups.values()),
    )


class _DepartmentNames(dict):
    """Department names by id, from the year's departments; a link to any other department (which the ledger's
    checks do not let in) is looked up on its own."""

    def __missing__(self, pk: int) -> str:
        from departments.models import Department

        name = self[pk] = Department.objects.values_list("name", flat=True).get(pk=pk)
        return name


def _records_read(year: AssessmentYear, department_names: dict[int, str]) -> list[engine.RecordInput]:
    """The year's confirmed records, one RecordInput each, from the record links in one streamed query.

    A province-scale year has hundreds of thousands of links: they are read through a plain (server-side on
    PostgreSQL) cursor without Django's per-value converters, folded record by record (they come ordered by
    record), and every repeated value (department and rule names, points) is kept once. Departments come as
    ids and are named from `department_names` (the year's departments, read already): one join less for the
    database and no name string per link.
    """
    from reviews.models import LedgerRecord, RecordDepartment

    links = (
        RecordDepartment.objects.filter(year=year, record__status=LedgerRecord.Status.CONFIRMED)
        .order_by("record_id", "id")
        .values_list(
            "record_id",
            "department_id",
            "rule__code",
            "record__quantity",
            "record__points",
            "record__level",
            "record__exempt",
            "record__reason",
        )
    )
    sql, params = links.query.sql_with_params()
    places = Decimal(1).scaleb(-LedgerRecord._meta.get_field("points").decimal_places)
    canonical: dict = {}
    names = _DepartmentNames(department_names)

    def points_of(value) -> Decimal | None:
        # What Django's DecimalField converter gives: SQLite hands back a float, PostgreSQL a Decimal.
        if value is None or isinstance(value, Decimal):
            return value
        known = canonical.get(("points", value))
        if known is None:
            known = canonical[("points", value)] = Decimal(repr(value)).quantize(places)
        return known

    records: list[engine.RecordInput] = []
    current = None
    departments_of: list[int] = []

    def fold(row: tuple, departments: list[int]) -> engine.RecordInput:
        record_id, _, rule, quantity, points, level, exempt, reason = row
        return engine.RecordInput(  # positionally: rule, departments, quantity, points, level, exempt, reason, key
            canonical.setdefault(rule, rule),
            tuple([names[pk] for pk in departments]),
            quantity,
            points_of(points),
            canonical.setdefault(level, level) if level else None,
            bool(exempt),
            reason,
            record_id,
        )

    with connections[links.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                if current is not None and current[0] != row[0]:
                    records.append(fold(current, departments_of))
                    departments_of = []
                current = row
                departments_of.append(row[1])
    if current is not None:
        records.append(fold(current, departments_of))
    return records


def year_ballots(year: AssessmentYear) -> tuple[engine.BallotInput, ...]:
    """The counted ballots of a year, for the core. Filled in by the democratic-evaluation app."""
    try:
        from ballots.services import ballots_for_scoring
    except ImportError:
        return ()
    return ballots_for_scoring(year=year)


@dataclass(frozen=True)
class ScoredYear:
    """A year as the core saw it and its result (both immutable: share them, never change them)."""

    input: engine.YearInput
    result: engine.YearResult


class StaleScoreError(AssertionError):
    """A cached score differs from a fresh one: some write did not mark its year (scoring/revisions.py)."""


_scored: OrderedDict[tuple, ScoredYear] = OrderedDict()
_scored_lock = threading.Lock()


def year_scored(year: int | AssessmentYear) -> ScoredYear:
    """The year's input and result, scored once per data version and kept in this process's memory.

    A 200,000-record year takes seconds to load and score; its pages ask for it on every request. The key is
    the year's `data_version`, read afresh here (one query), which every write to the year's data replaces
    (scoring/revisions.py). The last `KAOHE_SCORING_CACHE_SIZE` years are kept (0 turns the cache off).
    """
    # The year row is read afresh: its data version, and its settings (part of the input), of which the
    # caller's copy may be older.
    years = AssessmentYear.objects.select_related("scheme")
    fresh = years.get(pk=year.pk) if isinstance(year, AssessmentYear) else years.get(year=year)
    pk = fresh.pk
    key = (pk, fresh.data_version)
    with _scored_lock:
        cached = _scored.get(key)
        if cached is not None:
            _scored.move_to_end(key)
    if cached is not None:
        if settings.KAOHE_SCORING_CACHE_CHECK:
            _check_fresh(cached, fresh)
        return cached
    data = year_input(fresh)
    scored = ScoredYear(data, engine.score_year(data))
    size = settings.KAOHE_SCORING_CACHE_SIZE
    if size > 0:
        with _scored_lock:
            # One entry per year: an older version of it is stale for good.
            for old in [k for k in _scored if k[0] == pk]:
                del _scored[old]
            _scored[key] = scored
            while len(_scored) > size:
                _scored.popitem(last=False)
    return scored


def _check_fresh(cached: ScoredYear, year: AssessmentYear) -> None:
    data = year_input(year)
    if data != cached.input or engine.score_year(data) != cached.result:
        raise StaleScoreError(f"{year.year}年度的缓存评分已过期：某处写入未调用 scoring.revisions.year_data_changed")


def year_scoring_cache_clear() -> None:
    with _scored_lock:
        _scored.clear()


def year_result(year: int | AssessmentYear) -> engine.YearResult:
    """Score a year from the database with the one scoring core (cached per data version, see `year_scored`)."""
    return year_scored(year).result
