"""Private files: the evidence of ledger records (reviews.Evidence), of bonus claims (workplans.ClaimEvidence) and
of objections (workflow.ObjectionFile). One design for the three:

- one storage, `settings.EVIDENCE_ROOT`, outside the static and media trees and without URLs;
- one naming scheme, `<folder>/<yyyy>/<mm>/<random hex><suffix>` (the folder is the model's `FILE_FOLDER`, the
  month the upload's, the suffix the one of the content type): the original name lives only in the database;
- one content check (`evidence_check`: size, and the kind judged by the bytes, not by the name);
- one way to serve (`serve_private_file`, called by each download view after its own permission check);
- files deleted only once the deletion of their row is committed, however the row goes (its own delete or a
  cascade from its record, claim or objection).

Imports no app: the apps' models inherit `PrivateFile`.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from functools import partial
from pathlib import Path, PurePath
from typing import ClassVar

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.http import FileResponse, Http404
from django.utils import timezone

# The accepted kinds and the suffix a stored file gets for each.
EVIDENCE_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-works": ".wps",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
# How a file's kind is named beside it ("PDF，1.2 MB").
KIND_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "application/msword": "Word 文档",
    "application/vnd.ms-excel": "Excel 表格",
    "application/vnd.ms-works": "WPS 文档",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".wps": "application/vnd.ms-works"}


def file_summary(content_type: str, size: int) -> str:
    """A file's kind and size as people read them: "PDF，1.2 MB", "PNG 图片，350 KB", "Word 文档，900 B"."""
    kind = KIND_NAMES.get(content_type, "文件")
    if size >= 1024 * 1024:
        amount = f"{size / (1024 * 1024):.1f} MB"
    elif size >= 1024:
        amount = f"{size / 1024:.0f} KB"
    else:
        amount = f"{size} B"
    return f"{kind}，{amount}"


def evidence_sniff(head: bytes, name: str) -> str | None:
    """The content type of an evidence file judged by its bytes, or None when it is not an accepted kind.

    filetype recognises PDF and images; doc/xls/wps are OLE2 containers, told apart here by suffix among
    those three (the container itself is checked). Zip-based docx/xlsx go through _zip_kind."""

    suffix = Path(name).suffix.lower()
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ("application/pdf", "image/jpeg", "image/png"):
        return kind.mime
    if head.startswith(OLE_MAGIC):
        # Inside an OLE2 container the kind cannot be told apart cheaply; trust the suffix among the three.
        return OLE_TYPES.get(suffix)
    return None


def _zip_kind(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def evidence_check(upload) -> str:
    """Validate an uploaded file (size, type by content); return its content type or raise in Chinese."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(f"文件“{upload.name}”超过 {limit // (1024 * 1024)} MB 的大小限制。")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”为空。")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = _zip_kind(upload) if head.startswith(b"PK\x03\x04") else evidence_sniff(head, upload.name)
    if kind is None:
        raise ValidationError(
            f"文件“{upload.name}”的类型不被接受：佐证材料只能是 PDF、JPEG/PNG 图片或 Word/Excel/WPS 文档。"
        )
    return kind


class PrivateStorage(FileSystemStorage):
    """settings.EVIDENCE_ROOT, read at every use (a restore swaps the folder, tests point it elsewhere); no URLs:
    the files are served only through `serve_private_file`."""

    @property
    def base_location(self) -> str:
        return str(settings.EVIDENCE_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None


private_storage = PrivateStorage()


def private_file_name(instance: PrivateFile, filename: str) -> str:
    """`<folder>/<yyyy>/<mm>/<random hex><suffix>`: nothing of the uploader's name reaches the file system."""
    suffix = EVIDENCE_TYPES.get(instance.content_type) or PurePath(filename).suffix.lower()[:10]
    return f"{instance.FILE_FOLDER}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def private_file_move(old: str, new: str) -> None:
    """Move a stored file from `old` to `new` (names under settings.EVIDENCE_ROOT), for the data migrations.

    Safe to repeat: a file already at `new` stays there, and a file missing at both names stays missing (its
    download answers 404), so a migration that failed after moving some files can simply be run again."""
    if old == new:
        return
    root = Path(settings.EVIDENCE_ROOT)
    source, target = root / old, root / new
    if target.exists() or not source.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


class PrivateFile(models.Model):
    """A stored file with the name it was uploaded under. Concrete models add their foreign keys and name the
    folder their files go to (`FILE_FOLDER`)."""

    FILE_FOLDER: ClassVar[str]

    file = models.FileField("文件", storage=private_storage, upload_to=private_file_name, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Per concrete model, not for every sender: a receiver for all models would keep Django from
        # fast-deleting any cascade.
        uid = f"private-file-{cls.__module__}.{cls.__qualname__}"
        post_delete.connect(_file_delete_on_commit, sender=cls, dispatch_uid=uid)

    def __str__(self) -> str:
        return self.original_name

    @property
    def summary(self) -> str:
        """Its kind and size: "PDF，1.2 MB"."""
        return file_summary(self.content_type, self.size)

    @classmethod
    def upload_fields(cls, upload, *, content_type: str, uploaded_by=None) -> dict:
        """The fields of a new row for `upload`, whose content type `evidence_check` has given."""
        return {
            "file": upload,
            "original_name": PurePath(upload.name).name[:255],
            "content_type": content_type,
            "size": upload.size,
            "uploaded_by": uploaded_by,
        }


def _file_delete_on_commit(sender, instance: PrivateFile, using: str, **kwargs) -> None:
    # Once the deletion is committed: a rolled-back deletion keeps its row, and so its file.
    if instance.file.name:
        transaction.on_commit(partial(instance.file.storage.delete, instance.file.name), using=using)


def serve_private_file(item: PrivateFile) -> FileResponse:
    """The file as an attachment under its original name and its checked content type, never cached; Http404 when
    it is missing on disk. The caller has checked that the user may see it."""
    if not item.file.name:
        raise Http404("文件不存在。")
    try:
        handle = item.file.storage.open(item.file.name, "rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    response = FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
