"""The review group's responsibility division (十、考核组织), on top of departments.access.

Kept here rather than in departments/access.py so the ledger's questions stay next to the ledger; every
admin hook, form, import and download of reviews/ asks these helpers.
"""

from __future__ import annotations

from django.db.models import QuerySet

from departments import access
from scoring.models import AssessmentYear, Rule, Supervision


def recordable_rules(user, year: AssessmentYear) -> QuerySet[Rule]:
    """The rules of the year's scheme this user may record: the lead all of them; a reviewer those whose
    recorder offices include his or her office (a rule with no recorder office is the lead's alone)."""
    rules = Rule.objects.filter(scheme_id=year.scheme_id).select_related("category")
    if access.is_review_lead(user):
        return rules.order_by("category__order", "order", "id")
    offices = [d.pk for d in access.reviewer_offices(user)]
    if not offices:
        return rules.none()
    return rules.filter(recorder_offices__in=offices).distinct().order_by("category__order", "order", "id")


def can_record_rule(user, rule: Rule) -> bool:
    if access.is_review_lead(user):
        return True
    offices = {d.pk for d in access.reviewer_offices(user)}
    if not offices:
        return False
    return rule.recorder_offices.filter(pk__in=offices).exists()


def needs_confirmation(user, departments) -> bool:
    """A reviewer recording against his or her own office needs the lead's confirmation; until then the record
    is pending (待确认) and does not count."""
    if access.is_review_lead(user):
        return False
    offices = {d.pk for d in access.reviewer_offices(user)}
    return any(d.pk in offices for d in departments)


def can_see_record(user, record) -> bool:
    """Who may see a record and its evidence: the review group and leadership all; a department head the
    records of his or her department; a vice chair those of the departments supervised in that year."""
    if not user.is_authenticated:
        return False
    if access.sees_all_departments(user):
        return True
    department_ids = {link.department_id for link in record.record_departments.all()}
    if department_ids & {d.pk for d in access.headed_departments(user)}:
        return True
    if access.has_role(user, access.Role.VICE_CHAIR):
        return Supervision.objects.filter(
            year_id=record.year_id, leader__user=user, department_id__in=department_ids
        ).exists()
    return False
