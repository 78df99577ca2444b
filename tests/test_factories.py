"""The factories build a year the scoring core scores like any other."""

from decimal import Decimal

import pytest

from departments.models import Membership, Role
from results.loader import year_input
from scoring import engine
from tests.factories import LeaderFactory, LedgerRecordFactory, UserFactory, YearFactory, supervision

pytestmark = pytest.mark.django_db


def test_a_factory_year_scores_its_records():
    year = YearFactory(year=2101, departments=["甲部", "乙部"], departments__headcount=4)
    LedgerRecordFactory(year=year, rule="S2", departments=["甲部"], quantity=3)
    LedgerRecordFactory(year=year, rule="B1", departments=["甲部", "乙部"], level="municipal")

    result = engine.score_year(year_input(year))

    review = {d.name: d.review_score for d in result.departments}
    # S2: 0.5 points × 3 deducted; B1 at 市总 level is 5 points, halved when two departments share it.
    assert review == {"甲部": Decimal("101.00"), "乙部": Decimal("102.50")}


def test_user_factory_gives_the_role_asked_for():
    year = YearFactory(year=2102, departments=["甲部"])
    head = UserFactory(role=Role.DEPARTMENT_HEAD, role__department=year.year_departments.get().department)
    vice_chair = LeaderFactory(name="王副主席")
    supervision(year, vice_chair, "甲部")

    membership = Membership.objects.get(user=head)
    assert (membership.role, membership.department.name) == (Role.DEPARTMENT_HEAD, "甲部")
    assert list(year.supervisions.values_list("leader__name", "department__name")) == [("王副主席", "甲部")]
