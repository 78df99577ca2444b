"""A new year from last year: year N+1 with year N's scheme (copied and named for the year, or kept), its
departments with their headcounts, leaders and supervisions, and every setting of the year, created in one
transaction in 准备.

What a year does not own is kept as it is: the organisation's document settings (one row for every year) and
the democratic evaluation's rater groups, which belong to a round opened in 评分 — the new year's round form
offers last year's groups (`ballots.services.default_groups`).
"""

from __future__ import annotations

import dataclasses
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

import access
from departments.models import Department, Organisation
from scoring.catalogue import scheme_copy, scheme_copy_names
from scoring.models import AssessmentYear, Scheme, Supervision, YearDepartment, YearLeader

# The year's own settings a new year takes over unchanged (scheme, phase and the rows below aside).
SETTINGS = (
    "review_weight",
    "democratic_weight",
    "first_prize_count",
    "first_prize_per_capita",
    "second_prize_count",
    "second_prize_per_capita",
    "discretionary_threshold",
    "democratic_source",
    "grade_points",
    "group_weights",
    "exclude_own_department",
)

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclasses.dataclass(frozen=True)
class TakingPart:
    department: Department
    headcount: int


@dataclasses.dataclass(frozen=True)
class NewYear:
    """What `year_next_create` will create: shown on the confirmation page, then created as it says."""

    source: AssessmentYear
    year: int
    title: str
    copy_scheme: bool
    scheme_code: str
    scheme_name: str
    departments: tuple[TakingPart, ...]

    def consequences(self) -> list[str]:
        """The confirmation page's lines: everything the new year gets."""
        source = self.source
        if self.copy_scheme:
            scheme = (
                f"复制{source.scheme.name}（{source.scheme.code}）为新方案“{self.scheme_name}”（{self.scheme_code}）"
            )
        else:
            scheme = f"沿用考核方案“{source.scheme.name}”（{source.scheme.code}）"
        parts = "、".join(f"{p.department.name}{p.headcount}人" for p in self.departments)
        leaders = "、".join(e.leader.name for e in source.year_leaders.select_related("leader"))
        names = {p.department.pk for p in self.departments}
        supervisions = [
            s for s in source.supervisions.select_related("leader", "department") if s.department_id in names
        ]
        settings_line = settings_summary(source)
        lines = [
            f"新建考核年度“{self.title or f'{self.year}年度'}”，阶段为“准备”；",
            f"{scheme}；",
            f"参评部室 {len(self.departments)} 个：{parts}；",
            f"年度领导：{leaders or '无'}；分管关系 {len(supervisions)} 项，与{source.year}年度相同；",
            f"年度设置与{source.year}年度相同：{settings_line}；",
        ]
        if source.group_weights:
            weights = "、".join(f"{name}{weight}" for name, weight in source.group_weights.items())
            lines.append(f"测评人群体权重：{weights}（民主测评开始时按{source.year}年度的测评人群体预填）；")
        else:
            lines.append(f"测评人群体：民主测评开始时按{source.year}年度的群体和人数预填；")
        lines.append(f"文件设置沿用组织信息“{Organisation.current().name}”（各年度共用）。")
        return lines


def _n(value) -> str:
    return f"{value.normalize():f}"


def settings_summary(source: AssessmentYear) -> str:
    """The year's settings in one line, as the form and its confirmation show them."""
    grades = "、".join(f"{grade}{points}分" for grade, points in source.grade_points.items())
    return (
        f"权重 考核小组评分{_n(source.review_weight)}、民主测评{_n(source.democratic_weight)}；"
        f"一等奖{source.first_prize_count}名（人均{_n(source.first_prize_per_capita)}元）、"
        f"二等奖{source.second_prize_count}名（人均{_n(source.second_prize_per_capita)}元）；"
        f"酌情奖励分数线{_n(source.discretionary_threshold)}分；民主测评：{source.get_democratic_source_display()}"
        f"（测评等次 {grades}；{'不计' if source.exclude_own_department else '计入'}本部室测评）"
    )


def next_title(source: AssessmentYear, year: int) -> str:
    """The source year's title with its year replaced by `year` (empty when it names none: the default title)."""
    if not source.title:
        return ""
    found = list(_YEAR.finditer(source.title))
    if not found:
        return source.title
    last = found[-1]
    return f"{source.title[: last.start()]}{year}{source.title[last.end() :]}"


def next_plan_initial(source: AssessmentYear) -> dict:
    """The form's initial values for the year after `source`."""
    code, name = scheme_copy_names(source.scheme)
    return {
        "year": source.year + 1,
        "title": next_title(source, source.year + 1),
        "scheme_action": "copy",
        "scheme_code": code,
        "scheme_name": name,
    }


def departments_initial(source: AssessmentYear) -> list[dict]:
    """The departments offered: those of `source` with their headcounts (taking part), then the other active
    departments (not taking part, headcount empty)."""
    entries = list(source.year_departments.select_related("department"))
    rows = [{"department": e.department, "take_part": True, "headcount": e.headcount} for e in entries]
    seen = {e.department_id for e in entries}
    rows += [
        {"department": d, "take_part": False, "headcount": None}
        for d in Department.objects.filter(is_active=True).exclude(pk__in=seen)
    ]
    return rows


def plan_check(plan: NewYear) -> None:
    """Why the plan cannot be created (ValidationError with every reason), or nothing."""
    problems = []
    if AssessmentYear.objects.filter(year=plan.year).exists():
        problems.append(f"{plan.year}年度已存在。")
    if plan.year <= plan.source.year:
        problems.append(f"新年度须晚于{plan.source.year}年度。")
    if not plan.departments:
        problems.append("请至少选择一个参评部室。")
    if plan.copy_scheme:
        if not plan.scheme_code or not plan.scheme_name:
            problems.append("请填写新方案的代码和名称。")
        elif Scheme.objects.filter(code=plan.scheme_code).exists():
            problems.append(f"方案代码“{plan.scheme_code}”已被使用，请换一个。")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def year_next_create(plan: NewYear, by) -> AssessmentYear:
    """Create the year `plan` describes, all or nothing; it starts in 准备."""
    if not access.may_start_year(by):
        raise PermissionDenied("只有系统管理员或考核小组组长可以新建考核年度。")
    plan_check(plan)
    source = plan.source
    scheme = source.scheme
    if plan.copy_scheme:
        scheme = scheme_copy(scheme=scheme, code=plan.scheme_code, name=plan.scheme_name)
    year = AssessmentYear.objects.create(
        year=plan.year,
        title=plan.title,
        scheme=scheme,
        phase=AssessmentYear.Phase.PREPARING,
        **{name: getattr(source, name) for name in SETTINGS},
    )
    for i, part in enumerate(plan.departments):  # saved one by one: each save is kept in the history
        YearDepartment.objects.create(year=year, department=part.department, headcount=part.headcount, order=i)
    for entry in source.year_leaders.all():
        YearLeader.objects.create(year=year, leader_id=entry.leader_id, order=entry.order)
    taking_part = {p.department.pk for p in plan.departments}
    for s in source.supervisions.all():
        if s.department_id in taking_part:
            Supervision.objects.create(year=year, leader_id=s.leader_id, department_id=s.department_id)
    return year
