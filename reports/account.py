"""The review group's written year-end account (九.2：年终以书面形式提供相关考核情况) as a PDF: the narrative the
review lead wrote (workflow.account), the ledger summarised by the office that records each rule and by category,
the objections with their outcomes, and leadership's tie orders with their reasons.

Its figures are the year-end report's (reports.data.year_report: the one scoring core over the same read), so the
two documents cannot disagree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from reports.data import YearReport, person_name, year_report
from reports.pdf import _Renderer
from scoring import engine
from scoring.models import AssessmentYear, Rule, TieOrder
from workflow.account import review_account_of
from workflow.models import Objection, ReviewAccount

# The office of a rule that no office records (留空表示仅考核小组组长可录入), and of the target items' records.
LEAD_OFFICE = "考核小组组长"
TARGET_OFFICE = "目标项目"


@dataclass(frozen=True)
class OfficeRow:
    """The confirmed records of one category that one office records, with the points they gave (by department)."""

    office: str
    category: str  # "T 完成工作任务"
    records: int
    deductions: Decimal  # positive
    bonuses: Decimal


@dataclass(frozen=True)
class ObjectionRow:
    department: str
    rule: str  # the record's rule, "S2"
    record_date: str  # the record's date, "2023-03-08"
    reason: str
    raised_on: datetime.date
    status: str
    decision: str  # 维持 / 撤销 / 调整, "" while open
    answer: str
    answered_by: str
    before: str  # the department's review score before the answer
    after: str


@dataclass(frozen=True)
class TieRow:
    order: str  # "办公室（第 2 名）、生活保障部（第 3 名）"
    reason: str
    decided_by: str
    decided_on: datetime.date | None


@dataclass
class ReviewAccountReport:
    report: YearReport
    account: ReviewAccount | None
    offices: list[OfficeRow]
    objections: list[ObjectionRow]
    ties: list[TieRow]

    @property
    def title(self) -> str:
        return f"{self.report.year.year}年度考核小组年终考核情况"

    @property
    def paragraphs(self) -> list[str]:
        """The narrative's paragraphs (its non-empty lines)."""
        text = self.account.narrative if self.account is not None else ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def written_by(self) -> str:
        by = self.account.updated_by if self.account is not None else None
        return "" if by is None else person_name(by.first_name, by.last_name, by.username)

    @property
    def office_totals(self) -> tuple[int, Decimal, Decimal]:
        return (
            sum(r.records for r in self.offices),
            sum((r.deductions for r in self.offices), engine.ZERO),
            sum((r.bonuses for r in self.offices), engine.ZERO),
        )


def _rule_offices(year: AssessmentYear) -> dict[str, str]:
    """Each rule's office: its label (负责部门), else the offices that record it, else the review lead."""
    offices = {}
    for rule in Rule.objects.filter(scheme=year.scheme).prefetch_related("recorder_offices"):
        names = "、".join(d.name for d in rule.recorder_offices.all())
        offices[rule.code] = rule.recorder_label or names or LEAD_OFFICE
    return offices


def office_rows(report: YearReport, offices: dict[str, str]) -> list[OfficeRow]:
    """The core's lines grouped by office and category, in the scheme's category order, then by office: records
    counted once however many departments they name, points summed over the departments as the core gives them."""
    categories = {**dict(report.data.scheme.categories), **dict(report.result.categories)}
    order = {code: i for i, code in enumerate(categories)}
    keys: dict[tuple[str, str], set] = defaultdict(set)
    deductions: dict[tuple[str, str], Decimal] = defaultdict(lambda: engine.ZERO)
    bonuses: dict[tuple[str, str], Decimal] = defaultdict(lambda: engine.ZERO)
    for dept in report.result.departments:
        for line in dept.lines:
            office = TARGET_OFFICE if line.target else offices.get(line.rule, LEAD_OFFICE)
            group = (office, line.category)
            keys[group].add((line.target, line.key))
            if line.points < 0:
                deductions[group] -= line.points
            else:
                bonuses[group] += line.points
    groups = sorted(keys, key=lambda g: (order.get(g[1], len(order)), g[0]))
    return [
        OfficeRow(
            office,
            f"{code} {categories.get(code, '')}".strip(),
            len(keys[(office, code)]),
            deductions[(office, code)],
            bonuses[(office, code)],
        )
        for office, code in groups
    ]


def _score(effect: dict, name: str, when: str) -> str:
    value = (effect.get(name) or {}).get(when, {}).get("review_score")
    return "—" if value is None else f"{Decimal(value):.2f}"


def objection_rows(year: AssessmentYear) -> list[ObjectionRow]:
    rows = []
    for o in (
        Objection.objects.filter(year=year).select_related("department", "answered_by").order_by("raised_at", "id")
    ):
        before = o.record_before or {}
        answered_by = o.answered_by
        rows.append(
            ObjectionRow(
                department=o.department.name,
                rule=before.get("rule", "") or "—",
                record_date=before.get("date", ""),
                reason=o.reason,
                raised_on=o.raised_at.date(),
                status=o.get_status_display(),
                decision=o.get_decision_display() if o.decision else "",
                answer=o.answer,
                answered_by=""
                if answered_by is None
                else person_name(answered_by.first_name, answered_by.last_name, answered_by.username),
                before=_score(o.effect, o.department.name, "before"),
                after=_score(o.effect, o.department.name, "after"),
            )
        )
    return rows


def tie_rows(year: AssessmentYear, report: YearReport) -> list[TieRow]:
    ranks = {d.name: d.rank for d in report.result.departments}
    rows = []
    for tie in TieOrder.objects.filter(year=year).select_related("decided_by").prefetch_related("entries__department"):
        names = [e.department.name for e in tie.entries.all()]
        by = tie.decided_by
        rows.append(
            TieRow(
                order="、".join(f"{n}（第 {ranks[n]} 名）" if ranks.get(n) else n for n in names),
                reason=tie.reason,
                decided_by="" if by is None else person_name(by.first_name, by.last_name, by.username),
                decided_on=tie.decided_at.date() if tie.decided_at else None,
            )
        )
    return rows


def review_account_report(year: int | AssessmentYear) -> ReviewAccountReport:
    report = year_report(year)
    return ReviewAccountReport(
        report=report,
        account=review_account_of(report.year),
        offices=office_rows(report, _rule_offices(report.year)),
        objections=objection_rows(report.year),
        ties=tie_rows(report.year, report),
    )


def review_account_pdf(year: int | AssessmentYear) -> bytes:
    """The review group's written year-end account of a year, as PDF bytes."""
    account = review_account_report(year)
    report = account.report
    renderer = _Renderer(account.title, draft=not report.is_final)
    renderer.add(
        render_to_string(
            "reports/pdf/review_account.html",
            {"account": account, "report": report, "organisation": report.organisation, "doc_title": account.title},
        ),
        left=report.organisation.masthead,
        right=account.title,
    )
    return renderer.pdf()
