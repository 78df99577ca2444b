"""What the reports show: the scoring core's result of a year plus the ledger's details, in a fixed number of
queries. Both the PDF and the workbook read from here, so they cannot disagree on a figure.

Sections whose source app has not landed or holds nothing for the year (self-assessment, monthly plans,
ballots) come back as None; the documents then say so instead of inventing numbers.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from ballots.statistics import year_statistics
from departments.models import Organisation
from results.loader import year_get, year_input
from reviews.models import LedgerRecord, RecordDepartment
from reviews.selectors import TargetRecordRow, target_record_rows
from scoring import engine
from scoring.models import AssessmentYear, RuleLevel
from workflow.models import Approval
from workflow.services import approval_current
from workplans.selectors import comparison_rows, self_result
from workplans.selectors import self_assessments as assessments_of

ROLE_LABELS = {engine.ROLE_CHAIR: "主席", engine.ROLE_VICE_CHAIR: "副主席"}


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    full = f"{last or ''}{first or ''}".strip()
    return full or (username or "")


def evidence_relation() -> str | None:
    """The reverse name of the ledger's evidence files, if the evidence model exists (another app adds it)."""

    for name in ("evidence_files", "evidence"):
        if hasattr(LedgerRecord, name):
            return name
    return None


@dataclass(frozen=True)
class LedgerRow:
    """One record as one department sees it: the ledger's details and the core's points for that department."""

    key: int
    date: datetime.date
    rule: str
    rule_text: str
    category: str
    level: str  # label, "" when none
    quantity: int
    unit: str
    unit_points: Decimal | None  # T3: the reviewer's points per unit
    exempt: bool
    reason: str
    description: str
    recorder: str
    evidence_count: int | None  # None: the year's ledger has no evidence files yet
    points: Decimal
    shared_with: tuple[str, ...] = ()
    halved: bool = False
    veto: bool = False

    @property
    def explanation(self) -> str:
        """Reason and description in one cell, the way the review group's ledger reads."""
        parts = [p for p in (self.description, self.reason) if p]
        if len(parts) == 2 and parts[0] == parts[1]:
            parts = parts[:1]
        return "；".join(parts)

    @property
    def notes(self) -> str:
        notes = []
        if self.exempt:
            notes.append("免于扣分")
        if self.shared_with:
            notes.append(f"与{'、'.join(self.shared_with)}共享{'，减半计分' if self.halved else ''}")
        if self.unit_points is not None:
            notes.append(f"酌情扣 {self.unit_points} 分/{self.unit or '项'}")
        if self.level:
            notes.append(self.level if self.level.endswith("级") else f"{self.level}级")
        return "；".join(notes)


@dataclass(frozen=True)
class CategoryRow:
    """A department's points in one category as counted, and what was recorded where a cap counted less
    (docs/scoring.md §7: 扣完为止)."""

    code: str
    name: str
    points: Decimal  # counted: bonuses − deductions
    recorded_deductions: Decimal | None = None  # set when the category's cap counted less
    cap: Decimal | None = None
    recorded_bonuses: Decimal | None = None  # set when the category's bonus cap counted less
    bonus_cap: Decimal | None = None

    @property
    def cap_notes(self) -> list[str]:
        """What the caps did, e.g. "记录扣分 11.00，扣完为止，计 10.00"."""
        notes = []
        if self.recorded_deductions is not None and self.cap is not None:
            notes.append(f"记录扣分 {_two(self.recorded_deductions)}，扣完为止，计 {_two(self.cap)}")
        if self.recorded_bonuses is not None and self.bonus_cap is not None:
            bonus_cap = _two(self.bonus_cap)
            notes.append(f"记录加分 {_two(self.recorded_bonuses)}，加分上限 {bonus_cap}，计 {bonus_cap}")
        return notes


def _two(value: Decimal) -> str:
    return f"{engine.round2(value):.2f}"


def category_rows(
    scheme: engine.SchemeSpec, categories: Iterable[tuple[str, str]], dept: engine.DepartmentResult
) -> list[CategoryRow]:
    """The department's counted points in each of `categories` (code, name), with what a cap left out."""
    rows = []
    for code, name in categories:
        recorded = dept.capped.get(code)
        row = CategoryRow(code, name, dept.by_category.get(code, engine.ZERO))
        if recorded is not None:
            deducted, bonus = recorded
            cap, bonus_cap = scheme.caps.get(code), scheme.bonus_caps.get(code)
            row = dataclasses.replace(
                row,
                recorded_deductions=deducted if cap is not None and deducted > cap else None,
                cap=cap,
                recorded_bonuses=bonus if bonus_cap is not None and bonus > bonus_cap else None,
                bonus_cap=bonus_cap,
            )
        rows.append(row)
    return rows


