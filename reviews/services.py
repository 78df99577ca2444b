"""Writes to the ledger. Every path that creates or changes a record (admin, import, T4 suggestions,
objections) goes through these functions, so the per-record rules are checked in one place."""

from __future__ import annotations

import datetime
import secrets
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from departments.models import Department
from reviews.models import Evidence, LedgerRecord, RecordDepartment
from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, Rule
from scoring.phases import PhaseRefused, year_refusal


class YearFrozenError(PhaseRefused):
    pass


def year_ensure_writable(year: AssessmentYear) -> None:
    """The ledger's phase rule (scoring.phases "ledger": every phase before 审定), for every ledger write: create,
    update, confirm, delete, evidence, the Excel import, the admin, T4 decisions and answers to objections."""
    message = year_refusal(year, "ledger")
    if message is not None:
        raise YearFrozenError(message)


def rule_spec(rule: Rule) -> engine.RuleSpec:
    return spec_from_db(rule.scheme).rules[rule.code]


REASON_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 2000


def record_validate(
    *,
    year: AssessmentYear,
    rule: Rule,
    departments: Sequence[Department],
    quantity: int,
    points: Decimal | None,
    level: str,
    exempt: bool,
    reason: str,
    description: str = "",
    exclude_record: LedgerRecord | None = None,
) -> None:
    """Raise a ValidationError keyed by field (in Chinese) when the record breaks a rule of docs/scoring.md, or
    when its texts are longer than the ledger keeps (REASON_MAX_LENGTH, DESCRIPTION_MAX_LENGTH)."""
    if rule.scheme_id != year.scheme_id:
        raise ValidationError({"rule": f"考核项目 {rule.code} 不属于{year}的考核方案。"})
    spec = rule_spec(rule)
    candidate = engine.RecordInput(
        rule=rule.code,
        departments=tuple(d.name for d in departments),
        quantity=quantity,
        points=points,
        level=level or None,
        exempt=exempt,
        reason=reason,
    )
    taking_part = set(year.year_departments.values_list("department__name", flat=True))
    errors: dict[str, list[str]] = {}
    for field, message in engine.record_problems(spec, candidate, taking_part):
        errors.setdefault(field, []).append(message)
    if spec.annual and departments:
        taken = RecordDepartment.objects.filter(year=year, rule=rule, department__in=departments)
        if exclude_record is not None:
            taken = taken.exclude(record=exclude_record)
        names = sorted(taken.values_list("department__name", flat=True))
        if names:
            errors.setdefault("departments", []).append(
                f"{rule.code} 为年度项目，{'、'.join(names)}本年度已有一条记录。"
            )
    for field, label, text, limit in (
        ("reason", "理由", reason, REASON_MAX_LENGTH),
        ("description", "情况说明", description, DESCRIPTION_MAX_LENGTH),
    ):
        if len(text) > limit:
            errors.setdefault(field, []).append(f"{label}不能超过 {limit} 字（现为 {len(text)} 字）。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ledger_record_create(
    *,
    year: AssessmentYear,
    rule: Rule,
    departments: Sequence[Department],
    recorded_by=None,
    date: datetime.date | None = None,
    quantity: int = 1,
    points: Decimal | None = None,
    level: str = "",
    exempt: bool = False,
    reason: str = "",
    description: str = "",
    status: str = LedgerRecord.Status.CONFIRMED,
) -> LedgerRecord:
    year_ensure_writable(year)
    record_validate(
        year=year,
        rule=rule,
        departments=departments,
        quantity=quantity,
        points=points,
        level=level,
        exempt=exempt,
        reason=reason,
        description=description,
    )
    record = LedgerRecord(
        year=year,
        rule=rule,
        quantity=quantity,
        points=points,
        level=level or "",
        exempt=exempt,
        reason=reason,
        description=description,
        recorded_by=recorded_by,
        status=status,
    )
    if date is not None:
        record.date = date
    record.save()
    record_departments_set(record, departments)
    return record


