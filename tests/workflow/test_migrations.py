"""workflow 0002–0003: objection files from the storage EVIDENCE_ROOT/objections into the shared layout."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from scoring.models import AssessmentYear
from tests.workflow.conftest import office_s2, year_to
from workflow import services
from workflow.models import ObjectionFile

PDF = b"%PDF-1.4\n%%EOF\n"
OLD_NAME = "2024/01/00112233445566778899aabbccddeeff.pdf"
BEFORE = ("workflow", "0001_initial")
AFTER = ("workflow", "0003_objectionfile_file_layout")


@pytest.fixture
def objection(demo_year, cast):
    year_to(demo_year, AssessmentYear.Phase.PUBLICITY, cast["lead"])
    return services.objection_raise(
        record=office_s2(demo_year), reason="公务外出", by=cast["head_bgs"], today=datetime.date(2024, 1, 11)
    )


def _old_row(old_apps, objection, root):
    """An objection's file as the workflow stored it before 0002: no uploader, named under its own storage."""
    row = old_apps.get_model("workflow", "ObjectionFile").objects.create(
        objection_id=objection.pk,
        file=OLD_NAME,
        original_name="出差审批单.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    (root / "objections" / "2024" / "01").mkdir(parents=True)
    (root / "objections" / OLD_NAME).write_bytes(PDF)
    return row


def test_migration_names_objection_files_under_their_folder(migrate_to, objection, cast, settings, tmp_path):
    root = settings.EVIDENCE_ROOT = tmp_path / "evidence"
    row = _old_row(migrate_to(BEFORE), objection, root)

    migrate_to(AFTER)

    attachment = ObjectionFile.objects.get(pk=row.pk)
    assert attachment.file.name == f"objections/{OLD_NAME}"
    assert attachment.uploaded_by == cast["head_bgs"]  # who raised the objection
    assert (root / "objections" / OLD_NAME).read_bytes() == PDF
    client = Client()
    client.force_login(cast["head_bgs"])
    response = client.get(reverse("workflow:objection_file", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == PDF


def test_migration_reversed_names_objection_files_as_before(migrate_to, objection, cast, settings, tmp_path):
    root = settings.EVIDENCE_ROOT = tmp_path / "evidence"
    row = _old_row(migrate_to(BEFORE), objection, root)
    migrate_to(AFTER)

    old_apps = migrate_to(BEFORE)

    assert old_apps.get_model("workflow", "ObjectionFile").objects.values_list("pk", "file").get() == (row.pk, OLD_NAME)
    assert (root / "objections" / OLD_NAME).read_bytes() == PDF
