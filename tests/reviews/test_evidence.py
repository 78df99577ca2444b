"""Evidence files: type by content, size limit, random names outside the public tree, guarded download."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import Evidence, LedgerRecord
from reviews.services import evidence_attach, ledger_record_create, ledger_record_delete
from tests.reviews.conftest import add_post

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def _post_with_file(client, demo_year, rules, depts, upload):
    data = add_post(demo_year, rules["S1"], [depts["女职工部"]])
    data["evidence_files"] = upload
    return client.post(reverse("admin:reviews_ledgerrecord_add"), data)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "suffix"),
    [
        ("通知.pdf", PDF, "application/pdf", ".pdf"),
        ("照片.PNG", PNG, "image/png", ".png"),
        ("材料.doc", OLE, "application/msword", ".doc"),
        ("材料.wps", OLE, "application/vnd.ms-works", ".wps"),
        ("材料", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ],
)
def test_evidence_upload_accepts_kind_by_content(
    client, cast, demo_year, rules, depts, settings, name, content, content_type, suffix
):
    client.force_login(cast["reviewer_bgs"])

    response = _post_with_file(client, demo_year, rules, depts, SimpleUploadedFile(name, content))

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(content))
    folder, year, month, stored = evidence.file.name.split("/")
    assert (folder, f"{year}/{month}") == ("ledger", f"{evidence.uploaded_at:%Y/%m}")
    assert re.fullmatch(r"[0-9a-f]{32}", stored.removesuffix(suffix)) and stored.endswith(suffix)
    assert (settings.EVIDENCE_ROOT / evidence.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("伪装.pdf", b"<html><script>alert(1)</script></html>"),
        ("程序.docx", b"MZ\x90\x00" + b"\x00" * 100),
        ("压缩包.xlsx", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_evidence_upload_refuses_wrong_content(client, cast, demo_year, rules, depts, name, content):
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _post_with_file(client, demo_year, rules, depts, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["evidence_files"] == [
        f"文件“{name}”的类型不被接受：佐证材料只能是 PDF、JPEG/PNG 图片或 Word/Excel/WPS 文档。"
    ]
    assert LedgerRecord.objects.count() == before
    assert Evidence.objects.count() == 0


def test_evidence_upload_refuses_too_large_file(client, cast, demo_year, rules, depts, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(cast["reviewer_bgs"])

    response = _post_with_file(
        client, demo_year, rules, depts, SimpleUploadedFile("大.pdf", PDF + b"0" * (1024 * 1024))
    )

    assert response.context["adminform"].form.errors["evidence_files"] == ["文件“大.pdf”超过 1 MB 的大小限制。"]
    assert Evidence.objects.count() == 0


@pytest.fixture
def evidence(demo_year, rules, depts):
    record = ledger_record_create(year=demo_year, rule=rules["S1"], departments=[depts["办公室"]])
    return evidence_attach(record=record, upload=SimpleUploadedFile("签到表.pdf", PDF))


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("lead", True),
        ("reviewer_zzb", True),
        ("leader_wang", True),
        ("admin", True),
        ("head_bgs", True),
        ("vice_li", True),
        ("head_zzb", False),
        ("head_nzgb", False),
        ("vice_zhao", False),
        ("outsider", False),
    ],
)
def test_evidence_download_checks_permission(client, cast, evidence, username, allowed):
    client.force_login(cast[username])

    response = client.get(reverse("reviews:evidence", args=[evidence.pk]))

    if allowed:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
    else:
        assert response.status_code == 404


def test_evidence_download_sends_anonymous_to_login(client, evidence):
    response = client.get(reverse("reviews:evidence", args=[evidence.pk]))

    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_evidence_not_under_static_or_media(settings, evidence):
    path = settings.EVIDENCE_ROOT / evidence.file.name

    assert path.is_file()
    assert not str(path).startswith(str(settings.STATIC_ROOT))
    assert not str(path).startswith(str(settings.MEDIA_ROOT))


def test_breakdown_and_department_page_link_each_evidence_file(client, cast, demo_year, rules, depts):
    record = ledger_record_create(
        year=demo_year, rule=rules["S1"], departments=[depts["办公室"]], recorded_by=cast["reviewer_bgs"]
    )
    first = evidence_attach(record=record, upload=SimpleUploadedFile("签到表.pdf", PDF))
    second = evidence_attach(record=record, upload=SimpleUploadedFile("照片.png", PNG))
    links = (
        f'佐证材料：<a href="/ledger/evidence/{first.pk}/">签到表.pdf</a>（PDF，{len(PDF)} B）、'
        f'<a href="/ledger/evidence/{second.pk}/">照片.png</a>（PNG 图片，{len(PNG)} B）'
    )
    assert reverse("reviews:evidence", args=[first.pk]) == f"/ledger/evidence/{first.pk}/"

    client.force_login(cast["lead"])
    breakdown = client.get(reverse("admin:reviews_ledgerrecord_breakdown", args=[demo_year.pk, depts["办公室"].pk]))
    row = next(r for cat in breakdown.context["categories"] for r, _, _ in cat["rows"] if r.pk == record.pk)
    assert row.evidence == (
        ("签到表.pdf", f"/ledger/evidence/{first.pk}/", f"PDF，{len(PDF)} B"),
        ("照片.png", f"/ledger/evidence/{second.pk}/", f"PNG 图片，{len(PNG)} B"),
    )
    assert row.recorder == cast["reviewer_bgs"].get_full_name()
    assert breakdown.content.decode().count(links) == 1

    client.force_login(cast["head_bgs"])
    page = client.get(reverse("staff:department", args=[2023, depts["办公室"].pk])).content.decode()
    assert page.count(links) == 1


def test_record_delete_removes_its_evidence_files_after_commit(evidence, django_capture_on_commit_callbacks):
    path = Path(evidence.file.path)

    with django_capture_on_commit_callbacks() as callbacks:
        ledger_record_delete(record=evidence.record)
    assert not Evidence.objects.exists()
    assert path.read_bytes() == PDF  # not yet: the deletion is not committed
    for callback in callbacks:
        callback()

    assert not path.exists()
