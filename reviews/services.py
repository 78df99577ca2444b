"""Writes to the ledger. Every path that creates or changes a record (admin, import, T4 suggestions,
objections) goes through these functions, so the per-record rules are checked in one place; so do the year's
target items and the records against them (admin and Excel import)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from departments.models import Department
from kaohe.files import evidence_check
from reviews.models import Evidence, LedgerRecord, RecordDepartment, TargetRecord
from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, Rule, RuleCategory, Target
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
    _text_lengths_check(errors, reason=reason, description=description)
    if errors:
        raise ValidationError(errors)


def _text_lengths_check(errors: dict[str, list[str]], *, reason: str, description: str) -> None:
    """A record's reason and description within their limits (a ledger record's and a target record's alike)."""
    for field, label, text, limit in (
        ("reason", "理由", reason, REASON_MAX_LENGTH),
        ("description", "情况说明", description, DESCRIPTION_MAX_LENGTH),
    ):
        if len(text) > limit:
            errors.setdefault(field, []).append(f"{label}不能超过 {limit} 字（现为 {len(text)} 字）。")


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


# ---------------------------------------------------------------------------------------------------------
# Target items (目标管理, docs/scoring.md §7): the allotment and the records against it. Each save and delete
# gives the year a new data version (results.revisions watches Target and TargetRecord), so cached results
# refresh; the phase rule is the ledger's.

TARGET_CODE_MAX_LENGTH = Target._meta.get_field("code").max_length or 20
TARGET_NAME_MAX_LENGTH = Target._meta.get_field("name").max_length or 200
TARGET_POINTS_MAX = Decimal("9999.99")  # the column holds six digits, two of them decimals


def target_validate(
    *,
    year: AssessmentYear,
    department: Department | None,
    category: RuleCategory | None,
    code: str,
    name: str,
    points: Decimal | None,
    exclude: Target | None = None,
    spec: engine.SchemeSpec | None = None,
) -> None:
    """Raise a ValidationError keyed by field (in Chinese) when a target item breaks a rule of docs/scoring.md §7
    (`engine.target_problems`), its department does not take part in the year, its category is not of the year's
    scheme, or its code is taken in the year. The allotment's sums are checked where targets are listed."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if department is None:
        add("department", "请选择部室。")
    elif not year.year_departments.filter(department=department).exists():
        add("department", f"{department.name}未参加{year}（请先将其加入该年度的参评部室）。")
    if category is None:
        add("category", "请选择类别。")
    elif category.scheme_id != year.scheme_id:
        add("category", f"类别“{category}”不属于{year}的考核方案。")
    if points is None:
        add("points", "请填写应得分。")
    if category is not None and category.scheme_id == year.scheme_id and points is not None:
        spec = spec or spec_from_db(year.scheme)
        candidate = engine.TargetInput(code, department.name if department else "", category.code, name, points)
        for field, message in engine.target_problems(spec, candidate):
            add(field, f"{message}。")
    else:
        for field, value, message in (("code", code, "须填写目标代码。"), ("name", name, "须填写目标项目名称。")):
            if not value.strip():
                add(field, message)
    if points is not None and points.is_finite() and points > TARGET_POINTS_MAX:
        add("points", f"应得分不能超过 {TARGET_POINTS_MAX}。")
    for field, label, text, limit in (
        ("code", "目标代码", code, TARGET_CODE_MAX_LENGTH),
        ("name", "目标项目", name, TARGET_NAME_MAX_LENGTH),
    ):
        if len(text) > limit:
            add(field, f"{label}不能超过 {limit} 字（现为 {len(text)} 字）。")
    if code.strip():
        taken = Target.objects.filter(year=year, code=code.strip())
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        if taken.exists():
            add("code", f"目标代码“{code.strip()}”在{year}已使用。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_create(
    *,
    year: AssessmentYear,
    department: Department,
    category: RuleCategory,
    code: str,
    name: str,
    points: Decimal,
    order: int | None = None,
) -> Target:
    """A new target item of the year, placed after the year's others unless `order` is given."""
    year_ensure_writable(year)
    target_validate(year=year, department=department, category=category, code=code, name=name, points=points)
    if order is None:
        last = Target.objects.filter(year=year).aggregate(last=Max("order"))["last"]
        order = (last or 0) + 1
    return Target.objects.create(
        year=year,
        department=department,
        category=category,
        code=code.strip(),
        name=name.strip(),
        points=points,
        order=order,
    )


