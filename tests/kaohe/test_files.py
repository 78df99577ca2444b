"""kaohe.files: one storage, one naming scheme, moves for the data migrations, deletes after commit, serving."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404

from kaohe.files import file_summary, private_file_move, private_file_name, private_storage, serve_private_file
from reviews.models import Evidence, LedgerRecord
from reviews.services import evidence_attach

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def evidence(demo_year, root):
    record = LedgerRecord.objects.filter(year=demo_year, record_departments__department__name="办公室").first()
    return evidence_attach(record=record, upload=SimpleUploadedFile("签到表.pdf", PDF))


def test_private_file_name_is_folder_month_and_random_hex_with_the_kind_suffix():
    row = SimpleNamespace(FILE_FOLDER="ledger", content_type="image/jpeg")

    first, second = private_file_name(row, "../照片.JPEG"), private_file_name(row, "照片.jpeg")

    assert re.fullmatch(r"ledger/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", first)
    assert first != second


def test_private_file_name_without_a_known_kind_keeps_the_lowercase_suffix():
    row = SimpleNamespace(FILE_FOLDER="objections", content_type="")

    assert private_file_name(row, "说明.TXT").endswith(".txt")


def test_private_storage_follows_the_setting_and_has_no_urls(root):
    assert private_storage.path("ledger/a.pdf") == str(root / "ledger" / "a.pdf")
    with pytest.raises(ValueError, match="not accessible via a URL"):
        private_storage.url("ledger/a.pdf")


def test_private_file_move_moves_once_and_leaves_missing_files_missing(root):
    (root / "a.pdf").parent.mkdir(parents=True)
    (root / "a.pdf").write_bytes(PDF)

    private_file_move("a.pdf", "ledger/2023/03/a.pdf")
    private_file_move("a.pdf", "ledger/2023/03/a.pdf")  # again, after a failed migration: nothing to do
    private_file_move("gone.pdf", "ledger/2023/03/gone.pdf")

    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == ["ledger/2023/03/a.pdf"]
    assert (root / "ledger" / "2023" / "03" / "a.pdf").read_bytes() == PDF


def test_private_file_deleted_only_once_its_row_deletion_commits(evidence, django_capture_on_commit_callbacks):
    path = Path(evidence.file.path)

    with django_capture_on_commit_callbacks() as callbacks:
        evidence.delete()
    assert path.read_bytes() == PDF
    callbacks[0]()

    assert len(callbacks) == 1 and not path.exists()


def test_private_file_kept_when_its_row_deletion_rolls_back(evidence, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Evidence.objects.get(pk=evidence.pk).delete()
        raise RuntimeError

    assert callbacks == []
    assert Path(evidence.file.path).read_bytes() == PDF
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_serve_private_file_without_a_file_name_is_404(evidence):
    evidence.file.name = ""

    with pytest.raises(Http404):
        serve_private_file(evidence)


@pytest.mark.parametrize(
    ("content_type", "size", "text"),
    [
        ("application/pdf", 1_258_291, "PDF，1.2 MB"),
        ("image/png", 358_400, "PNG 图片，350 KB"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", 900, "Word 文档，900 B"),
        ("application/octet-stream", 2048, "文件，2 KB"),
    ],
)
def test_file_summary_names_kind_and_size(content_type, size, text):
    assert file_summary(content_type, size) == text