@dataclass(frozen=True)
class TargetTotals:
    """A department's target items summed: 应得分, the shortfall (扣分) and 实得分."""

    points: Decimal
    shortfall: Decimal
    earned: Decimal


def target_totals(dept: engine.DepartmentResult) -> TargetTotals:
    targets = dept.targets
    return TargetTotals(
        sum((t.points for t in targets), engine.ZERO),
        sum((t.shortfall for t in targets), engine.ZERO),
        sum((t.earned for t in targets), engine.ZERO),
    )


@dataclass(frozen=True)
class SelfAssessmentItem:
    """One rule item of a self-assessment beside the ledger (from the self-assessment app's comparison)."""

    code: str
    text: str
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


@dataclass(frozen=True)
class SelfAssessment:
    """A department's 年度考核自评表 as far as the reports need it."""

    status: str
    submitted_at: datetime.datetime | None
    self_score: Decimal | None
    summary: str
    items: tuple[SelfAssessmentItem, ...] = ()


@dataclass(frozen=True)
class TargetLine:
    """A record on a target item with what it gives (before 扣完为止, which the target's result applies)."""

    line: engine.Line
    record: TargetRecordRow


@dataclass
class DepartmentSection:
    result: engine.DepartmentResult
    department_id: int
    supervisor: str
    rows: list[LedgerRow]
    pending_count: int = 0
    self_assessment: SelfAssessment | None = None
    target_rows: list[TargetLine] = field(default_factory=list)  # the records on its target items, by date

    @property
    def target_totals(self) -> TargetTotals:
        return target_totals(self.result)


@dataclass(frozen=True)
class DemocraticRow:
    name: str
    score: Decimal | None
    counts: dict[str, dict[str, int]]  # group -> grade -> count
    group_means: dict[str, Decimal]
    total: int  # counted grades


@dataclass
class Democratic:
    source: str  # AssessmentYear.DemocraticSource value
    source_label: str
    grades: tuple[str, ...]
    groups: tuple[str, ...]
    rows: list[DemocraticRow]
    ballots: int | None = None  # counted ballots (each with all its grades), None without ballots
    turnout: list[dict] = field(default_factory=list)  # per rater group: planned, online, paper, total, turnout %
    round_closed: bool | None = None  # None: no round known to the ballots app

    @property
    def grades_counted(self) -> int:
        """The grades that count, over all ballots (a ballot grades every department it does not abstain on)."""
        return sum(r.total for r in self.rows)


@dataclass(frozen=True)
class DiscretionaryDecisions:
    """八、酌情奖励 as decided: who was granted how much per person, who was decided 不奖励 (an amount of 0), and who
    is eligible and still undecided (never in an approved year: approval closes the decisions)."""

    granted: tuple[tuple[str, Decimal], ...] = ()
    refused: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()


def discretionary_decisions(
    data: engine.YearInput, result: engine.YearResult, *, final: bool
) -> DiscretionaryDecisions:
    awards = data.discretionary_awards
    granted = tuple(
        (d.name, d.per_capita)
        for d in result.departments
        if d.award == engine.AWARD_DISCRETIONARY and d.per_capita is not None
    )
    refused = tuple(d.name for d in result.departments if d.discretionary_eligible and awards.get(d.name) == 0)
    undecided = (
        () if final else tuple(d.name for d in result.departments if d.discretionary_eligible and d.name not in awards)
    )
    return DiscretionaryDecisions(granted, refused, undecided)


@dataclass(frozen=True)
class VetoNote:
    """One veto of a department: the rule's code and text, and the reason its record gives (七、一票否决)."""

    code: str
    text: str
    reason: str

    @property
    def label(self) -> str:
        """ "V2 本年度内发生重大责任事故（发生重大责任事故，经党组会认定）"."""
        text = f"{self.code} {self.text}".strip()
        return f"{text}（{self.reason}）" if self.reason and self.reason != self.text else text


