"""The review group's responsibility division (十、考核组织): who records which rule, whose records wait for the
lead's confirmation, who sees a record and its evidence; who allots target items (目标管理, docs/scoring.md §7)
and who records against them."""

from __future__ import annotations

from django.db.models import QuerySet

from access.roles import (
    headed_departments,
    is_review_lead,
    is_reviewer,
    reviewer_offices,
    sees_all_departments,
    supervised_departments,
)
from departments.models import Department
from scoring.models import AssessmentYear, Rule


def recordable_rules(user, year: AssessmentYear) -> QuerySet[Rule]:
    """The rules of the year's scheme this user may record: the lead all of them; a reviewer those whose
    recorder offices include his or her office (a rule with no recorder office is the lead's alone)."""
    rules = Rule.objects.filter(scheme_id=year.scheme_id).select_related("category")
    if is_review_lead(user):
        return rules.order_by("category__order", "order", "id")
    offices = [d.pk for d in reviewer_offices(user)]
    if not offices:
        return rules.none()
    return rules.filter(recorder_offices__in=offices).distinct().order_by("category__order", "order", "id")


def may_record_rule(user, rule: Rule) -> bool:
    """The reviewer of one of the rule's recorder offices (docs/scoring.md §2, "recorder") or the review lead: who
    records under the rule, decides its T4 suggestions and answers objections to its records."""
    if is_review_lead(user):
        return True
    offices = {d.pk for d in reviewer_offices(user)}
    return bool(offices) and any(office.pk in offices for office in rule.recorder_offices.all())


def may_enter_targets(user) -> bool:
    """Who allots a year's target items and their points (应得分), by hand or from a workbook: the review lead
    (and the system administrator, who counts as one). The allotment decides how a department's 100 points are
    split, so it is not a reviewer's to change."""
    return is_review_lead(user)


def may_record_target(user, target=None) -> bool:
    """Who records a deduction or 立项工作没有开展 against a target item: the review group, lead and reviewers
    alike. A target has no recorder office (unlike a rule, docs/scoring.md §2), so no office narrows it down;
    `target` is taken for the day it has one."""
    return is_reviewer(user)


def needs_confirmation(user, departments: list[Department]) -> bool:
    """A reviewer recording against his or her own office needs the lead's confirmation; until then the record
    is pending (待确认) and does not count."""
    if is_review_lead(user):
        return False
    offices = {d.pk for d in reviewer_offices(user)}
    return any(d.pk in offices for d in departments)


def may_see_record(user, record) -> bool:
    """Who may see a ledger record and its evidence: the review group and leadership all; a department head the
    records of his or her department; a vice chair those of the departments supervised in the record's year."""
    if not user.is_authenticated:
        return False
    if sees_all_departments(user):
        return True
    department_ids = {link.department_id for link in record.record_departments.all()}
    if department_ids & {d.pk for d in headed_departments(user)}:
        return True
    return bool(department_ids & {d.pk for d in supervised_departments(user, record.year)})


def may_see_import(user, job) -> bool:
    """Who may follow a background ledger import (reviews.LedgerImport) and read its bad rows: whoever submitted
    it, and the review lead."""
    return user.is_authenticated and (job.requested_by_id == user.pk or is_review_lead(user))
