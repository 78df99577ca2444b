"""What the tests of monthly work and the self-assessment share: a submitted report, a self-assessment with a
bonus claim, the demo departments by name."""

import datetime
from decimal import Decimal

import pytest

from departments.models import Department
from scoring.models import Rule
from workplans import services
from workplans.models import PlanItem


@pytest.fixture
def depts(demo_year):
    return {d.name: d for d in Department.objects.all()}


def submitted_report(year, department, user, month=6, outcome=PlanItem.Outcome.NOT_DONE, cause=PlanItem.Cause.OWN):
    """The department's report of `month` submitted with one item planned the month before, its outcome given."""
    may = services.report_get_or_create(year=year, department=department, month=month - 1)
    services.report_save(
        report=may,
        summary_text="",
        plan_text="",
        plan_items=[services.PlanItemData("职工书屋验收", "", datetime.date(2023, month, 20))],
        outcomes={},
        submit=False,
        user=user,
    )
    report = services.report_get_or_create(year=year, department=department, month=month)
    items = services.summary_items(report)
    services.report_save(
        report=report,
        summary_text="小结",
        plan_text="",
        plan_items=[],
        outcomes={i.pk: services.OutcomeData(outcome, cause, "") for i in items},
        submit=True,
        user=user,
    )
    return report, items


def self_assessment_with_claim(year, department):
    """A draft self-assessment declaring one T3 and claiming one municipal B3."""
    rules = {r.code: r for r in Rule.objects.filter(scheme=year.scheme)}
    assessment = services.self_assessment_get_or_create(year=year, department=department)
    services.self_assessment_save(
        assessment=assessment,
        summary="总结",
        declarations=[services.DeclarationData(rules["T3"], 1, 0, Decimal("1"), "延迟")],
        submit=False,
        user=None,
    )
    services.bonus_claim_add(assessment=assessment, rule=rules["B3"], level="municipal", title="创新奖", shared_with=[])
