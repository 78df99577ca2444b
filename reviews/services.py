"""Writes to the ledger. Every path that creates or changes a record (admin, import, T4 suggestions,
objections) goes through these functions, so the per-record rules are checked in one place."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from departments.models import Department
from kaohe.files import evidence_check
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
    record.delete()  # its evidence goes with it, the files once the deletion is committed (kaohe.files)


# ---------------------------------------------------------------------------------------------------------
# Evidence (佐证材料)


@transaction.atomic
def evidence_attach(*, record: LedgerRecord, upload, uploaded_by=None) -> Evidence:
    year_ensure_writable(record.year)
    content_type = evidence_check(upload)
    return Evidence.objects.create(
        record=record, **Evidence.upload_fields(upload, content_type=content_type, uploaded_by=uploaded_by)
    )
