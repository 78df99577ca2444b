"""reviews 0005–0007: ledger evidence from EVIDENCE_ROOT/<stored_name> into the shared layout of kaohe.files."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Evidence, LedgerRecord

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STORED = "0123456789abcdef0123456789abcdef.pdf"
BEFORE = ("reviews", "0004_ledger_year_date_index")


@pytest.fixture
def office_record(demo_year):
    return LedgerRecord.objects.filter(year=demo_year, record_departments__department__name="办公室").first()


def _old_row(old_apps, record, user, root):
    """An evidence row and its file as the ledger stored them before 0005."""
    OldEvidence = old_apps.get_model("reviews", "Evidence")
    row = OldEvidence.objects.create(
        record_id=record.pk,
        original_name="签到表.pdf",
        stored_name=STORED,
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by_id=user.pk,
    )
    OldEvidence.objects.filter(pk=row.pk).update(uploaded_at=datetime.datetime(2023, 3, 31, 17, tzinfo=datetime.UTC))
    root.mkdir(parents=True, exist_ok=True)
    (root / STORED).write_bytes(PDF)
    return row


def test_migration_moves_old_evidence_into_the_ledger_folder(migrate_to, office_record, cast, settings):
    root = settings.EVIDENCE_ROOT
    row = _old_row(migrate_to(BEFORE), office_record, cast["reviewer_bgs"], root)

    migrate_to(("reviews", "0007_remove_evidence_stored_name"))

    evidence = Evidence.objects.get(pk=row.pk)
    assert evidence.file.name == f"ledger/2023/03/{STORED}"
    assert (evidence.original_name, evidence.content_type, evidence.size) == ("签到表.pdf", "application/pdf", len(PDF))
    assert evidence.uploaded_by == cast["reviewer_bgs"]
    assert (root / "ledger" / "2023" / "03" / STORED).read_bytes() == PDF
    assert not (root / STORED).exists()
    client = Client()
    client.force_login(cast["head_bgs"])
    response = client.get(reverse("reviews:evidence", args=[evidence.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf"


def test_migration_reversed_puts_evidence_back_under_its_stored_name(migrate_to, office_record, cast, settings):
    root = settings.EVIDENCE_ROOT
    row = _old_row(migrate_to(BEFORE), office_record, cast["reviewer_bgs"], root)
    migrate_to(("reviews", "0007_remove_evidence_stored_name"))

    old_apps = migrate_to(BEFORE)

    assert old_apps.get_model("reviews", "Evidence").objects.values_list("pk", "stored_name").get() == (row.pk, STORED)
    assert (root / STORED).read_bytes() == PDF
    assert not (root / "ledger" / "2023" / "03" / STORED).exists()


def test_migration_keeps_a_row_whose_file_is_missing(migrate_to, office_record, cast, settings):
    root = settings.EVIDENCE_ROOT
    row = _old_row(migrate_to(BEFORE), office_record, cast["reviewer_bgs"], root)
    (root / STORED).unlink()

    migrate_to(("reviews", "0007_remove_evidence_stored_name"))

    assert Evidence.objects.get(pk=row.pk).file.name == f"ledger/2023/03/{STORED}"
    client = Client()
    client.force_login(cast["head_bgs"])
    assert client.get(reverse("reviews:evidence", args=[row.pk])).status_code == 404
