"""Writes to the ledger. Every path that creates or changes a record (admin, import, T4 suggestions,
objections) goes through these functions, so the per-record rules are checked in one place."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from departments.models import Department
from reviews.models import LedgerRecord, RecordDepartment
from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, Rule


class YearFrozenError(ValidationError):
    pass


def year_ensure_writable(year: AssessmentYear) -> None:
    if year.is_frozen:
        raise YearFrozenError(f"{year}已审定，数据只读。如需修改，请由系统管理员重新开启该年度。")


def rule_spec(rule: Rule) -> engine.RuleSpec:
    return spec_from_db(rule.scheme).rules[rule.code]


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
    exclude_record: LedgerRecord | None = None,
) -> None:
    """Raise a ValidationError keyed by field (in Chinese) when the record breaks a rule of SCORING.md."""
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
    errors: dict[str, list[str]] = {}
    for field, message in engine.record_problems(spec, candidate):
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