def record_departments_set(record: LedgerRecord, departments: Sequence[Department]) -> None:
    """(Re)write a record's department links; the copied year/rule/annual let the database refuse a
    second annual record."""
    RecordDepartment.objects.filter(record=record).exclude(department__in=departments).delete()
    existing = set(RecordDepartment.objects.filter(record=record).values_list("department_id", flat=True))
    try:
        with transaction.atomic():
            for department in departments:
                if department.pk in existing:
                    continue
                RecordDepartment.objects.create(
                    record=record,
                    department=department,
                    year=record.year,
                    rule=record.rule,
                    annual=record.rule.annual,
                )
    except IntegrityError:
        raise ValidationError({"departments": f"{record.rule.code} 为年度项目，该部室本年度已有一条记录。"}) from None


class StaleRecordError(ValidationError):
    pass


@transaction.atomic
def ledger_record_update(
    *,
    record: LedgerRecord,
    expected_version: int,
    rule: Rule,
    departments: Sequence[Department],
    date: datetime.date,
    quantity: int = 1,
    points: Decimal | None = None,
    level: str = "",
    exempt: bool = False,
    reason: str = "",
    description: str = "",
    status: str | None = None,
) -> LedgerRecord:
    """Change a record, refusing when someone else saved it since the form was opened (optimistic lock)."""
    year_ensure_writable(record.year)
    record_validate(
        year=record.year,
        rule=rule,
        departments=departments,
        quantity=quantity,
        points=points,
        level=level,
        exempt=exempt,
        reason=reason,
        description=description,
        exclude_record=record,
    )
    values = {
        "rule": rule,
        "date": date,
        "quantity": quantity,
        "points": points,
        "level": level or "",
        "exempt": exempt,
        "reason": reason,
        "description": description,
        "version": expected_version + 1,
    }
    if status is not None:
        values["status"] = status
    # One conditional UPDATE: it matches nothing when the version moved on.
    updated = LedgerRecord.objects.filter(pk=record.pk, version=expected_version).update(
        **{k: v for k, v in values.items() if k != "rule"}, rule_id=rule.pk, updated_at=timezone.now()
    )
    if not updated:
        raise StaleRecordError("该记录已被他人修改，请刷新页面后重新修改。")
    record.refresh_from_db()
    # Record the change in the history (a queryset update bypasses the model's signals).
    record.save(update_fields=["updated_at"])
    record_departments_set(record, departments)
    RecordDepartment.objects.filter(record=record).update(rule=rule, annual=rule.annual)
    return record


@transaction.atomic
def ledger_record_confirm(*, record: LedgerRecord, confirmed_by) -> LedgerRecord:
    """The review lead confirms a pending own-department record; from then on it counts."""
    year_ensure_writable(record.year)
    if record.status == LedgerRecord.Status.CONFIRMED:
        return record
    record.status = LedgerRecord.Status.CONFIRMED
    record.confirmed_by = confirmed_by
    record.confirmed_at = timezone.now()
    record.version += 1
    record.save(update_fields=["status", "confirmed_by", "confirmed_at", "version", "updated_at"])
    return record


@transaction.atomic
def ledger_record_delete(*, record: LedgerRecord) -> None:
    """Delete a record; its history (and its links' history) stays in the audit tables."""
    year_ensure_writable(record.year)
    for item in record.evidence.all():
        evidence_delete(evidence=item)
    record.delete()


# ---------------------------------------------------------------------------------------------------------
# Evidence (佐证材料)

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
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".wps": "application/vnd.ms-works"}


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


@transaction.atomic
def evidence_attach(*, record: LedgerRecord, upload, uploaded_by=None) -> Evidence:
    year_ensure_writable(record.year)
    content_type = evidence_check(upload)
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + EVIDENCE_TYPES[content_type]
    with open(root / stored_name, "xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Evidence.objects.create(
        record=record,
        original_name=Path(upload.name).name[:255],
        stored_name=stored_name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=uploaded_by,
    )


def evidence_path(evidence: Evidence) -> Path:
    return Path(settings.EVIDENCE_ROOT) / evidence.stored_name


def evidence_delete(*, evidence: Evidence) -> None:
    year_ensure_writable(evidence.record.year)
    path = evidence_path(evidence)
    evidence.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
