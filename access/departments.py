"""A department's pages and files: who sees them, who writes them, who sees the ranking; the year and the
department a page asks for (404 if unknown, 403 if not allowed)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from access.roles import (
    headed_departments,
    heads,
    is_leadership,
    is_reviewer,
    sees_all_departments,
    supervises,
    supervises_in_some_year,
)
from departments.models import Department
from scoring.models import AssessmentYear


def may_see_department(user, year: AssessmentYear, department: Department) -> bool:
    """A department's scores, monthly reports and self-assessment: leadership and the review group, its head,
    and the vice chair who supervises it that year."""
    return sees_all_departments(user) or heads(user, department) or supervises(user, year, department)


def may_write_department(user, department: Department) -> bool:
    """Monthly reports and the self-assessment are written by the department's own head only."""
    return heads(user, department)


def may_see_ranking(user, year: AssessmentYear) -> bool:
    """Rank and award: leadership and the review group always; everyone else once results are published."""
    return sees_all_departments(user) or year.results_published


def may_see_results(user) -> bool:
    """The year's results, every department ranked: leadership and the review group."""
    return sees_all_departments(user)


def may_compare(user) -> bool:
    """The comparison of self-assessment and ledger: the review group and leadership."""
    return is_reviewer(user) or is_leadership(user)


def may_download_year_reports(user) -> bool:
    """The year-end PDF and workbook, every department's forms: leadership and the review group."""
    return sees_all_departments(user)


def may_download_department_report(user, year: AssessmentYear, department: Department) -> bool:
    """A department's section of the year-end report: leadership and the review group; its head once the
    results are published (before that the head does not see the rank or award)."""
    if may_download_year_reports(user):
        return True
    return bool(year.results_published) and heads(user, department)


def may_open_reports(user) -> bool:
    """The reports' index: leadership and the review group, department heads, and vice chairs who supervise a
    department in some year (each year's page then lists what the user may fetch)."""
    return may_download_year_reports(user) or bool(headed_departments(user)) or supervises_in_some_year(user)


def may_print_department_forms(user, year: AssessmentYear, department: Department) -> bool:
    """A department's own forms (自评表, monthly plans and summaries): whoever may see the department."""
    return may_see_department(user, year, department)


def year_for_request(year: int) -> AssessmentYear:
    """The assessment year a page asks for (404 if there is none)."""
    try:
        return AssessmentYear.objects.select_related("scheme").get(year=year)
    except AssessmentYear.DoesNotExist:
        raise Http404("没有该考核年度。") from None


def department_for_user(user, year: AssessmentYear, pk: int, *, write: bool = False) -> Department:
    """The department `pk` if the user may see it (or write for it): 404 if unknown, 403 if not allowed."""
    department = get_object_or_404(Department, pk=pk)
    allowed = may_write_department(user, department) if write else may_see_department(user, year, department)
    if not allowed:
        raise PermissionDenied("您无权访问该部室的信息。")
    return department
