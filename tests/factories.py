"""Factories for new tests (factory_boy): a small year built in a few lines, instead of the whole demo year.

    year = YearFactory(departments=["办公室", "组织部"])
    head = UserFactory(role=Role.DEPARTMENT_HEAD, role__department=year.year_departments.first().department)
    record = LedgerRecordFactory(year=year, rule="G2", departments=["组织部"])

The year's scheme is the shipped district scheme (fixtures/schemes), loaded once per test database. Records go
through `reviews.services.ledger_record_create`, so a factory-made record obeys every rule a real one does.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from departments.models import Department, Leader, Membership
from reviews.services import ledger_record_create
from scoring.catalogue import catalogue_load
from scoring.models import AssessmentYear, Scheme, Supervision, YearDepartment

DISTRICT_SCHEME = "district-2023"


def district_scheme() -> Scheme:
    """The shipped district scheme, loaded into the test database if it is not there yet."""
    catalogue_load()
    return Scheme.objects.get(code=DISTRICT_SCHEME)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试部{n + 1}")
    order = factory.Sequence(lambda n: n + 1)


class UserFactory(DjangoModelFactory):
    """A user; with `role` (and `department` for a head or a reviewer) also the Membership that gives it."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n + 1}")
    first_name = factory.Sequence(lambda n: f"用户{n + 1}")
    password = factory.django.Password("kaohe-test-password")

    @factory.post_generation
    def role(user, create, role, department=None, **kwargs):
        if role and create:
            Membership.objects.create(user=user, role=role, department=department)


class LeaderFactory(DjangoModelFactory):
    class Meta:
        model = Leader

    name = factory.Sequence(lambda n: f"副主席{n + 1}")
    role = Leader.Role.VICE_CHAIR
    order = factory.Sequence(lambda n: n + 1)


class YearFactory(DjangoModelFactory):
    """A year of the district scheme in 进行中, with `departments` (names, or Department objects) taking part,
    each with `departments__headcount` people (10 unless given)."""

    class Meta:
        model = AssessmentYear
        django_get_or_create = ("year",)
        skip_postgeneration_save = True

    year = factory.Sequence(lambda n: 2100 + n)
    scheme = factory.LazyFunction(district_scheme)
    phase = AssessmentYear.Phase.RUNNING

    @factory.post_generation
    def departments(year, create, departments, headcount=10, **kwargs):
        for order, department in enumerate(departments or (), start=1):
            if isinstance(department, str):
                department = DepartmentFactory(name=department)
            YearDepartment.objects.create(year=year, department=department, headcount=headcount, order=order)


def supervision(year: AssessmentYear, leader: Leader, *names: str) -> None:
    """`leader` supervises the departments `names` in `year`."""
    for name in names:
        Supervision.objects.create(year=year, leader=leader, department=Department.objects.get(name=name))


class LedgerRecordFactory(factory.Factory):
    """A ledger record written by the ledger's own service: `rule` is a rule code of the year's scheme and
    `departments` department names (or objects) of the year."""

    class Meta:
        model = dict  # built by _create below, through ledger_record_create

    year = factory.SubFactory(YearFactory)
    rule = "G2"
    departments = ()
    date = datetime.date(2100, 3, 1)
    quantity = 1
    points = None
    level = ""
    exempt = False
    reason = ""
    description = ""
    recorded_by = None

    @classmethod
    def _create(cls, model_class, *, year, rule, departments, points, **values):
        rule_obj = year.scheme.rules.get(code=rule)
        named = [d if isinstance(d, Department) else Department.objects.get(name=d) for d in departments]
        return ledger_record_create(
            year=year,
            rule=rule_obj,
            departments=named,
            points=None if points is None else Decimal(points),
            **values,
        )
