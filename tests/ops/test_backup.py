"""manage.py backup / restore: round trip with identical scores and file checksums, refusals, atomicity."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ops.backup import manifest_signature, row_counts
from results.cache import year_result
from reviews.models import LedgerRecord
from scoring.cases import result_to_json
from scoring.models import AssessmentYear

EVIDENCE_BYTES = b"%PDF-1.4\n% Kaohe evidence \xe8\x80\x83\xe6\xa0\xb8\n%%EOF\n"


@pytest.fixture
def evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "data" / "evidence"
    path = settings.EVIDENCE_ROOT / "2023" / "办公室" / "通报.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(EVIDENCE_BYTES)
    return settings.EVIDENCE_ROOT


def _checksums(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _empty_instance(root: Path) -> None:
    """What a fresh `migrate` gives: no rows but content types and permissions (with new ids)."""
    if connection.vendor == "postgresql":
        # The test's own transaction holds deferred-constraint events; TRUNCATE needs them fired first.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    ContentType.objects.clear_cache()
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    root.rmdir()


def test_backup_restore_round_trip_identical_results_and_files(demo_year, evidence_root, tmp_path):
    expected = result_to_json(year_result(2023))
    expected_files = _checksums(evidence_root)
    record = LedgerRecord.objects.filter(year=demo_year).first()
    record.reason = "备份前修改"
    record.save()  # one more history row
    expected_counts = row_counts()
    archive = tmp_path / "kaohe.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())
    _empty_instance(evidence_root)
    assert AssessmentYear.objects.count() == 0
    call_command("restore", str(archive), stdout=io.StringIO())

    assert result_to_json(year_result(2023)) == expected
    assert _checksums(evidence_root) == expected_files
    assert expected_files == {"2023/办公室/通报.pdf": hashlib.sha256(EVIDENCE_BYTES).hexdigest()}
    assert row_counts() == expected_counts
    assert LedgerRecord.history.filter(id=record.id).count() == record.history.count() >= 2


def test_backup_manifest_lists_checksums_and_counts(demo_year, evidence_root, tmp_path):
    archive = tmp_path / "kaohe.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    with tarfile.open(archive, "r:gz") as tar:
        assert sorted(tar.getnames()) == ["data.json", "evidence/2023/办公室/通报.pdf", "manifest.json"]
        manifest = json.loads(tar.extractfile("manifest.json").read())
        data = tar.extractfile("data.json").read()
    assert manifest["format"] == "kaohe-backup/2"
    assert manifest["signature"] == manifest_signature(manifest)
    assert manifest["files"]["evidence/2023/办公室/通报.pdf"] == hashlib.sha256(EVIDENCE_BYTES).hexdigest()
    assert manifest["files"]["data.json"] == hashlib.sha256(data).hexdigest()
    assert manifest["counts"]["scoring.assessmentyear"] == 1
    assert manifest["counts"]["reviews.historicalledgerrecord"] == LedgerRecord.history.count()


def test_restore_refuses_instance_with_data(demo_year, evidence_root, tmp_path):
    archive = tmp_path / "kaohe.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    before = row_counts()

    with pytest.raises(CommandError, match="数据库中已有数据"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert row_counts() == before


def test_restore_force_replaces_existing_data(demo_year, evidence_root, tmp_path):
    expected = result_to_json(year_result(2023))
    archive = tmp_path / "kaohe.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    LedgerRecord.objects.filter(year=demo_year).delete()
    (evidence_root / "2023" / "办公室" / "通报.pdf").write_bytes(b"changed")

    call_command("restore", str(archive), "--force", stdout=io.StringIO())

    assert result_to_json(year_result(2023)) == expected
    assert (evidence_root / "2023" / "办公室" / "通报.pdf").read_bytes() == EVIDENCE_BYTES


def _rewrite(archive: Path, target: Path, change) -> None:
    """Copy an archive, letting `change(name, bytes)` replace member contents (None drops the member)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            content = change(member.name, src.extractfile(member).read())
            if content is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(content)
            dst.addfile(info, io.BytesIO(content))


