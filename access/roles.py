"""Who the user is: roles (`Membership`), the departments a head heads and a reviewer's office, and the departments
a vice chair supervises (分管) in a year. Cached on the user object for the request."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from departments.models import Department, Membership, Role
from scoring.models import AssessmentYear, Supervision


def _memberships(user) -> list[Membership]:
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
    """The review lead (考核小组组长); the system administrator counts as one."""
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.REVIEW_LEAD))


def is_leadership(user) -> bool:
    """The chair and the party group (主席/党组); the system administrator counts as leadership."""
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.LEADERSHIP))


def is_reviewer(user) -> bool:
    """A member of the review group (考核小组): reviewers and the lead."""
    return is_review_lead(user) or has_role(user, Role.REVIEWER)


def is_vice_chair(user) -> bool:
    return has_role(user, Role.VICE_CHAIR)


def is_admin(user) -> bool:
    """The system administrator (a superuser)."""
    return user.is_authenticated and user.is_superuser


def may_manage_roster(user) -> bool:
    """The staff roster (人员名册), its Excel import and export and the accounts created from it: the system
    administrator."""
    return is_admin(user)


def sees_all_departments(user) -> bool:
    """Leadership and the review group see every department's records and scores."""
    return is_reviewer(user) or is_leadership(user)


def reviewer_offices(user) -> list[Department]:
    """A reviewer's offices (科室): they decide which rules he or she records."""
    if not user.is_authenticated:
        return []
    return [m.department for m in _memberships(user) if m.role == Role.REVIEWER and m.department is not None]


def headed_departments(user) -> list[Department]:
    if not user.is_authenticated:
        return []
    return [m.department for m in _memberships(user) if m.role == Role.DEPARTMENT_HEAD and m.department is not None]


def heads(user, department: Department) -> bool:
    """Is the user the head of `department`?"""
    return department.pk in {d.pk for d in headed_departments(user)}


def supervised_departments(user, year: AssessmentYear) -> list[Department]:
    """The departments a vice chair supervises (分管) in a year: those whose `Supervision` names the leader whose
    account the user is, for a user with the vice chair's role."""
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


def supervises(user, year: AssessmentYear, department: Department) -> bool:
    return department.pk in {d.pk for d in supervised_departments(user, year)}


def supervises_in_some_year(user) -> bool:
    """Does the user supervise a department in any year (see `supervised_departments`)?"""
    return is_vice_chair(user) and Supervision.objects.filter(leader__user=user).exists()
