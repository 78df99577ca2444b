"""Reads for the staff pages: the self-score through the one scoring core, the comparison with the ledger,
the vice chair's board of monthly reports."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from departments.models import Department
from results.loader import year_input
from scoring import engine
from scoring.models import AssessmentYear
from workplans.models import MonthlyReport, SelfAssessment, month_deadline

ZERO = Decimal("0")


def self_records(assessment: SelfAssessment) -> tuple[engine.RecordInput, ...]:
    """The declared records of a self-assessment in the core's shape (prefetch with `SELF_PREFETCH`)."""
    name = assessment.department.name
    records: list[engine.RecordInput] = []
    declarations = sorted(assessment.declarations.all(), key=lambda d: (d.rule.category.order, d.rule.order))
    for row in declarations:
        counted = row.quantity - row.exempt_quantity
        if counted:
            records.append(
                engine.RecordInput(
                    rule=row.rule.code,
                    departments=(name,),
                    quantity=counted,
                    points=row.points,
                    reason=row.reason or ("自评申报" if row.rule.reason_required else ""),
                    key=("declaration", row.pk),
                )
            )
        if row.exempt_quantity:
            records.append(
                engine.RecordInput(
                    rule=row.rule.code,
                    departments=(name,),
                    quantity=row.exempt_quantity,
                    points=row.points,
                    exempt=True,
                    reason=row.reason or "申请免扣",
                    key=("declaration", row.pk),
                )
            )
    for claim in assessment.claims.all():
        records.append(
            engine.RecordInput(
                rule=claim.rule.code,
                departments=(name, *(d.name for d in claim.shared_with.all())),
                level=claim.level,
                key=("claim", claim.pk),
            )
        )
    return tuple(records)


SELF_PREFETCH = (
    "declarations__rule__category",
    "claims__rule",
    "claims__shared_with",
    "claims__evidence",
)


def self_assessments(year: AssessmentYear):
    """The year's self-assessments with everything the self-score needs (five queries)."""
    return (
        SelfAssessment.objects.filter(year=year).select_related("department", "year").prefetch_related(*SELF_PREFETCH)
    )


def self_assessment_for(year: AssessmentYear, department: Department) -> SelfAssessment | None:
    """The department's self-assessment of the year, if any, with everything the self-score needs."""
    return (
        SelfAssessment.objects.filter(year=year, department=department)
        .select_related("year", "department", "submitted_by")
        .prefetch_related(*SELF_PREFETCH)
        .first()
    )


def self_year_input(assessment: SelfAssessment, base: engine.YearInput | None = None) -> engine.YearInput:
    """The year as the scoring core sees it when the department's declarations are its only records.

    A department's review-level figures (deductions, bonuses, review score, vetoes, points by category, the
    lines) depend on its own records only, so the input keeps just the department and the partners of its
    shared claims, with no other ledger, ballots or leadership decisions: the self-score of a 200,000-record
    year costs what it costs in a small one. Rank, final score and award of the result mean nothing here.
    """
    base = base or year_input(assessment.year)
    return department_alone(base, assessment.department.name, self_records(assessment))


def department_alone(base: engine.YearInput, name: str, records: tuple[engine.RecordInput, ...]) -> engine.YearInput:
    """The year reduced to one department with the given records (and the partners of its shared ones): what
    its review-level figures need, and nothing of the other departments, the ballots or leadership's decisions.

    The target items of those departments stay (docs/scoring.md §7), without the review group's records on them:
    a department declares no shortfall on its targets, so they count as earned in full."""
    involved = {name, *(other for record in records for other in record.departments)}
    return dataclasses.replace(
        base,
        departments=tuple(d for d in base.departments if d.name in involved),
        targets=tuple(t for t in base.targets if t.department in involved),
        target_records=(),
        leaders=(),
        records=records,
        democratic_scores=None,
        ballots=None,
        discretionary_awards={},
        tie_order=(),
    )