def test_restore_refuses_bad_checksum_and_changes_nothing(demo_year, evidence_root, tmp_path):
    archive = tmp_path / "kaohe.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    bad = tmp_path / "bad.tar.gz"
    _rewrite(archive, bad, lambda name, data: b"tampered" if name.startswith("evidence/") else data)
    _empty_instance(evidence_root)

    with pytest.raises(CommandError, match="校验和不符：evidence/2023/办公室/通报.pdf"):
        call_command("restore", str(bad), stdout=io.StringIO())

    assert AssessmentYear.objects.count() == 0
    assert not evidence_root.exists()


def test_restore_failure_midway_leaves_nothing(demo_year, evidence_root, tmp_path):
    archive = tmp_path / "kaohe.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    broken = tmp_path / "broken.tar.gz"

    def break_last_row(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["data.json"] = hashlib.sha256(broken_data).hexdigest()
            manifest["signature"] = manifest_signature(manifest)  # signed with this instance's key
            return json.dumps(manifest).encode()
        return broken_data if name == "data.json" else data

    with tarfile.open(archive, "r:gz") as tar:
        rows = json.loads(tar.extractfile("data.json").read())
    # The last row points at a year that does not exist: the load fails after most rows are in.
    rows.append(
        {
            "model": "scoring.yeardepartment",
            "pk": 999999,
            "fields": {"year": 999999, "department": 1, "headcount": 1, "order": 0},
        }
    )
    broken_data = json.dumps(rows).encode()
    _rewrite(archive, broken, break_last_row)
    _empty_instance(evidence_root)

    with pytest.raises(CommandError, match="恢复失败，数据未改动"):
        call_command("restore", str(broken), stdout=io.StringIO())

    assert {label: n for label, n in row_counts().items() if n} == {}
    assert not evidence_root.exists()


def test_restore_refuses_recomputed_checksums_without_the_key(demo_year, evidence_root, tmp_path):
    archive = tmp_path / "kaohe.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    edited = tmp_path / "edited.tar.gz"
    forged = b"%PDF-1.4\n% forged\n%%EOF\n"

    def forge(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["evidence/2023/办公室/通报.pdf"] = hashlib.sha256(forged).hexdigest()
            return json.dumps(manifest).encode()  # checksums right, signature now wrong
        return forged if name.startswith("evidence/") else data

    _rewrite(archive, edited, forge)
    _empty_instance(evidence_root)

    with pytest.raises(CommandError, match="备份签名不符"):
        call_command("restore", str(edited), stdout=io.StringIO())

    assert AssessmentYear.objects.count() == 0
    assert not evidence_root.exists()


def test_restore_refuses_a_backup_signed_with_another_key(demo_year, evidence_root, tmp_path, settings):
    archive = tmp_path / "kaohe.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    _empty_instance(evidence_root)
    settings.KAOHE_BACKUP_KEY = "another-instance-" + "k" * 40

    with pytest.raises(CommandError, match="备份签名不符"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert AssessmentYear.objects.count() == 0


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/kaohe.txt", "evidence/../../escape.txt"])
def test_restore_refuses_path_tricks(db, settings, tmp_path, name):
    settings.EVIDENCE_ROOT = tmp_path / "data" / "evidence"
    archive = tmp_path / "tricky.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for member_name, content in [("manifest.json", b"{}"), (name, b"x")]:
            info = tarfile.TarInfo(member_name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))

    with pytest.raises(CommandError, match="不安全的路径"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert not (tmp_path / "escape.txt").exists()


def test_restore_refuses_file_that_is_not_an_archive(db, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "data" / "evidence"
    path = tmp_path / "not-a-backup.tar.gz"
    path.write_text("hello")

    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", str(path), stdout=io.StringIO())
