"""The county federation's worked case (tests/data/cases/07-county-targets.json, docs/scoring.md §7) imported as a
year: 2011 on the inline scheme county-2011, with target items, a capped category J (cap 10) and a capped bonus
category B (bonus cap 5). Its figures, from the case's expected output:

- 办公室: BGS-1 40 → 35, BGS-2 35 → 0 (records 20 + 20, 扣完为止), BGS-3 25 → 25; J −6, B +3; review 57.00.
- 组织部: ZZB-1 60 → 60, ZZB-2 40 → 0 (not started); J records 11, counted 10; review 50.00.
- 宣传部: XCB-1 50 → 47.50, XCB-2 50 → 50; B records 8, counted 5; review 102.50.
"""

import copy
from decimal import Decimal
from pathlib import Path

from departments.models import Department, Role
from results.exchange import year_import
from scoring.cases import loads
from scoring.models import AssessmentYear
from tests.factories import UserFactory

CASE = Path(__file__).resolve().parent / "data" / "cases" / "07-county-targets.json"


def county_document(full_score: str | None = None) -> dict:
    """The case; with `full_score`, on a scheme of that full score whose last target of each department takes
    the difference (so each department's targets still sum to it)."""
    doc = loads(CASE.read_bytes())
    if full_score is None:
        return doc
    doc = copy.deepcopy(doc)
    doc["scheme"]["full_score"] = full_score
    doc["scheme"]["code"] = f"county-2011-{full_score}"
    extra = Decimal(full_score) - 100
    last = {t["department"]: t for t in doc["targets"]}
    for target in last.values():
        target["points"] = str(Decimal(target["points"]) + extra)
    return doc


def county_year(full_score: str | None = None) -> AssessmentYear:
    return year_import(county_document(full_score))


def county_head(name: str):
    """A head of the county year's department `name`."""
    department = Department.objects.get(name=name)
    return UserFactory(username=f"head-{department.pk}", role=Role.DEPARTMENT_HEAD, role__department=department)


def county_leadership():
    return UserFactory(username="county-leadership", role=Role.LEADERSHIP)
