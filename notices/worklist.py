"""What waits for a user in a year (待办): the items of every role the user has, each a link, newest first.

Read-only: every item comes from the services and selectors that own the data (monthly reports, the
self-assessment, objections, pending records, T4 suggestions, the year's result) and every "may this user"
question from `access`; what a phase allows from `scoring.phases`. The home page shows the list,
`notices.services` turns it into notices and reminders.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.urls import reverse
from django.utils import timezone

import access
from departments.models import Department
from reports.data import discretionary_decisions
from results.cache import ScoredYear, year_result, year_scored
from reviews.models import LedgerRecord, RecordDepartment
from reviews.selectors import target_allotment_problems
from scoring import engine
from scoring.models import AssessmentYear, Rule
from scoring.phases import OPEN_PHASES, PHASE_ORDER, year_allows
from workflow import services as workflow
from workflow.models import Objection
from workplans import selectors as workplans_selectors
from workplans import services as workplans
from workplans.models import MonthlyReport, SelfAssessment, Status, month_deadline

Phase = AssessmentYear.Phase

# How many of the newest years `landing_year` looks at for one that needs the user.
LANDING_YEARS = 3


@dataclasses.dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclasses.dataclass(frozen=True)
class Item:
    """One thing to do (or to know) in a year. `key` is stable while the item stands (a notice's identity);
    `date` orders the list (newest first); `deadline`, if any, is what a reminder is sent before."""

    key: str
    section: str
    title: str
    url: str
    date: datetime.date
    action: str = "查看"
    deadline: datetime.date | None = None
    late: bool = False
    detail: str = ""
    links: tuple[Link, ...] = ()


@dataclasses.dataclass(frozen=True)
class Section:
    title: str
    items: list[Item]

    @property
    def count(self) -> int:
        return len(self.items)


def _day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _local(moment: datetime.datetime | None, default: datetime.date) -> datetime.date:
    return timezone.localdate(moment) if moment is not None else default


# ---------------------------------------------------------------------------------------------------------
# Department heads


def _head_items(user, year: AssessmentYear, today: datetime.date) -> list[Item]:
    in_year = set(Department.objects.filter(year_entries__year=year).values_list("pk", flat=True))
    departments = [d for d in access.headed_departments(user) if d.pk in in_year]
    if not departments:
        return []
    items: list[Item] = []
    if year_allows(year, "monthly_report"):
        month = workplans_selectors.current_month(year, today)
        board = workplans_selectors.report_board(year, departments, list(range(1, month + 1)), today)
        for department, cells in board:
            for cell in cells:
                url = reverse("workplans:report", args=[year.year, department.pk, cell.month])
                deadline = month_deadline(year.year, cell.month)
                key = f"report:{department.pk}:{cell.month}"
                if cell.state == "missing":
                    title, detail = f"{cell.month}月计划和小结逾期未提交", f"应于{_day(deadline)}前提交"
                    items.append(Item(key, department.name, title, url, deadline, "填写", deadline, True, detail))
                elif cell.state in ("open", "draft"):
                    kind = "草稿未提交" if cell.state == "draft" else "待提交"
                    title, detail = f"{cell.month}月计划和小结{kind}", f"{_day(deadline)}前提交"
                    items.append(Item(key, department.name, title, url, deadline, "填写", deadline, detail=detail))
    if year_allows(year, "self_assessment"):
        submitted = set(
            SelfAssessment.objects.filter(year=year, department__in=departments, status=Status.SUBMITTED).values_list(
                "department_id", flat=True
            )
        )
        for department in departments:
            if department.pk not in submitted:
                url = reverse("workplans:self", args=[year.year, department.pk])
                items.append(Item(f"self:{department.pk}", department.name, "年度考核自评表待提交", url, today, "填写"))
    publicity = workflow.publicity_current(year) if year.phase == Phase.PUBLICITY else None
    if publicity is not None and publicity.is_open_on(today) and year_allows(year, "objection"):
        items.extend(_publicity_items(year, departments, publicity))
    if year.phase == Phase.PUBLICITY:
        answered = Objection.objects.filter(
            year=year, department__in=departments, status=Objection.Status.ANSWERED
        ).select_related("department")
        for objection in answered:
            title = f"对 {objection.record_before.get('rule', '')} 记录的异议已答复：{objection.get_decision_display()}"
            url = reverse("workflow:objection", args=[objection.pk])
            date = _local(objection.answered_at, today)
            items.append(Item(f"answered:{objection.pk}", objection.department.name, title, url, date))
    if year.phase == Phase.ANNOUNCED and access.may_read_notice(user, year):
        url = reverse("workflow:awards", args=[year.year])
        for department in departments:
            items.append(Item(f"announced:{department.pk}", department.name, "考核结果已通报", url, today))
    return items


def _publicity_items(year: AssessmentYear, departments: list[Department], publicity) -> list[Item]:
    """The published results with the 公示 deadline, and beside each of the department's confirmed records
    its "提出异议" link (none for a record whose objection waits for an answer)."""
    links = (
        RecordDepartment.objects.filter(
            year=year, department__in=departments, record__status=LedgerRecord.Status.CONFIRMED
        )
        .select_related("record__rule")
        .order_by("department__order", "-record__date", "-record_id")
    )
    open_ids = set(workflow.objections_open(year).values_list("record_id", flat=True))
    by_department: dict[int, list[Link]] = {d.pk: [] for d in departments}
    for link in links:
        if link.record_id in open_ids:
            continue
        record = link.record
        label = f"{record.rule.code} {_day(record.date)}"
        url = reverse("workflow:objection_new", args=[year.year, record.pk])
        by_department[link.department_id].append(Link(label, url))
    url = reverse("workflow:objections", args=[year.year])
    return [
        Item(
            f"publicity:{department.pk}:{publicity.pk}",
            department.name,
            f"考核结果已公示，如有异议请于{_day(publicity.end)}前提出",
            url,
            publicity.start,
            "查看",
            publicity.end,
            links=tuple(by_department[department.pk]),
        )
        for department in departments
    ]


# ---------------------------------------------------------------------------------------------------------
# The review group


def _rule_of(objection: Objection, rules: dict[str, Rule]) -> Rule | None:
    if objection.record is not None:
        return objection.record.rule
    return rules.get(objection.record_before.get("rule", ""))


def _reviewer_items(user, year: AssessmentYear, today: datetime.date) -> list[Item]:
    items: list[Item] = []
    section = "考核小组"
    if year_allows(year, "ledger"):
        objections = (
            workflow.objections_open(year)
            .select_related("department", "record__rule")
            .prefetch_related("record__rule__recorder_offices")
        )
        rules = {r.code: r for r in Rule.objects.filter(scheme_id=year.scheme_id).prefetch_related("recorder_offices")}
        for objection in objections:
            rule = _rule_of(objection, rules)
            if rule is None or not access.may_record_rule(user, rule):
                continue
            title = f"答复{objection.department.name}对 {rule.code} 记录的异议"
            url = reverse("workflow:objection", args=[objection.pk])
            items.append(
                Item(f"objection:{objection.pk}", section, title, url, _local(objection.raised_at, today), "答复")
            )
        waiting = (
            LedgerRecord.objects.filter(year=year, status=LedgerRecord.Status.PENDING, recorded_by=user)
            .select_related("rule")
            .order_by("-date", "-id")
        )
        for record in waiting:
            title = f"{record.rule.code} {_day(record.date)} 的记录待组长确认"
            url = reverse("admin:reviews_ledgerrecord_change", args=[record.pk])
            items.append(Item(f"waiting:{record.pk}", section, title, url, record.date))
        rule = workplans.plan_shortfall_rule(year)
        if rule is not None and access.may_record_rule(user, rule):
            url = reverse("workplans:t4", args=[year.year])
            for plan_item in workplans.t4_suggestions(year=year, rule=rule):
                department = plan_item.plan_report.department
                title = f"{rule.code} 建议：{department.name} {plan_item.month}月「{plan_item.title}」因自身原因未完成"
                items.append(Item(f"shortfall:{plan_item.pk}", section, title, url, plan_item.due_date, "处理"))
    return items


def _lead_items(user, year: AssessmentYear, today: datetime.date) -> list[Item]:
    items: list[Item] = []
    section = "考核小组组长" if access.is_review_lead(user) else "领导"
    if access.is_review_lead(user) and year_allows(year, "ledger"):
        # The ledger's list of the year's pending records, where the lead confirms them (an admin action).
        url = f"{reverse('admin:reviews_ledgerrecord_changelist')}?year__id__exact={year.pk}&status__exact=pending"
        pending = (
            LedgerRecord.objects.filter(year=year, status=LedgerRecord.Status.PENDING)
            .select_related("rule", "recorded_by")
            .order_by("-date", "-id")
        )
        for record in pending:
            who = record.recorded_by.get_full_name() or record.recorded_by.username if record.recorded_by else ""
            title = f"确认 {record.rule.code} {_day(record.date)} 的记录（{who}录入）"
            items.append(Item(f"confirm:{record.pk}", section, title, url, record.date, "确认"))
    if access.may_move_phase(user) and year.phase in OPEN_PHASES[:-1]:
        items.append(_next_step(year, today, section))
    if access.may_move_phase(user) and year.phase == Phase.ANNOUNCED:
        url = reverse("workflow:year", args=[year.year])
        items.append(Item(f"archive:{year.pk}", section, "下一步：归档本年度", url, today, "办理"))
    return items


def _next_step(year: AssessmentYear, today: datetime.date, section: str) -> Item:
    """The year's next phase and what still stands in its way (the work left, read from the data)."""
    forward = PHASE_ORDER[PHASE_ORDER.index(year.phase) + 1]
    blockers: list[str] = []
    if year.phase == Phase.PREPARING:
        blockers.extend(f"目标项目：{problem}" for problem in target_allotment_problems(year))
    elif year.phase == Phase.SELF_ASSESSMENT:
        taking_part = Department.objects.filter(year_entries__year=year).count()
        submitted = SelfAssessment.objects.filter(year=year, status=Status.SUBMITTED).count()
        if taking_part > submitted:
            blockers.append(f"{taking_part - submitted} 个部室尚未提交自评表")
    elif year.phase == Phase.SCORING:
        pending = LedgerRecord.objects.filter(year=year, status=LedgerRecord.Status.PENDING).count()
        if pending:
            blockers.append(f"{pending} 条台帐记录待确认")
        t4 = workplans.t4_suggestions(year=year).count()
        if t4:
            blockers.append(f"{t4} 项扣分建议待处理")
    elif year.phase == Phase.DEMOCRATIC:
        try:
            incomplete = year_result(year).incomplete
        except engine.ScoringError as exc:
            blockers.append(exc.message)
        else:
            if incomplete:
                blockers.append(f"民主测评得分不完整：{'、'.join(incomplete)}")
    detail = "尚待：" + "；".join(blockers) if blockers else "没有未完成的事项，可以进入下一阶段。"
    url = reverse("workflow:year", args=[year.year])
    title = f"下一步：进入「{Phase(forward).label}」阶段"
    return Item(f"next:{year.pk}:{year.phase}", section, title, url, today, "办理", detail=detail)


# ---------------------------------------------------------------------------------------------------------
# Vice chairs and leadership


def _vice_chair_items(user, year: AssessmentYear, today: datetime.date) -> list[Item]:
    supervised = access.supervised_departments(user, year)
    if not supervised or not year_allows(year, "monthly_report"):
        return []
    reports = MonthlyReport.objects.filter(
        year=year, department__in=supervised, status=Status.SUBMITTED, reviewed_at__isnull=True
    ).select_related("department")
    return [
        Item(
            f"review:{report.pk}",
            "分管部室",
            f"审阅{report.department.name}{report.month}月计划和小结",
            reverse("workplans:report", args=[year.year, report.department_id, report.month]),
            _local(report.submitted_at, today),
            "审阅",
        )
        for report in reports
    ]


def _leadership_items(user, year: AssessmentYear, today: datetime.date) -> list[Item]:
    section = "领导"
    items: list[Item] = []
    if year.phase == Phase.PUBLICITY and (access.may_decide(user) or access.is_review_lead(user)):
        approval_url = reverse("workflow:approval", args=[year.year])
        publicity = workflow.publicity_current(year)
        scored: ScoredYear | None = None
        try:
            scored = year_scored(year)
        except engine.ScoringError as exc:
            blockers = [exc.message]
        else:
            blockers = workflow.approval_blockers(year, scored.result)
        if scored is not None and access.may_decide(user):
            for tie in scored.result.ties:
                title = f"并列待排序：{'、'.join(tie)}"
                items.append(Item(f"tie:{'|'.join(tie)}", section, title, f"{approval_url}#ties", today, "排序"))
            # The same list of undecided awards as the year-end report's (reports.data.discretionary_decisions).
            for name in discretionary_decisions(scored.input, scored.result, final=False).undecided:
                title = f"酌情奖励待决定：{name}"
                items.append(Item(f"award:{name}", section, title, f"{approval_url}#awards", today, "决定"))
        deadline = publicity.end if publicity is not None else None
        if deadline is not None and today <= deadline:  # 公示 still runs: dated by its end, ahead of the rest
            title, date = f"审定：公示期至{_day(deadline)}结束后记录党组会审定", deadline
        else:
            title, date = "公示期已满，待记录党组会审定", today
        detail = "尚待：" + "；".join(blockers) if blockers else "没有未完成的事项，可以审定。"
        action = "审定" if access.may_decide(user) else "查看"
        section_of = section if access.may_decide(user) else "考核小组组长"
        items.append(Item(f"approve:{year.pk}", section_of, title, approval_url, date, action, deadline, detail=detail))
    if year.phase == Phase.APPROVED and access.may_decide(user):
        url = reverse("workflow:year", args=[year.year])
        items.append(Item(f"announce:{year.pk}", section, "已审定，待发布通报", url, today, "通报"))
    return items


# ---------------------------------------------------------------------------------------------------------


def worklist(user, year: AssessmentYear, today: datetime.date | None = None) -> list[Item]:
    """Every item waiting for `user` in `year`, newest first."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    items = _head_items(user, year, today)
    if access.is_reviewer(user):
        items += _reviewer_items(user, year, today)
    items += _lead_items(user, year, today)
    items += _vice_chair_items(user, year, today)
    items += _leadership_items(user, year, today)
    items.sort(key=lambda item: item.date, reverse=True)
    return items


def sections(items: list[Item]) -> list[Section]:
    """The items by section (a head's department, 考核小组, …), in the order each section first appears."""
    grouped: dict[str, list[Item]] = {}
    for item in items:
        grouped.setdefault(item.section, []).append(item)
    return [Section(title, rows) for title, rows in grouped.items()]


def landing_year(user) -> AssessmentYear | None:
    """The year that needs the user: the newest year in progress (not frozen) where the user has items; else
    the newest year with items; else the newest year in progress; else the newest year."""
    return landing(user)[0]


def landing(user, today: datetime.date | None = None) -> tuple[AssessmentYear | None, list[Item] | None]:
    """`landing_year` with its items, when they were computed on the way (None otherwise)."""
    years = list(AssessmentYear.objects.select_related("scheme").order_by("-year")[:LANDING_YEARS])
    with_items: list[tuple[AssessmentYear, list[Item]]] = []
    for year in years:
        items = worklist(user, year, today) if year.phase != Phase.ARCHIVED else []
        if items and not year.is_frozen:
            return year, items
        if items:
            with_items.append((year, items))
    if with_items:
        return with_items[0]
    in_progress = [y for y in years if not y.is_frozen]
    if in_progress:
        return in_progress[0], None
    return (years[0], None) if years else (None, None)