def veto_notes(data: engine.YearInput, result: engine.YearResult) -> dict[str, list[VetoNote]]:
    """Each vetoed department's vetoes with their rules' texts and their records' reasons: one query."""
    keys = {line.key for d in result.departments for line in d.lines if line.veto and not line.target}
    reasons = {
        pk: "；".join(dict.fromkeys(x for x in (description, reason) if x))
        for pk, reason, description in LedgerRecord.objects.filter(pk__in=keys).values_list(
            "pk", "reason", "description"
        )
    }
    notes: dict[str, list[VetoNote]] = {}
    for dept in result.departments:
        if not dept.vetoed:
            continue
        found = [
            VetoNote(line.rule, _rule_text(data, line.rule), reasons.get(line.key, ""))
            for line in dept.lines
            if line.veto
        ]
        # A veto the core knows without a line (e.g. a case document): its code and the rule's text.
        known = {n.code for n in found}
        found += [VetoNote(code, _rule_text(data, code), "") for code in dept.veto_rules if code not in known]
        notes[dept.name] = found
    return notes


def _rule_text(data: engine.YearInput, code: str) -> str:
    rule = data.scheme.rules.get(code)
    return rule.text if rule is not None else ""


@dataclass
class YearReport:
    year: AssessmentYear
    result: engine.YearResult
    data: engine.YearInput
    organisation: Organisation
    generated_on: datetime.date
    sections: list[DepartmentSection]
    democratic: Democratic
    category_totals: list[dict] = field(default_factory=list)
    ledger_omitted: bool = False  # too many lines to print: the sections show totals only
    sections_omitted: bool = False  # too many departments to print a section each
    line_count: int = 0
    discretionary: DiscretionaryDecisions = field(default_factory=DiscretionaryDecisions)
    approval: Approval | None = None  # the current approval (审定) of an approved year
    vetoes: dict[str, list[VetoNote]] = field(default_factory=dict)

    @property
    def dated(self) -> datetime.date:
        """The document's date: the approving meeting's for an approved year, else the day it is generated."""
        return self.approval.meeting_date if self.approval is not None else self.generated_on

    @property
    def leaders_money(self) -> Decimal | None:
        """The leaders' awards (考核奖) summed, as the core gives them; None while one is pending."""
        awards = [x.award for x in self.result.leaders]
        if any(a is None for a in awards):
            return None
        return sum((a for a in awards if a is not None), engine.ZERO)

    @property
    def grand_total(self) -> Decimal | None:
        """Everything paid out: the departments' awards and the leaders' (None while an award is pending)."""
        if self.total_money is None or self.leaders_money is None:
            return None
        return self.total_money + self.leaders_money

    @property
    def title(self) -> str:
        return f"{self.year.year}年度机关各部室创先争优绩效考核结果报告"

    @property
    def vice_chairs(self) -> list[engine.LeaderResult]:
        return [x for x in self.result.leaders if x.role == engine.ROLE_VICE_CHAIR]

    @property
    def chairs(self) -> list[engine.LeaderResult]:
        return [x for x in self.result.leaders if x.role == engine.ROLE_CHAIR]

    @property
    def is_final(self) -> bool:
        """Approved (审定) or after: the year is frozen and its decisions are closed."""
        return self.year.is_frozen

    @property
    def regulation(self) -> str:
        """The regulation's title, as the 通报 cites it too (the scheme's 实施办法名称)."""
        return self.year.scheme.regulation

    @property
    def total_money(self) -> Decimal | None:
        return self.result.total_money

    @property
    def total_headcount(self) -> int:
        return sum(d.headcount for d in self.result.departments)


# ---------------------------------------------------------------------------------------------------------
# Ledger details


def ledger_values(year: AssessmentYear, *, department_names: set[str] | None = None):
    """The confirmed records of a year with everything a report prints: one query (streamable)."""

    qs = LedgerRecord.objects.filter(year=year, status=LedgerRecord.Status.CONFIRMED)
    if department_names is not None:
        qs = qs.filter(record_departments__department__name__in=department_names).distinct()
    relation = evidence_relation()
    if relation:
        qs = qs.annotate(evidence_count=Count(relation, distinct=True))
    qs = qs.annotate(
        level_label=Subquery(RuleLevel.objects.filter(rule=OuterRef("rule"), code=OuterRef("level")).values("name")[:1])
    )
    fields = [
        "id",
        "date",
        "rule__code",
        "rule__text",
        "rule__unit",
        "rule__category__code",
        "level_label",
        "quantity",
        "points",
        "exempt",
        "reason",
        "description",
        "recorded_by__first_name",
        "recorded_by__last_name",
        "recorded_by__username",
    ]
    if relation:
        fields.append("evidence_count")
    return qs.order_by("date", "id").values(*fields)


