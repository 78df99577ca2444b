"""The scored years of this process: each read and scored once per data version, for the pages.

`year_scored(year)` is the year's merged input and its result without lines; `explained(department)` reads one
department's records and builds its lines. The key is the year's `data_version`, which every write to what
`results.loader.year_input` reads replaces (`results.revisions`).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace

from django.conf import settings

from departments.models import Department
from results.loader import department_records, year_input
from scoring import engine
from scoring.models import AssessmentYear


@dataclass(frozen=True)
class ScoredYear:
    """A year as the core saw it and its result (both immutable: share them, never change them).

    Scored to rank it: `input` is merged (`year_input(merged=True)`) and `result` has no lines;
    `explained` gives one department's result with its lines.
    """

    input: engine.YearInput
    result: engine.YearResult
    year_id: int

    def explained(self, department: Department) -> engine.DepartmentResult:
        """The department's result with its lines, what each of its records gave it, read now from its own
        records (`KeyError` if the department is not in the year)."""
        result = self.result.department(department.name)
        records = department_records(self.year_id, department.pk)
        return replace(result, lines=engine.department_lines(self.input.scheme, department.name, records))


def year_scored_afresh(year: AssessmentYear) -> ScoredYear:
    """Read and score the year as `year_scored` keeps it, without the cache: what a page pays once per data
    version (`make bench` measures it against its floor)."""
    data = year_input(year, merged=True)
    return ScoredYear(data, engine.score_year(data, explain=False), year.pk)


class StaleScoreError(AssertionError):
    """A cached score differs from a fresh one: some write did not mark its year (results/revisions.py)."""


_scored: OrderedDict[tuple[int, uuid.UUID], ScoredYear] = OrderedDict()
_scored_lock = threading.Lock()


def year_scored(year: int | AssessmentYear) -> ScoredYear:
    """The year's input and result, scored once per data version and kept in this process's memory.

    A 200,000-record year takes seconds to load and score; its pages ask for it on every request. The key is
    the year's `data_version`, read afresh here (one query), which every write to the year's data replaces
    (results/revisions.py). The last `KAOHE_SCORING_CACHE_SIZE` years are kept (0 turns the cache off).
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
    scored = year_scored_afresh(fresh)
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
    # Against the year read and scored record by record: a stale entry and a wrong merge both show.
    data = year_input(year)
    if replace(data, records=()) != replace(cached.input, records=()) or (
        engine.score_year(data, explain=False) != cached.result
    ):
        raise StaleScoreError(f"{year.year}年度的缓存评分已过期：某处写入未调用 results.revisions.year_data_changed")


def year_scoring_cache_clear() -> None:
    with _scored_lock:
        _scored.clear()


def year_result(year: int | AssessmentYear) -> engine.YearResult:
    """Score a year from the database with the one scoring core (cached per data version, see `year_scored`).
    Without lines: `year_scored(year).explained(department)` gives one department's."""
    return year_scored(year).result
