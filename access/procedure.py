"""The year's procedure (七、考核程序): its steps, leadership's decisions, objections, the 通报, democratic
evaluation."""

from __future__ import annotations

from access.roles import headed_departments, is_admin, is_leadership, is_review_lead, sees_all_departments
from scoring.models import AssessmentYear


def may_see_procedure(user) -> bool:
    """The procedure's pages (the year's steps, objections): everyone with a role in it, i.e. leadership, the
    review group and department heads."""
    return sees_all_departments(user) or bool(headed_departments(user))


def may_move_phase(user) -> bool:
    """The review lead runs the year's steps; leadership may too."""
    return is_review_lead(user) or is_leadership(user)


def may_start_year(user) -> bool:
    """Creating a new year from last year: the review lead (and the system administrator, who counts as one)."""
    return is_review_lead(user)


def may_read_history(user) -> bool:
    """The 变更记录 (who changed what, when, before and after): the review lead and leadership."""
    return is_review_lead(user) or is_leadership(user)


def may_decide(user) -> bool:
    """Ordering ties, granting discretionary awards, recording approval and announcing: leadership."""
    return is_leadership(user)


def may_reopen(user) -> bool:
    """Re-opening an approved year is the system administrator's action."""
    return is_admin(user)


def may_see_objections_of_all(user) -> bool:
    """Every department's objections: leadership and the review group (a head sees his or her own)."""
    return sees_all_departments(user)


def may_read_notice(user, year: AssessmentYear) -> bool:
    """The 通报: leadership and the review group once approved; department heads once announced."""
    if not user.is_authenticated:
        return False
    if sees_all_departments(user):
        return True
    return bool(headed_departments(user)) and year.phase in {
        AssessmentYear.Phase.ANNOUNCED,
        AssessmentYear.Phase.ARCHIVED,
    }


def may_edit_notice(user) -> bool:
    """Drafting the 通报 (its text, 发文字号, 主送, 抄送, 印发): the review lead (and the administrator)."""
    return is_review_lead(user)


def may_manage_democratic(user) -> bool:
    """Open and close democratic-evaluation rounds, print codes, enter paper ballots: the review lead."""
    return is_review_lead(user)


def may_view_democratic_results(user) -> bool:
    """A closed round's statistics: leadership and the review group."""
    return sees_all_departments(user)


def may_write_review_account(user) -> bool:
    """The review group's written year-end account (九.2): its narrative is the review lead's to write."""
    return is_review_lead(user)


def may_download_review_account(user) -> bool:
    """The review group's written year-end account: the review lead, who gives it, and leadership, who receive it."""
    return is_review_lead(user) or is_leadership(user)