def ledger_row(values: dict, line: engine.Line, has_evidence: bool) -> LedgerRow:
    return LedgerRow(
        key=values["id"],
        date=values["date"],
        rule=values["rule__code"],
        rule_text=values["rule__text"],
        category=values["rule__category__code"],
        level=values["level_label"] or "",
        quantity=values["quantity"],
        unit=values["rule__unit"] or "",
        unit_points=values["points"],
        exempt=values["exempt"],
        reason=values["reason"] or "",
        description=values["description"] or "",
        recorder=person_name(
            values["recorded_by__first_name"], values["recorded_by__last_name"], values["recorded_by__username"]
        ),
        evidence_count=values.get("evidence_count", 0) if has_evidence else None,
        points=line.points,
        shared_with=line.shared_with,
        halved=line.halved,
        veto=line.veto,
    )


def ledger_rows_streamed(
    year: AssessmentYear, result: engine.YearResult, *, chunk_size: int = 2000
) -> Iterator[tuple[str, LedgerRow]]:
    """(department, row) for every confirmed record and each of its departments, by date: one streamed query.

    Memory stays flat in the number of records beyond the core's own result: the rows are read in chunks.
    """
    lines: dict[object, list[tuple[str, engine.Line]]] = defaultdict(list)
    for dept in result.departments:
        for line in dept.lines:
            if not line.target:  # a target record's key is not a ledger record's
                lines[line.key].append((dept.name, line))
    has_evidence = evidence_relation() is not None
    for values in ledger_values(year).iterator(chunk_size=chunk_size):
        for name, line in lines.get(values["id"], ()):
            yield name, ledger_row(values, line, has_evidence)


# ---------------------------------------------------------------------------------------------------------
# Self-assessments (workplans) and ballot statistics


def self_assessments(
    year: AssessmentYear, data: engine.YearInput, result: engine.YearResult
) -> dict[str, SelfAssessment]:
    """Each department's self-assessment beside its ledger.

    The self-score comes from the self-assessment app, which scores the declarations with the one core.
    """
    found = {}
    for assessment in assessments_of(year):
        name = assessment.department.name
        try:
            ledger = result.department(name)
        except KeyError:
            continue
        own = self_result(assessment, data)
        items = tuple(
            SelfAssessmentItem(
                r.code,
                r.text,
                r.self_quantity,
                r.self_exempt,
                r.self_points,
                r.ledger_quantity,
                r.ledger_exempt,
                r.ledger_points,
            )
            for r in comparison_rows(data.scheme, own, ledger)
        )
        found[name] = SelfAssessment(
            status=assessment.get_status_display(),
            submitted_at=assessment.submitted_at,
            self_score=own.review_score,
            summary=assessment.summary,
            items=items,
        )
    return found


def democratic_section(year: AssessmentYear, data: engine.YearInput, result: engine.YearResult) -> Democratic:
    source = year.democratic_source
    grades = tuple(data.settings.grade_points)
    stats = {s.name: s for s in result.grade_stats}
    groups: list[str] = []
    for s in result.grade_stats:
        for g in s.counts:
            if g not in groups:
                groups.append(g)
    rows = []
    for dept in result.departments:
        found = stats.get(dept.name)
        counts = {g: dict(c) for g, c in found.counts.items()} if found else {}
        rows.append(
            DemocraticRow(
                name=dept.name,
                score=dept.democratic_score,
                counts=counts,
                group_means=dict(found.group_means) if found else {},
                total=sum(n for c in counts.values() for n in c.values()),
            )
        )
    section = Democratic(
        source=source,
        source_label=AssessmentYear.DemocraticSource(source).label,
        grades=grades,
        groups=tuple(groups),
        rows=rows,
    )
    if source == AssessmentYear.DemocraticSource.BALLOTS and data.ballots is not None:
        closed = year_statistics(year=year)
        # The database's ballots reach the core counted per grade (ballots_for_scoring): the closed round counts
        # its ballots. An input of whole ballots (a kaohe-case/1 document) counts them itself.
        section.ballots = closed.total_ballots if closed else sum(b.count for b in data.ballots)
        section.round_closed = closed is not None
        for t in closed.turnout if closed else ():
            section.turnout.append(
                {
                    "group": t.group.name,
                    "planned": t.group.planned_count,
                    "online": t.online,
                    "paper": t.paper,
                    "total": t.total,
                    "turnout": t.turnout,
                }
            )
    return section


