"""Load a year from the database into the scoring core's input, in a fixed number of queries.

Pages score through `results.cache` (cached per data version, records summed by the database, one
department's lines read when shown); exports and approval score `year_input` with the core, every record read
afresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Case, F, Min, QuerySet, Sum, When

from ballots.selectors import ballots_for_scoring
from departments.models import Department
from reviews.models import LedgerRecord, RecordDepartment, TargetRecord
from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, TieOrderEntry


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
def year_input(year: int | AssessmentYear, *, merged: bool = False) -> engine.YearInput:
    """The core's input for a year: confirmed records only (pending ones await the review lead).

    With `merged`, the records whose points do not depend on how many departments share them (those of every
    rule but the bonuses halved when shared) come summed by the database: one input per department, rule,
    points, level and exemption, whose quantity is the sum of theirs, with no key and no reason; the halved
    bonuses stay one input per record. Everything `score_year` computes is a sum of points linear in quantity,
    so the result is the same, but its lines would not name the records: score a merged input with
    `explain=False`, and read one department's lines with `department_records`. A province-scale year's
    210,000 links become about 66,000 inputs.

    Queries: year, categories, rules, bonus levels, departments, leaders, supervisions, record links, target
    items, target records, democratic scores, discretionary awards, tie orders — thirteen, whatever the size of
    the year.
    """

    year = year_get(year)
    scheme = spec_from_db(year.scheme)
    entries = list(
        year.year_departments.order_by("order", "id").values_list("department_id", "department__name", "headcount")
    )
    departments = tuple(engine.DepartmentInput(name, headcount) for _, name, headcount in entries)
    # Only the supervision of the year's departments counts (the admin refuses any other, but a department may
    # leave the year after); a vice chair who supervises none of them has no award to average, and is left out.
    taking_part = {pk for pk, _, _ in entries}
    supervised: dict[int, list[str]] = defaultdict(list)
    for leader_id, department_id, name in year.supervisions.order_by("department__order", "department_id").values_list(
        "leader_id", "department_id", "department__name"
    ):
        if department_id in taking_part:
            supervised[leader_id].append(name)
    leaders = tuple(
        engine.LeaderInput(name, role, tuple(supervised[leader_id]) if role == engine.ROLE_VICE_CHAIR else ())
        for leader_id, name, role in year.year_leaders.order_by("order", "id").values_list(
            "leader_id", "leader__name", "leader__role"
        )
        if role != engine.ROLE_VICE_CHAIR or supervised[leader_id]
    )
    # 主席按副主席的平均奖核发: with no vice chair to average (none entered yet, or none supervising), the chair has
    # no award either, and is left out the same way.
    if not any(leader.role == engine.ROLE_VICE_CHAIR for leader in leaders):
        leaders = tuple(leader for leader in leaders if leader.role != engine.ROLE_CHAIR)

    names = _DepartmentNames({pk: name for pk, name, _ in entries})
    links = _confirmed_links(year=year)
    record_inputs = _records_summed(links, names) if merged else _records_read(links, names)
    # The year's targets as the core can score them: those of its departments, in its scheme's categories that
    # carry points. The admin keeps the others out, but a department may leave the year, or the year change its
    # scheme, after its targets were entered; the target pages warn about them, as about an allotment that does
    # not sum to the full score (which the core scores as it stands).
    scored_categories = set(scheme.score_categories)
    targets = tuple(
        engine.TargetInput(code, department, category, name, points)
        for code, department, category, name, points in year.targets.filter(
            department_id__in=taking_part, category__scheme_id=year.scheme_id
        )
        .order_by("order", "id")
        .values_list("code", "department__name", "category__code", "name", "points")
        if category in scored_categories
    )
    target_codes = {target.code for target in targets}
    target_records = tuple(
        engine.TargetRecordInput(code, points, not_started, reason, pk)
        for pk, code, points, not_started, reason in TargetRecord.objects.filter(year=year, target__year=year)
        .order_by("date", "id")
        .values_list("id", "target__code", "points", "not_started", "reason")
        if code in target_codes
    )

    democratic_scores = None
    ballots = None
    if year.democratic_source == AssessmentYear.DemocraticSource.SCORES:
        democratic_scores = dict(year.democratic_scores.values_list("department__name", "score"))
    elif year.democratic_source == AssessmentYear.DemocraticSource.BALLOTS:
        ballots = ballots_for_scoring(year=year)

    awards = dict(year.discretionary_awards.values_list("department__name", "amount"))
    tie_groups: dict[int, list[str]] = defaultdict(list)
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
        targets=targets,
        target_records=target_records,
    )


class _DepartmentNames(dict[int, str]):
    """Department names by id, from the year's departments; a link to any other department (which the ledger's
    checks do not let in) is looked up on its own."""

    def __missing__(self, pk: int) -> str:
        name = self[pk] = Department.objects.values_list("name", flat=True).get(pk=pk)
        return name


def _confirmed_links(**filters: object) -> QuerySet[RecordDepartment]:
    """The record links that count (their record is confirmed), filtered by `filters`."""
    return RecordDepartment.objects.filter(record__status=LedgerRecord.Status.CONFIRMED, **filters)


_V = TypeVar("_V")


class _Values:
    """Each distinct value of a read once: a large year repeats a few hundred rule codes, levels and points
    over hundreds of thousands of rows, and the inputs then share them."""

    def __init__(self) -> None:
        self.places = Decimal(1).scaleb(-LedgerRecord._meta.get_field("points").decimal_places)
        self.seen: dict[Any, Any] = {}

    def same(self, value: _V) -> _V:
        kept: _V = self.seen.setdefault(value, value)
        return kept

    def record(
        self,
        rule: str,
        departments: tuple[str, ...],
        quantity: int,
        points: Decimal | float | None,
        level: str | None,
        exempt: bool | int,
        reason: str = "",
        key: int | None = None,
    ) -> engine.RecordInput:
        """A RecordInput from one row's values as the database gave them."""
        return engine.RecordInput(  # positionally, in field order
            self.same(rule),
            departments,
            quantity,
            self.points(points),
            self.same(level) if level else None,
            bool(exempt),
            reason,
            key,
        )

    def points(self, value: Decimal | float | None) -> Decimal | None:
        # What Django's DecimalField converter gives: SQLite hands back a float, PostgreSQL a Decimal.
        if value is None or isinstance(value, Decimal):
            return value
        known: Decimal | None = self.seen.get(("points", value))
        if known is None:
            known = self.seen[("points", value)] = Decimal(repr(value)).quantize(self.places)
        return known


