import datetime

import pytest

from departments.models import Department
from scoring.models import Rule


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def rules(demo_year):
    return {r.code: r for r in Rule.objects.filter(scheme=demo_year.scheme)}


@pytest.fixture
def depts(demo_year):
    return {d.name: d for d in Department.objects.all()}


def add_post(year, rule, departments, **extra):
    """The admin add form's POST data for a record."""
    data = {
        "year": str(year.pk),
        "rule": str(rule.pk),
        "target_departments": [str(d.pk) for d in departments],
        "date": datetime.date(year.year, 5, 10).isoformat(),
        "quantity": "1",
        "level": "",
        "points": "",
        "reason": "",
        "description": "",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data
