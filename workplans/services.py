"""Writes for monthly reports, T4 suggestions and self-assessments. Views check access, then call one of these.

Each write follows the year's phase (scoring.phases): monthly plans, summaries and their review are
"monthly_report" (进行中 to 评分), the self-assessment with its claims and evidence is "self_assessment" (自评
only), and T4 decisions write the ledger, so they follow the ledger's rule (every phase before 审定)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from departments.models import Department
from kaohe.files import evidence_check
from reviews.models import LedgerRecord
from reviews.services import ledger_record_create, rule_spec
from scoring import engine
from scoring.models import AssessmentYear, Rule
from scoring.phases import year_require
from workplans.models import (
    BonusClaim,
    ClaimEvidence,
    MonthlyReport,
    PlanItem,
    SelfAssessment,
    SelfDeclaration,
    Status,
    month_deadline,
)

T4_RULE = "T4"


# ---------------------------------------------------------------------------------------------------------
# Monthly plans and summaries


def report_get_or_create(*, year: AssessmentYear, department: Department, month: int) -> MonthlyReport:
    if not 1 <= month <= 12:
        raise ValidationError("月份须在 1 至 12 之间。")
    year_require(year, "monthly_report")  # not even an empty report outside the reporting phases
    report, _ = MonthlyReport.objects.get_or_create(year=year, department=department, month=month)
    return report


@dataclass(frozen=True)
class PlanItemData:
    title: str
    content: str
    due_date: datetime.date
    pk: int | None = None


@dataclass(frozen=True)
class OutcomeData:
    outcome: str
    cause: str
    note: str


def _ensure_editable(report: MonthlyReport) -> None:
    year_require(report.year, "monthly_report")
    if report.is_submitted:
        raise ValidationError("本月计划和小结已提交，不能再修改。")


@transaction.atomic
def report_save(
    *,
    report: MonthlyReport,
    summary_text: str,
    plan_text: str,
    plan_items: Sequence[PlanItemData],
    outcomes: dict[int, OutcomeData],
    submit: bool,
    user,
) -> MonthlyReport:
    """Save the draft (the plan of next month, the outcomes of this month's items); on submit, it becomes
    read-only, so every item of this month must have its outcome and an empty report is refused."""
    report = MonthlyReport.objects.select_for_update().select_related("year").get(pk=report.pk)
    _ensure_editable(report)
    errors: list[str] = []
    next_month = report.month + 1
    for data in plan_items:
        if report.plans_next_month and (data.due_date.year, data.due_date.month) != (report.year.year, next_month):
            errors.append(f"“{data.title}”的完成时限须在{report.year.year}年{next_month}月内。")
    if plan_items and not report.plans_next_month:
        errors.append("12月的报告不含下月计划（次年1月计划纳入下一年度）。")

    items = {item.pk: item for item in summary_items(report)}
    for pk, data in outcomes.items():
        if pk not in items:
            raise ValidationError("计划事项不属于本月。")
        if data.outcome in (PlanItem.Outcome.DELAYED, PlanItem.Outcome.NOT_DONE) and not data.cause:
            errors.append(f"“{items[pk].title}”为延期或未完成，须选择原因。")
        if data.outcome == PlanItem.Outcome.DONE and data.cause:
            errors.append(f"“{items[pk].title}”已完成，不需选择原因。")
    if submit:
        for pk, item in items.items():
            outcome = outcomes[pk].outcome if pk in outcomes else item.outcome
            if not outcome:
                errors.append(f"提交前请填写“{item.title}”的完成情况。")
        # A submitted report is locked: one with nothing in it would stay empty for good.
        if not (items or plan_items or summary_text.strip() or plan_text.strip()):
            errors.append("报告为空：请填写本月工作小结或下月工作计划后再提交。")
    if errors:
        raise ValidationError(errors)

    report.summary_text = summary_text
    report.plan_text = plan_text
    for pk, data in outcomes.items():
        item = items[pk]
        item.outcome, item.cause, item.note = data.outcome, data.cause, data.note
        item.save(update_fields=["outcome", "cause", "note"])

    kept = []
    existing = {item.pk: item for item in report.plan_items.all()}
    for order, data in enumerate(plan_items, start=1):
        found = existing.get(data.pk) if data.pk else None
        item = PlanItem(plan_report=report, month=next_month) if found is None else found
        item.title, item.content, item.due_date, item.order = data.title, data.content, data.due_date, order
        item.save()
        kept.append(item.pk)
    report.plan_items.exclude(pk__in=kept).delete()

    if submit:
        report.status = Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = user
    report.save()
    return report


def summary_items(report: MonthlyReport) -> list[PlanItem]:
    """The items planned for the report's month (in the previous month's report)."""
    return list(
        PlanItem.objects.filter(
            plan_report__year_id=report.year_id,
            plan_report__department_id=report.department_id,
            plan_report__month=report.month - 1,
        ).order_by("order", "id")
    )


def report_review(*, report: MonthlyReport, comment: str, user) -> MonthlyReport:
    year_require(report.year, "monthly_report")
    if not report.is_submitted:
        raise ValidationError("报告尚未提交，不能审阅。")
    if not comment.strip():
        raise ValidationError("请填写审阅意见。")
    report.review_comment = comment.strip()
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.save(update_fields=["review_comment", "reviewed_by", "reviewed_at", "updated_at"])
    return report


# ---------------------------------------------------------------------------------------------------------
# T4 suggestions: 部室确定的工作任务，因部室自身原因未按计划完成的 (−2 每项)


def t4_suggestions(*, year: AssessmentYear):
    """Items of submitted summaries marked 未完成 for 自身原因 that nobody has decided on yet."""
    return (
        PlanItem.objects.filter(
            plan_report__year=year,
            outcome=PlanItem.Outcome.NOT_DONE,
            cause=PlanItem.Cause.OWN,
            ledger_record__isnull=True,
            t4_dismissed_reason="",
        )
        .filter(
            # The summary is in the report of the item's own month; only a submitted one counts.
            Exists(
                MonthlyReport.objects.filter(
                    year=year,
                    department=OuterRef("plan_report__department"),
                    month=OuterRef("month"),
                    status=Status.SUBMITTED,
                )
            )
        )
        .select_related("plan_report__department")
        .order_by("plan_report__department__order", "month", "order", "id")
    )


def t4_rule(year: AssessmentYear) -> Rule | None:
    """The year's T4 rule (部室确定的工作任务未按计划完成), or None for a scheme without one (county-2011)."""
    return Rule.objects.prefetch_related("recorder_offices").filter(scheme_id=year.scheme_id, code=T4_RULE).first()


