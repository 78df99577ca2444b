"""Once a year is approved, the admin deletes none of its monthly reports, self-assessments or claim evidence:
not from the delete page, not with the bulk delete action, not even as a superuser. Before, it may."""

import pytest
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import Department
from scoring.models import AssessmentYear, Rule
from tests.conftest import year_in_phase
from workplans import services
from workplans.models import ClaimEvidence, MonthlyReport, SelfAssessment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% claim evidence\n%%EOF\n"


@pytest.fixture
def written(self_assessment_year, cast, settings, tmp_path):
    """A monthly report, and a self-assessment with a bonus claim and its evidence, of 组织部 in 2023."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    year = self_assessment_year
    department = Department.objects.get(name="组织部")
    report = services.report_get_or_create(year=year, department=department, month=3)
    assessment = services.self_assessment_get_or_create(year=year, department=department)
    claim = services.bonus_claim_add(
        assessment=assessment,
        rule=Rule.objects.get(scheme=year.scheme, code="B1"),
        level="national",
        title="表彰",
        shared_with=[],
    )
    evidence = services.evidence_add(
        claim=claim, upload=SimpleUploadedFile("表彰决定.pdf", PDF, "application/pdf"), user=cast["head_zzb"]
    )
    return {"monthlyreport": report, "selfassessment": assessment, "claimevidence": evidence}


MODELS = {"monthlyreport": MonthlyReport, "selfassessment": SelfAssessment, "claimevidence": ClaimEvidence}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_admin_cannot_delete_what_belongs_to_an_approved_year(client, cast, written, model):
    year_in_phase(written["selfassessment"].year, AssessmentYear.Phase.APPROVED)
    obj = written[model]
    client.force_login(cast["admin"])

    page = client.post(reverse(f"admin:workplans_{model}_delete", args=[obj.pk]), {"post": "yes"})
    action = client.post(
        reverse(f"admin:workplans_{model}_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"},
    )

    assert (page.status_code, action.status_code) == (403, 403)
    assert MODELS[model].objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", sorted(MODELS))
def test_admin_may_delete_them_while_the_year_is_open(client, cast, written, model):
    obj = written[model]
    client.force_login(cast["admin"])

    response = client.post(reverse(f"admin:workplans_{model}_delete", args=[obj.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not MODELS[model].objects.filter(pk=obj.pk).exists()