def _records_read(
    links: QuerySet[RecordDepartment], department_names: Mapping[int, str] | None, *, streamed: bool = True
) -> list[engine.RecordInput]:
    """One RecordInput per record of the record links `links`, read in one query.

    A province-scale year has hundreds of thousands of links: they are read through a plain cursor (`streamed`:
    server-side on PostgreSQL; a department's hundred links need no such round trips) without Django's
    per-value converters, folded record by record (they come ordered by record), and every repeated value is
    kept once (`_Values`). Departments come as ids and are named from
    `department_names` (the year's departments, read already): one join less for the database and no name
    string per link; without it, the names come with the links.
    """
    by_id = department_names is not None
    rows_of = links.order_by("record_id", "id").values_list(
        "record_id",
        "department_id" if by_id else "department__name",
        "rule__code",
        "record__quantity",
        "record__points",
        "record__level",
        "record__exempt",
        "record__reason",
    )
    sql, params = rows_of.query.sql_with_params()
    values = _Values()
    records: list[engine.RecordInput] = []
    current: tuple[Any, ...] | None = None
    departments_of: list[Any] = []

    def fold(row: tuple[Any, ...], departments: list[Any]) -> engine.RecordInput:
        record_id, _, rule, quantity, points, level, exempt, reason = row
        named = tuple([department_names[pk] for pk in departments] if department_names is not None else departments)
        return values.record(rule, named, quantity, points, level, exempt, reason, record_id)

    connection = connections[rows_of.db]
    with connection.chunked_cursor() if streamed else connection.cursor() as cursor:
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


def _records_summed(links: QuerySet[RecordDepartment], department_names: Mapping[int, str]) -> list[engine.RecordInput]:
    """The record links `links` summed by the database (see `year_input(merged=True)`), in one query.

    Links of the rules whose points do not depend on sharing are grouped by department, rule, points, level and
    exemption: one single-department input per group, whose quantity is the group's total. Links of the bonuses
    halved when shared are grouped by record as well, and folded back into one input per record with its
    departments in the order they were linked.
    """
    group_by = ("department_id", "rule__code", "record__points", "record__level", "record__exempt", "halved_record")
    groups = (
        links.annotate(halved_record=Case(When(rule__halve_when_shared=True, then=F("record_id"))))
        .values_list(*group_by)
        .annotate(quantity=Sum("record__quantity"), first_link=Min("id"))
        .order_by(*group_by)
    )
    sql, params = groups.query.sql_with_params()
    # A plain cursor: for a server-side one PostgreSQL plans to return the first rows fast, four times slower here.
    with connections[groups.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    values = _Values()
    records = []
    halved: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for department_id, rule, points, level, exempt, record_id, quantity, first_link in rows:
        if record_id is not None:
            halved[record_id].append((first_link, department_id, rule, quantity, points, level, exempt))
            continue
        records.append(values.record(rule, (department_names[department_id],), quantity, points, level, exempt))
    for record_id in sorted(halved):
        links_of = sorted(halved[record_id])
        _, _, rule, quantity, points, level, exempt = links_of[0]
        departments = tuple([department_names[department_id] for _, department_id, *_ in links_of])
        records.append(values.record(rule, departments, quantity, points, level, exempt, key=record_id))
    return records


def department_records(year: AssessmentYear | int, department_id: int) -> list[engine.RecordInput]:
    """The year's confirmed records that name the department, each with all its departments, in the order
    `year_input` gives them: what `engine.department_lines` needs to explain the department (one query,
    whatever the size of the year)."""
    own = RecordDepartment.objects.filter(year=year, department_id=department_id).values("record_id")
    # Not filtered by year again: the records are the year's already, and SQLite would then walk every link of
    # the year (its year index) instead of looking up these records' links (1 ms instead of 32 at 200,000).
    return _records_read(_confirmed_links(record_id__in=own), None, streamed=False)