@transaction.atomic
def target_update(
    *,
    target: Target,
    department: Department,
    category: RuleCategory,
    code: str,
    name: str,
    points: Decimal,
    order: int | None = None,
) -> Target:
    year_ensure_writable(target.year)
    target_validate(
        year=target.year,
        department=department,
        category=category,
        code=code,
        name=name,
        points=points,
        exclude=target,
    )
    if department.pk != target.department_id and target.records.exists():
        raise ValidationError({"department": "该目标项目已有扣分记录，不能改到其他部室（请先删除其记录）。"})
    target.department, target.category = department, category
    target.code, target.name, target.points = code.strip(), name.strip(), points
    if order is not None:
        target.order = order
    target.save()
    return target


@transaction.atomic
def target_delete(*, target: Target) -> None:
    """Delete a target item without records (a target's records keep it: delete them first)."""
    year_ensure_writable(target.year)
    count = target.records.count()
    if count:
        raise ValidationError(f"目标项目 {target.code} 已有 {count} 条扣分记录，不能删除（请先删除其记录）。")
    target.delete()


def target_record_validate(
    *,
    target: Target,
    date: datetime.date | None,
    points: Decimal | None,
    not_started: bool,
    reason: str,
    description: str = "",
) -> None:
    """Raise a ValidationError keyed by field (in Chinese) when a record on a target breaks a rule of
    docs/scoring.md §7 (`engine.target_record_problems`), falls outside the target's year, or has texts longer
    than the ledger keeps."""
    year = target.year
    errors: dict[str, list[str]] = {}
    item = engine.TargetInput(target.code, target.department.name, target.category.code, target.name, target.points)
    candidate = engine.TargetRecordInput(target.code, points, not_started, reason)
    for field, message in engine.target_record_problems(item, candidate):
        errors.setdefault(field, []).append(f"{message}。")
    if date is not None and date.year != year.year:
        errors.setdefault("date", []).append(f"发生日期须在 {year.year} 年内。")
    _text_lengths_check(errors, reason=reason, description=description)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_record_create(
    *,
    target: Target,
    recorded_by=None,
    date: datetime.date | None = None,
    points: Decimal | None = None,
    not_started: bool = False,
    reason: str = "",
    description: str = "",
) -> TargetRecord:
    """A deduction on a target item, or the statement that it was not started; of the target's year."""
    year_ensure_writable(target.year)
    target_record_validate(
        target=target, date=date, points=points, not_started=not_started, reason=reason, description=description
    )
    record = TargetRecord(
        year=target.year,
        target=target,
        points=None if not_started else points,
        not_started=not_started,
        reason=reason.strip(),
        description=description,
        recorded_by=recorded_by,
    )
    if date is not None:
        record.date = date
    record.save()
    return record


@transaction.atomic
def target_record_update(
    *,
    record: TargetRecord,
    target: Target,
    date: datetime.date,
    points: Decimal | None = None,
    not_started: bool = False,
    reason: str = "",
    description: str = "",
) -> TargetRecord:
    year_ensure_writable(record.year)
    if target.year_id != record.year_id:
        raise ValidationError({"target": "目标项目须属于该记录的年度。"})
    target_record_validate(
        target=target, date=date, points=points, not_started=not_started, reason=reason, description=description
    )
    record.target, record.date = target, date
    record.points = None if not_started else points
    record.not_started, record.reason, record.description = not_started, reason.strip(), description
    record.save()
    return record


@transaction.atomic
def target_record_delete(*, record: TargetRecord) -> None:
    """Delete a record on a target; its history stays in the audit table."""
    year_ensure_writable(record.year)
    record.delete()
