"""Who may take which step of the year's procedure (built on departments.access)."""

from __future__ import annotations

from departments.access import (
    headed_departments,
    is_leadership,
    is_review_lead,
    is_reviewer,
    reviewer_offices,
    sees_all_departments,
)
from scoring.models import AssessmentYear, Rule


def may_move_phase(user) -> bool:
    """七、考核程序: the review lead runs the year's steps; leadership may too."""
    return is_review_lead(user) or is_leadership(user)


def may_decide(user) -> bool:
    """Ordering ties, granting discretionary awards, recording approval and announcing: leadership."""
    return is_leadership(user)


def may_reopen(user) -> bool:
    """Re-opening an approved year is the system administrator's action."""
    return user.is_authenticated and user.is_superuser


def may_answer_for_rule(user, rule: Rule) -> bool:
    """The reviewer of the record's category (the rule's recorder office) or the review lead answers."""
    if is_review_lead(user):
        return True
    offices = {d.pk for d in reviewer_offices(user)}
    return bool(offices) and rule.recorder_offices.filter(pk__in=offices).exists()


def may_see_objections_of_all(user) -> bool:
    return sees_all_departments(user)


def may_read_notice(user, year: AssessmentYear) -> bool:
    """The 通报: leadership and the review group once approved; department heads once announced."""
    if not user.is_authenticated:
        return False
    if is_leadership(user) or is_reviewer(user):
        return True
    return bool(headed_departments(user)) and year.phase in {
        AssessmentYear.Phase.ANNOUNCED,
        AssessmentYear.Phase.ARCHIVED,
    }