@transaction.atomic
def t4_confirm(*, item: PlanItem, user, pending: bool = False) -> LedgerRecord:
    """Create the T4 ledger record for the item (once) and link it to the item."""
    item = (
        PlanItem.objects.select_for_update()
        .select_related("plan_report__year", "plan_report__department")
        .get(pk=item.pk)
    )
    year = item.plan_report.year
    year_require(year, "ledger")  # a T4 decision is a ledger write
    if not item.suggests_t4:
        raise ValidationError("该计划事项不是“因自身原因未完成”，不能记录 T4。")
    if item.t4_state != "open":
        raise ValidationError("该计划事项已处理过，一个事项至多记录一次 T4。")
    report = item.plan_report
    rule = t4_rule(year)
    if rule is None:
        raise ValidationError(f"{year}的考核方案没有 T4 项目。")
    record = ledger_record_create(
        year=year,
        rule=rule,
        departments=[report.department],
        recorded_by=user,
        date=month_deadline(year.year, item.month),
        description=f"{item.month}月计划“{item.title}”因部室自身原因未按计划完成（{report.department}月度小结）",
        reason=item.note,
        status=LedgerRecord.Status.PENDING if pending else LedgerRecord.Status.CONFIRMED,
    )
    item.ledger_record = record
    item.t4_decided_by = user
    item.t4_decided_at = timezone.now()
    item.save(update_fields=["ledger_record", "t4_decided_by", "t4_decided_at"])
    return record