def self_result(assessment: SelfAssessment, base: engine.YearInput | None = None) -> engine.DepartmentResult:
    """The self-score: the department's review-level result when the core scores its declarations
    (see `self_year_input`)."""
    return engine.score_year(self_year_input(assessment, base)).department(assessment.department.name)


def nothing_declared(base: engine.YearInput, name: str) -> engine.DepartmentResult:
    """The department's review-level result with no records at all: what an empty self-assessment gives."""
    return engine.score_year(department_alone(base, name, ())).department(name)


@dataclass(frozen=True)
class ComparisonRow:
    code: str
    text: str
    category: str
    self_quantity: int
    self_exempt: int
    self_points: Decimal
    ledger_quantity: int
    ledger_exempt: int
    ledger_points: Decimal

    @property
    def differs(self) -> bool:
        return (self.self_quantity, self.self_exempt, self.self_points) != (
            self.ledger_quantity,
            self.ledger_exempt,
            self.ledger_points,
        )

    @property
    def difference(self) -> Decimal:
        return self.self_points - self.ledger_points


def _by_rule(lines: Sequence[engine.Line]) -> dict[str, tuple[int, int, Decimal]]:
    """Per rule: the quantity, the exempt quantity and the points of `lines`."""
    totals: dict[str, tuple[int, int, Decimal]] = {}
    for line in lines:
        quantity, exempt, points = totals.get(line.rule, (0, 0, ZERO))
        totals[line.rule] = (
            quantity + line.quantity,
            exempt + (line.quantity if line.exempt else 0),
            points + line.points,
        )
    return totals


def comparison_rows(
    scheme: engine.SchemeSpec, own: engine.DepartmentResult, ledger: engine.DepartmentResult
) -> list[ComparisonRow]:
    """Item by item: what the department declared beside what the ledger holds (every rule that either has)."""
    mine, theirs = _by_rule(own.lines), _by_rule(ledger.lines)
    rows = []
    for code, rule in scheme.rules.items():
        if code not in mine and code not in theirs:
            continue
        a, b = mine.get(code, (0, 0, ZERO)), theirs.get(code, (0, 0, ZERO))
        rows.append(ComparisonRow(code, rule.text, rule.category, a[0], a[1], a[2], b[0], b[1], b[2]))
    return rows


def current_month(year: AssessmentYear, today: datetime.date | None = None) -> int:
    """The month the year's reports are at today: this month during the year, December after it, January
    before it."""
    today = today or timezone.localdate()
    if today.year == year.year:
        return today.month
    return 12 if today.year > year.year else 1


@dataclass(frozen=True)
class BoardCell:
    department: Department
    month: int
    report: MonthlyReport | None
    state: str  # "reviewed", "submitted", "late", "draft", "missing", "open"

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


STATE_LABELS = {
    "reviewed": "已审阅",
    "submitted": "已提交",
    "late": "逾期提交",
    "draft": "草稿（未提交）",
    "missing": "未提交（已逾期）",
    "open": "未到期",
}


def report_state(report: MonthlyReport | None, deadline_passed: bool) -> str:
    if report is not None and report.is_submitted:
        if report.is_reviewed:
            return "reviewed"
        return "late" if report.is_late else "submitted"
    if deadline_passed:
        return "missing"
    return "draft" if report is not None else "open"


def report_board(
    year: AssessmentYear,
    departments: Sequence[Department],
    months: Sequence[int],
    today: datetime.date | None = None,
) -> list[tuple[Department, list[BoardCell]]]:
    """Each department's report state for each month (one query)."""

    reports = {
        (r.department_id, r.month): r
        for r in MonthlyReport.objects.filter(year=year, department__in=departments, month__in=months).select_related(
            "year"
        )
    }
    today = today or timezone.localdate()
    rows = []
    for dept in departments:
        cells = []
        for month in months:
            report = reports.get((dept.pk, month))
            passed = today > month_deadline(year.year, month)
            cells.append(BoardCell(dept, month, report, report_state(report, passed)))
        rows.append((dept, cells))
    return rows
