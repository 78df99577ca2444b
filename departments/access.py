"""Who may do what: one helper per question, used by every view, admin class and download."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from departments.models import Department, Membership, Role
from scoring.models import Supervision


def _memberships(user) -> list[Membership]:
    # Cached on the user object for the request.
    cached = getattr(user, "_kaohe_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("department"))
        user._kaohe_memberships = cached
    return cached


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(m.role for m in _memberships(user))


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def is_review_lead(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.REVIEW_LEAD))


def is_leadership(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.LEADERSHIP))


def is_reviewer(user) -> bool:
    """A member of the review group (考核小组): reviewers and the lead."""
    return is_review_lead(user) or has_role(user, Role.REVIEWER)


def sees_all_departments(user) -> bool:
    """Leadership and the review group see every department's records and scores."""
    return is_reviewer(user) or is_leadership(user)


def reviewer_offices(user) -> list[Department]:
    return [m.department for m in _memberships(user) if m.role == Role.REVIEWER and m.department_id]


def headed_departments(user) -> list[Department]:
    if not user.is_authenticated:
        return []
    return [m.department for m in _memberships(user) if m.role == Role.DEPARTMENT_HEAD and m.department_id]


def can_manage_democratic(user) -> bool:
    """Open and close democratic-evaluation rounds, print codes, enter paper ballots: the review lead."""
    return is_review_lead(user)


def can_view_democratic_results(user) -> bool:
    """See a closed round's statistics: leadership and the review group."""
    return sees_all_departments(user)


def can_download_year_reports(user) -> bool:
    """The year-end PDF and workbook, every department's forms: leadership and the review group."""
    return sees_all_departments(user)


def can_download_department_report(user, year, department: Department) -> bool:
    """A department's section of the year-end report: leadership and the review group; its head once the
    results are published (before that the head does not see the rank or award)."""
    if can_download_year_reports(user):
        return True
    return bool(year.results_published) and any(d.pk == department.pk for d in headed_departments(user))


def can_print_department_forms(user, year, department: Department) -> bool:
    """A department's own forms (自评表, monthly plans and summaries): leadership, the review group, its head,
    and the vice chair who supervises it that year."""
    if can_download_year_reports(user) or any(d.pk == department.pk for d in headed_departments(user)):
        return True
    if not user.is_authenticated:
        return False

    return Supervision.objects.filter(year=year, department=department, leader__user=user).exists()