@transaction.atomic
def t4_dismiss(*, item: PlanItem, reason: str, user) -> PlanItem:
    item = PlanItem.objects.select_for_update().select_related("plan_report__year").get(pk=item.pk)
    year_require(item.plan_report.year, "ledger")  # a T4 decision is a ledger write
    if not reason.strip():
        raise ValidationError("不予扣分须填写理由。")
    if item.t4_state != "open":
        raise ValidationError("该计划事项已处理过。")
    item.t4_dismissed_reason = reason.strip()
    item.t4_decided_by = user
    item.t4_decided_at = timezone.now()
    item.save(update_fields=["t4_dismissed_reason", "t4_decided_by", "t4_decided_at"])
    return item


# ---------------------------------------------------------------------------------------------------------
# Self-assessment (年度考核自评表)


def self_assessment_get_or_create(*, year: AssessmentYear, department: Department) -> SelfAssessment:
    year_require(year, "self_assessment")  # not even an empty self-assessment outside 自评
    assessment, _ = SelfAssessment.objects.get_or_create(year=year, department=department)
    return assessment


def _ensure_self_editable(assessment: SelfAssessment) -> None:
    year_require(assessment.year, "self_assessment")
    if assessment.is_submitted:
        raise ValidationError("自评表已提交，不能再修改。")


@dataclass(frozen=True)
class DeclarationData:
    rule: Rule
    quantity: int
    exempt_quantity: int
    points: Decimal | None
    reason: str


@transaction.atomic
def self_assessment_save(
    *,
    assessment: SelfAssessment,
    summary: str,
    declarations: Iterable[DeclarationData],
    submit: bool,
    user,
) -> SelfAssessment:
    assessment = SelfAssessment.objects.select_for_update().select_related("year").get(pk=assessment.pk)
    _ensure_self_editable(assessment)
    if submit and not summary.strip():
        raise ValidationError("提交前请填写自评总结。")
    existing = {d.rule_id: d for d in assessment.declarations.all()}
    keep = []
    for data in declarations:
        if data.quantity == 0:
            continue
        row = existing.get(data.rule.pk) or SelfDeclaration(assessment=assessment, rule=data.rule)
        row.quantity, row.exempt_quantity = data.quantity, data.exempt_quantity
        row.points, row.reason = data.points, data.reason
        row.save()
        keep.append(row.pk)
    assessment.declarations.exclude(pk__in=keep).delete()
    assessment.summary = summary
    if submit:
        assessment.status = Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = user
    assessment.save()
    return assessment


@transaction.atomic
def bonus_claim_add(
    *, assessment: SelfAssessment, rule: Rule, level: str, title: str, shared_with: Sequence[Department]
) -> BonusClaim:
    _ensure_self_editable(assessment)
    if rule.kind != Rule.Kind.BONUS or rule.scheme_id != assessment.year.scheme_id:
        raise ValidationError({"rule": "请选择本年度方案的加分项目。"})
    departments = (assessment.department.name, *(d.name for d in shared_with))
    candidate = engine.RecordInput(rule=rule.code, departments=departments, level=level)
    taking_part = set(assessment.year.year_departments.values_list("department__name", flat=True))
    problems = engine.record_problems(rule_spec(rule), candidate, taking_part)
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault("shared_with" if field == "departments" else field, []).append(message)
        raise ValidationError(errors)
    claim = BonusClaim.objects.create(assessment=assessment, rule=rule, level=level, title=title)
    claim.shared_with.set(shared_with)
    return claim


@transaction.atomic
def bonus_claim_delete(*, claim: BonusClaim) -> None:
    _ensure_self_editable(claim.assessment)
    claim.delete()  # its evidence goes with it, the files once the deletion is committed (kaohe.files)


def evidence_add(*, claim: BonusClaim, upload: UploadedFile, user) -> ClaimEvidence:
    """Store an evidence file under a random name after checking its size and its real type."""
    _ensure_self_editable(claim.assessment)
    content_type = evidence_check(upload)  # the same size and content checks as ledger evidence
    return ClaimEvidence.objects.create(
        claim=claim, **ClaimEvidence.upload_fields(upload, content_type=content_type, uploaded_by=user)
    )
