"""Trends over the years (历年对比): each department's review, democratic and final scores, rank, award and
deductions by category in every year that has been scored, and two years side by side. Every number comes from
the one scoring core through `results.cache.year_result`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from results.cache import year_result
from scoring import engine
from scoring.models import AssessmentYear
from scoring.phases import PHASE_ORDER

# A year counts from 评分 on: before it, its records are not all in and its scores mean little.
FIRST_SCORED_PHASE = AssessmentYear.Phase.SCORING
ZERO = Decimal("0")
NO_DEDUCTION = Decimal("0.00")


def scored_years() -> list[AssessmentYear]:
    """The years from 评分 on, oldest first."""
    phases = PHASE_ORDER[PHASE_ORDER.index(FIRST_SCORED_PHASE) :]
    return list(AssessmentYear.objects.filter(phase__in=phases).select_related("scheme").order_by("year"))


@dataclasses.dataclass(frozen=True)
class YearPoint:
    year: AssessmentYear
    result: engine.DepartmentResult | None  # None: the department did not take part that year
    departments: int  # how many departments the year ranked

    def deduction(self, code: str) -> Decimal | None:
        """The department's counted deductions of category `code` (a positive number), None if not there."""
        if self.result is None:
            return None
        value = self.result.by_category.get(code, ZERO)
        return -value if value < 0 else NO_DEDUCTION


@dataclasses.dataclass(frozen=True)
class Trend:
    department: str
    points: tuple[YearPoint, ...]  # one per scored year, oldest first
    categories: tuple[tuple[str, str], ...]  # (code, name) of every year's categories, first year's name

    @property
    def deduction_rows(self) -> list[tuple[str, list[Decimal | None]]]:
        """Each category with the department's deductions a year, in the order of `points`."""
        return [(name, [p.deduction(code) for p in self.points]) for code, name in self.categories]

    @property
    def table(self) -> list[tuple[YearPoint, list[Decimal | None]]]:
        """Each year with its deductions in the order of `categories`."""
        return [(p, [p.deduction(code) for code, _ in self.categories]) for p in self.points]


def _categories(results: Sequence[engine.YearResult]) -> tuple[tuple[str, str], ...]:
    """The categories with a deduction in some year (a category of bonuses only has none)."""
    seen: dict[str, str] = {}
    for result in results:
        for code, name in result.categories:
            seen.setdefault(code, name)
    deducted = {code for r in results for d in r.departments for code, v in d.by_category.items() if v < 0}
    return tuple((code, name) for code, name in seen.items() if code in deducted)


def trends(years: Sequence[AssessmentYear] | None = None) -> list[Trend]:
    """Every department that took part in one of `years` (the scored years by default), in the order of the
    latest year's ranking, then the others by name."""
    years = list(scored_years() if years is None else years)
    results = [year_result(y) for y in years]
    order: list[str] = []
    for result in reversed(results):
        order += [d.name for d in result.departments if d.name not in order]
    categories = _categories(results)
    by_year = [{d.name: d for d in r.departments} for r in results]
    return [
        Trend(
            department=name,
            points=tuple(
                YearPoint(year, ranked.get(name), len(ranked)) for year, ranked in zip(years, by_year, strict=True)
            ),
            categories=categories,
        )
        for name in order
    ]


@dataclasses.dataclass(frozen=True)
class Compared:
    department: str
    first: engine.DepartmentResult | None
    second: engine.DepartmentResult | None

    @property
    def pair(self) -> tuple[engine.DepartmentResult | None, engine.DepartmentResult | None]:
        return (self.first, self.second)

    @property
    def change(self) -> Decimal | None:
        """The final score's change from the first year to the second."""
        if self.first is None or self.second is None:
            return None
        if self.first.final_score is None or self.second.final_score is None:
            return None
        return self.second.final_score - self.first.final_score

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) from the first year to the second."""
        if self.first is None or self.second is None or self.first.rank is None or self.second.rank is None:
            return None
        return self.first.rank - self.second.rank


def compare(first: AssessmentYear, second: AssessmentYear) -> list[Compared]:
    """Two years side by side: the second year's departments in its ranking order, then those only in the first."""
    a, b = year_result(first), year_result(second)
    in_a = {d.name: d for d in a.departments}
    rows = [Compared(d.name, in_a.get(d.name), d) for d in b.departments]
    seen = {d.name for d in b.departments}
    rows += [Compared(d.name, d, None) for d in a.departments if d.name not in seen]
    return rows