# ---------------------------------------------------------------------------------------------------------
# The year


def category_totals(result: engine.YearResult, scheme: engine.SchemeSpec) -> list[dict]:
    """Per category: deduction points and bonus points over all departments, the number of records, and whether
    the scheme's category holds bonus rules only (`bonus_only`)."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for rule in scheme.rules.values():
        kinds[rule.category].add(rule.kind)
    totals = []
    records: dict[str, set] = defaultdict(set)
    for dept in result.departments:
        for line in dept.lines:
            records[line.category].add((line.target, line.key))
    for code, name in result.categories:
        values = [d.by_category.get(code, engine.ZERO) for d in result.departments]
        totals.append(
            {
                "code": code,
                "name": name,
                "deductions": -sum((v for v in values if v < 0), engine.ZERO),
                "bonuses": sum((v for v in values if v > 0), engine.ZERO),
                "records": len(records.get(code, ())),
                "bonus_only": kinds[code] == {engine.KIND_BONUS},
            }
        )
    return totals


def year_report(
    year: int | AssessmentYear,
    *,
    departments: set[str] | None = None,
    ledger_rows_max: int | None = None,
    sections_max: int | None = None,
) -> YearReport:
    """Everything the year-end PDF shows; `departments` limits the ledger sections (a head's own section).

    A province-scale year is too large to print whole: past `ledger_rows_max` ledger lines the department
    sections leave out their ledger rows (`ledger_omitted`), and past `sections_max` departments there are no
    department sections at all (`sections_omitted`); the workbook and each department's own PDF keep the detail.

    Queries: the scoring service's nine, department ids, the ledger (one), pending counts (one), the organisation
    (one), and one or two for self-assessments and ballots when those apps hold data: a constant number whatever the
    size of the year.
    """

    year = year_get(year)
    data = year_input(year)
    result = engine.score_year(data)
    names = {d.name for d in result.departments} if departments is None else departments
    whole_year = departments is None
    sections_omitted = whole_year and sections_max is not None and len(names) > sections_max
    line_count = sum(len(d.lines) for d in result.departments if d.name in names)
    ledger_omitted = sections_omitted or (whole_year and ledger_rows_max is not None and line_count > ledger_rows_max)
    if sections_omitted:
        names = set()
    ids = dict(year.year_departments.values_list("department__name", "department_id"))
    supervisor = {name: x.name for x in data.leaders for name in x.supervises}

    has_evidence = evidence_relation() is not None
    details = (
        {}
        if ledger_omitted
        else {v["id"]: v for v in ledger_values(year, department_names=None if whole_year else names)}
    )
    target_details = target_record_rows(year) if result.has_targets and not ledger_omitted else {}
    pending = dict(
        RecordDepartment.objects.filter(year=year, record__status=LedgerRecord.Status.PENDING)
        .values_list("department__name")
        .annotate(n=Count("record_id"))
        .values_list("department__name", "n")
    )
    assessments = self_assessments(year, data, result)

    sections = []
    for dept in result.departments:
        if dept.name not in names:
            continue
        rows = [
            ledger_row(details[line.key], line, has_evidence)
            for line in dept.lines
            if not line.target and line.key in details
        ]
        rows.sort(key=lambda r: (r.date, r.key))
        target_rows = [
            TargetLine(line, target_details[line.key])
            for line in dept.lines
            if line.target and line.key in target_details
        ]
        target_rows.sort(key=lambda r: (r.record.date, r.record.pk))
        sections.append(
            DepartmentSection(
                result=dept,
                department_id=ids[dept.name],
                supervisor=supervisor.get(dept.name, ""),
                rows=rows,
                target_rows=target_rows,
                pending_count=pending.get(dept.name, 0),
                self_assessment=assessments.get(dept.name),
            )
        )
    report = YearReport(
        year=year,
        result=result,
        data=data,
        organisation=Organisation.current(),
        generated_on=timezone.localdate(),
        sections=sections,
        democratic=democratic_section(year, data, result),
        ledger_omitted=ledger_omitted,
        sections_omitted=sections_omitted,
        line_count=line_count,
    )
    report.category_totals = category_totals(result, data.scheme)
    report.discretionary = discretionary_decisions(data, result, final=report.is_final)
    report.approval = approval_current(year) if report.is_final else None
    report.vetoes = veto_notes(data, result)
    return report
