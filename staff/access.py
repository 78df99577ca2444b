"""Who may see or write which staff page (built on departments.access; every staff view calls these)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from departments.access import (
    has_role,
    headed_departments,
    is_leadership,
    is_review_lead,
    is_reviewer,
    reviewer_offices,
    sees_all_departments,
)
from departments.models import Department, Role
from scoring.models import AssessmentYear, Rule, Supervision


def is_vice_chair(user) -> bool:
    return user.is_authenticated and has_role(user, Role.VICE_CHAIR)


def supervised_departments(user, year: AssessmentYear) -> list[Department]:
    """The departments a vice chair supervises (分管) in a year, cached on the user for the request."""
    if not is_vice_chair(user):
        return []
    cache = user.__dict__.setdefault("_kaohe_supervised", {})
    if year.pk not in cache:
        cache[year.pk] = [
            s.department
            for s in Supervision.objects.filter(year=year, leader__user=user)
            .select_related("department")
            .order_by("department__order", "department_id")
        ]
    return cache[year.pk]


def may_see_department(user, year: AssessmentYear, department: Department) -> bool:
    """Its head, its supervising vice chair, leadership and the review group."""
    if sees_all_departments(user):
        return True
    if department.pk in {d.pk for d in headed_departments(user)}:
        return True
    return department.pk in {d.pk for d in supervised_departments(user, year)}


def may_write_department(user, department: Department) -> bool:
    """Monthly reports and the self-assessment are written by the department's own head only."""
    return department.pk in {d.pk for d in headed_departments(user)}


def may_see_ranking(user, year: AssessmentYear) -> bool:
    """Rank and award: leadership and the review group always; everyone else once results are published."""
    return sees_all_departments(user) or year.results_published


def may_see_results(user) -> bool:
    return sees_all_departments(user)


def may_compare(user) -> bool:
    """The comparison of self-assessment and ledger: the review group (and leadership, who see everything)."""
    return is_reviewer(user) or is_leadership(user)


def may_record_rule(user, rule: Rule) -> bool:
    """The reviewer of the rule's recorder office (docs/scoring.md §2, "recorder") or the review lead."""
    if is_review_lead(user):
        return True
    offices = {d.pk for d in reviewer_offices(user)}
    return bool(offices) and any(o.pk in offices for o in rule.recorder_offices.all())


def records_own_department(user, department: Department) -> bool:
    """A reviewer recording against his or her own office needs the review lead's confirmation."""
    return not is_review_lead(user) and department.pk in {d.pk for d in reviewer_offices(user)}


def department_for_user(user, year: AssessmentYear, pk: int, *, write: bool = False) -> Department:
    """The department `pk` if the user may see it (or write for it): 404 if unknown, 403 if not allowed."""
    department = get_object_or_404(Department, pk=pk)
    allowed = may_write_department(user, department) if write else may_see_department(user, year, department)
    if not allowed:
        raise PermissionDenied("您无权访问该部室的信息。")
    return department


def year_for_request(year: int) -> AssessmentYear:
    try:
        return AssessmentYear.objects.select_related("scheme").get(year=year)
    except AssessmentYear.DoesNotExist:
        raise Http404("没有该考核年度。") from None
