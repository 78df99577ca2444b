"""workplans 0002–0003: claim evidence from EVIDENCE_ROOT/self-assessment/<name> into the shared layout."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import Department
from scoring.models import Rule
from workplans import services
from workplans.models import ClaimEvidence

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STORED = "fedcba9876543210fedcba9876543210.pdf"
BEFORE = ("workplans", "0001_initial")
AFTER = ("workplans", "0003_claimevidence_file_layout")


@pytest.fixture
def claim(self_assessment_year):
    office = Department.objects.get(name="办公室")
    assessment = services.self_assessment_get_or_create(year=self_assessment_year, department=office)
    return services.bonus_claim_add(
        assessment=assessment,
        rule=Rule.objects.get(scheme=self_assessment_year.scheme, code="B2"),
        level="municipal",
        title="市总交流材料",
        shared_with=[],
    )


def _old_row(old_apps, claim, user, root):
    """A claim's evidence row and its file as the self-assessment stored them before 0002."""
    OldEvidence = old_apps.get_model("workplans", "ClaimEvidence")
    row = OldEvidence.objects.create(
        claim_id=claim.pk,
        file=STORED,
        original_name="会议通知.pdf",
        size=len(PDF),
        content_type="application/pdf",
        uploaded_by_id=user.pk,
    )
    OldEvidence.objects.filter(pk=row.pk).update(uploaded_at=datetime.datetime(2023, 11, 2, 8, tzinfo=datetime.UTC))
    (root / "self-assessment").mkdir(parents=True)
    (root / "self-assessment" / STORED).write_bytes(PDF)
    return row


def test_migration_moves_old_claim_evidence_into_month_folders(migrate_to, claim, cast, settings, tmp_path):
    root = settings.EVIDENCE_ROOT = tmp_path / "evidence"
    row = _old_row(migrate_to(BEFORE), claim, cast["head_bgs"], root)

    migrate_to(AFTER)

    evidence = ClaimEvidence.objects.get(pk=row.pk)
    assert evidence.file.name == f"self-assessment/2023/11/{STORED}"
    assert (evidence.original_name, evidence.size, evidence.uploaded_by) == ("会议通知.pdf", len(PDF), cast["head_bgs"])
    assert (root / "self-assessment" / "2023" / "11" / STORED).read_bytes() == PDF
    assert not (root / "self-assessment" / STORED).exists()
    client = Client()
    client.force_login(cast["head_bgs"])
    response = client.get(reverse("workplans:evidence", args=[evidence.pk]))
    assert b"".join(response.streaming_content) == PDF


def test_migration_reversed_puts_claim_evidence_back(migrate_to, claim, cast, settings, tmp_path):
    root = settings.EVIDENCE_ROOT = tmp_path / "evidence"
    row = _old_row(migrate_to(BEFORE), claim, cast["head_bgs"], root)
    migrate_to(AFTER)

    old_apps = migrate_to(BEFORE)

    assert old_apps.get_model("workplans", "ClaimEvidence").objects.values_list("pk", "file").get() == (row.pk, STORED)
    assert (root / "self-assessment" / STORED).read_bytes() == PDF
    assert not (root / "self-assessment" / "2023" / "11" / STORED).exists()
