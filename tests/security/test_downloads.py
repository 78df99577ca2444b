"""Downloads: sent as attachments with X-Content-Type-Options: nosniff, only to those who may see them;
and evidence survives a backup/restore byte for byte."""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from departments.models import Department
from reviews.models import Evidence, LedgerRecord
from reviews.services import evidence_attach
from scoring.models import AssessmentYear, Rule
from tests.conftest import year_in_phase
from tests.workflow.conftest import office_s2, year_to
from workflow import services as workflow_services
from workplans import services as workplans_services

# A tiny but real PDF header: evidence is accepted by content, not by name.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def office_evidence(demo_year, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    record = LedgerRecord.objects.filter(year=demo_year, record_departments__department__name="办公室").first()
    upload = SimpleUploadedFile("通报 <script>.pdf", PDF, content_type="text/html")
    return evidence_attach(record=record, upload=upload)


def _get(cast, role: str, url: str):
    client = Client()
    if role != "anonymous":
        client.force_login(cast[role])
    return client.get(url)


def test_settings_content_type_nosniff_is_on():
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True


def test_evidence_download_is_attachment_with_nosniff(cast, office_evidence):
    response = _get(cast, "lead", f"/ledger/evidence/{office_evidence.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"  # by content, not the uploader's claim
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "role, status",
    [
        ("head_bgs", 200),
        ("vice_li", 200),
        ("leader_wang", 200),
        ("reviewer_mgfgb", 200),
        ("head_zzb", 404),
        ("head_nzgb", 404),
        ("vice_zhao", 404),
        ("outsider", 404),
    ],
)
def test_evidence_download_only_for_those_who_see_the_record(cast, office_evidence, role, status):
    response = _get(cast, role, f"/ledger/evidence/{office_evidence.pk}/")

    assert response.status_code == status


def test_evidence_download_anonymous_redirected_to_login(cast, office_evidence):
    response = _get(cast, "anonymous", f"/ledger/evidence/{office_evidence.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_evidence_survives_backup_and_restore(cast, office_evidence, tmp_path):
    digest = hashlib.sha256(Path(office_evidence.file.path).read_bytes()).hexdigest()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    Path(office_evidence.file.path).write_bytes(b"damaged")

    call_command("restore", str(archive), "--force", stdout=io.StringIO())

    restored = Evidence.objects.get(pk=office_evidence.pk)
    assert hashlib.sha256(Path(restored.file.path).read_bytes()).hexdigest() == digest
    response = _get({"lead": cast["lead"]}, "lead", f"/ledger/evidence/{restored.pk}/")
    assert b"".join(response.streaming_content) == PDF


# The three downloads of private files: ledger evidence, claim evidence, objection files.


def _ledger_file(year, cast, upload):
    record = LedgerRecord.objects.filter(year=year, record_departments__department__name="办公室").first()
    return evidence_attach(record=record, upload=upload, uploaded_by=cast["reviewer_bgs"])


def _claim_file(year, cast, upload):
    year_in_phase(year, AssessmentYear.Phase.SELF_ASSESSMENT)
    office = Department.objects.get(name="办公室")
    assessment = workplans_services.self_assessment_get_or_create(year=year, department=office)
    claim = workplans_services.bonus_claim_add(
        assessment=assessment,
        rule=Rule.objects.get(scheme=year.scheme, code="B2"),
        level="municipal",
        title="市总交流材料",
        shared_with=[],
    )
    return workplans_services.evidence_add(claim=claim, upload=upload, user=cast["head_bgs"])


def _objection_file(year, cast, upload):
    year_to(year, AssessmentYear.Phase.PUBLICITY, cast["lead"])
    objection = workflow_services.objection_raise(
        record=office_s2(year), reason="公务外出", by=cast["head_bgs"], files=[upload], today=datetime.date(2024, 1, 11)
    )
    return objection.files.get()


KINDS = {
    "ledger": (_ledger_file, "reviews:evidence"),
    "claim": (_claim_file, "workplans:evidence"),
    "objection": (_objection_file, "workflow:objection_file"),
}


@pytest.fixture(params=sorted(KINDS))
def private_file(request, demo_year, cast, settings, tmp_path):
    """(kind, the stored row, its download URL) for each of the three kinds, a PDF of 办公室."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    make, url_name = KINDS[request.param]
    item = make(demo_year, cast, SimpleUploadedFile("通报 <2024>.pdf", PDF, content_type="text/html"))
    return request.param, item, reverse(url_name, args=[item.pk])


# Who may download what, as the three views decide it: ledger evidence answers 404 to those who may not see
# the record (existence is private), claim evidence and objection files 403.
PERMISSIONS = {
    "ledger": {
        "head_bgs": 200,
        "head_zzb": 404,
        "vice_li": 200,
        "vice_zhao": 404,
        "reviewer_zzb": 200,
        "lead": 200,
        "leader_wang": 200,
        "admin": 200,
        "outsider": 404,
        "anonymous": "login",
    },
    "claim": {
        "head_bgs": 200,
        "head_zzb": 403,
        "vice_li": 200,
        "vice_zhao": 403,
        "reviewer_zzb": 200,
        "lead": 200,
        "leader_wang": 200,
        "admin": 200,
        "outsider": 403,
        "anonymous": "login",
    },
    "objection": {
        "head_bgs": 200,
        "head_zzb": 403,
        "vice_li": 403,
        "vice_zhao": 403,
        "reviewer_zzb": 200,
        "lead": 200,
        "leader_wang": 200,
        "admin": 200,
        "outsider": 403,
        "anonymous": "login",
    },
}


def test_private_file_downloads_keep_their_permissions(cast, private_file):
    kind, _, url = private_file
    outcomes = {}
    for role in PERMISSIONS[kind]:
        response = _get(cast, role, url)
        login = response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
        outcomes[role] = "login" if login else response.status_code

    assert outcomes == PERMISSIONS[kind]


def test_private_file_download_is_the_same_for_all_three(cast, private_file):
    kind, item, url = private_file

    response = _get(cast, "head_bgs", url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"  # by content, not the uploader's claim
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E9%80%9A%E6%8A%A5%20%3C2024%3E.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(PDF))
    folder = {"ledger": "ledger", "claim": "self-assessment", "objection": "objections"}[kind]
    assert item.file.name.startswith(f"{folder}/{item.uploaded_at:%Y/%m}/")
    assert item.uploaded_by == cast["reviewer_bgs" if kind == "ledger" else "head_bgs"]


def test_private_file_missing_on_disk_answers_404(cast, private_file):
    _, item, url = private_file
    Path(item.file.path).unlink()

    response = _get(cast, "head_bgs", url)

    assert response.status_code == 404
    assert "文件不存在" in response.content.decode()
