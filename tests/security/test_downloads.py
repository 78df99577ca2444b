"""Downloads: sent as attachments with X-Content-Type-Options: nosniff, only to those who may see them;
and evidence survives a backup/restore byte for byte."""

import hashlib
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from reviews.models import Evidence, LedgerRecord
from reviews.services import evidence_attach, evidence_path

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
    digest = hashlib.sha256(evidence_path(office_evidence).read_bytes()).hexdigest()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    evidence_path(office_evidence).write_bytes(b"damaged")

    call_command("restore", str(archive), "--force", stdout=io.StringIO())

    restored = Evidence.objects.get(pk=office_evidence.pk)
    assert hashlib.sha256(evidence_path(restored).read_bytes()).hexdigest() == digest
    response = _get({"lead": cast["lead"]}, "lead", f"/ledger/evidence/{restored.pk}/")
    assert b"".join(response.streaming_content) == PDF
