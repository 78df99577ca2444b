"""Tie orders and discretionary awards are made on the approval screen (phase, leader and core checks); the
admin only shows them, in every phase, even to a superuser. Democratic scores entered in the admin follow the
phase."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department
from results.cache import year_result
from scoring.models import AssessmentYear, DemocraticScore, DiscretionaryAward, TieOrder
from tests.conftest import year_in_phase
from workflow import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(demo_year, cast):
    """The demo year in 公示 with one discretionary award granted through the approval service."""
    year_in_phase(demo_year, AssessmentYear.Phase.PUBLICITY)
    eligible = year_result(demo_year).discretionary_eligible_names
    assert eligible, "the demo year has a department eligible for a discretionary award"
    department = Department.objects.get(name=eligible[0])
    award = services.discretionary_award_grant(demo_year, department, "300", "表现突出", cast["leader_wang"])
    return demo_year, award


@pytest.mark.parametrize("model", ["discretionaryaward", "tieorder", "tieorderentry"])
def test_admin_cannot_add_decisions(client, cast, decided, model):
    client.force_login(cast["admin"])

    assert client.get(reverse(f"admin:scoring_{model}_add")).status_code == 403


def test_admin_shows_an_award_but_cannot_change_or_delete_it(client, cast, decided):
    year, award = decided
    client.force_login(cast["admin"])
    change = reverse("admin:scoring_discretionaryaward_change", args=[award.pk])

    page = client.get(change)
    posted = client.post(change, {"year": year.pk, "department": award.department_id, "amount": "9999", "reason": "x"})
    deleted = client.post(reverse("admin:scoring_discretionaryaward_delete", args=[award.pk]), {"post": "yes"})

    assert page.status_code == 200 and "9999" not in page.content.decode()
    assert posted.status_code == 403
    assert deleted.status_code == 403
    award.refresh_from_db()
    assert str(award.amount) == "300.00"
    assert DiscretionaryAward.objects.filter(year=year).count() == 1
    assert not TieOrder.objects.filter(year=year).exists()


@pytest.mark.parametrize(
    ("phase", "status"),
    [
        (AssessmentYear.Phase.RUNNING, 403),
        (AssessmentYear.Phase.SCORING, 302),
        (AssessmentYear.Phase.DEMOCRATIC, 302),
        (AssessmentYear.Phase.PUBLICITY, 403),
    ],
)
def test_admin_democratic_score_follows_the_phase(client, cast, demo_year, phase, status):
    year_in_phase(demo_year, phase)
    score = DemocraticScore.objects.filter(year=demo_year).select_related("department").first()
    client.force_login(cast["admin"])

    response = client.post(
        reverse("admin:scoring_democraticscore_change", args=[score.pk]),
        {"year": demo_year.pk, "department": score.department_id, "score": "66.00"},
    )

    assert response.status_code == status
    score.refresh_from_db()
    assert (score.score == Decimal("66.00")) == (status == 302)
