"""Every public rule of `access` for every role, as a table: a row per question, a column per role, the exact
answer in each cell. The users are the demo cast (2023: 办公室 is headed by head_bgs, supervised by vice_li and
is reviewer_bgs's office; 女职工部 is supervised by vice_zhao), plus a party-group member with the leadership
role and no leader record."""

import copy

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404

import access
from departments.models import Department, Role
from reviews.models import LedgerImport, LedgerRecord
from scoring.models import AssessmentYear, Rule
from tests.factories import UserFactory

User = get_user_model()
ROLES = ("head", "reviewer", "lead", "vice_supervising", "vice_other", "chair", "leadership", "admin", "anonymous")
CAST = {
    "head": "head_bgs",  # head of 办公室
    "reviewer": "reviewer_bgs",  # reviewer whose office is 办公室 (records S, I, C, B)
    "lead": "lead",
    "vice_supervising": "vice_li",  # supervises 组织部, 办公室, 宣教调研室
    "vice_other": "vice_zhao",  # supervises 民管法工部, 生活保障部, 女职工部, 经济工作部
    "chair": "leader_wang",  # 王主席: the chair's leader record and the leadership role
    "admin": "admin",  # superuser, no role
}

# fmt: off
#                                           head rev  lead vsup voth chair lshp admin anon
TABLE = {
    "is_review_lead":                         (0,   0,   1,   0,   0,   0,    0,   1,    0),
    "is_leadership":                          (0,   0,   0,   0,   0,   1,    1,   1,    0),
    "is_reviewer":                            (0,   1,   1,   0,   0,   0,    0,   1,    0),
    "is_vice_chair":                          (0,   0,   0,   1,   1,   0,    0,   0,    0),
    "is_admin":                               (0,   0,   0,   0,   0,   0,    0,   1,    0),
    "may_manage_roster":                      (0,   0,   0,   0,   0,   0,    0,   1,    0),
    "sees_all_departments":                   (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "heads 办公室":                           (1,   0,   0,   0,   0,   0,    0,   0,    0),
    "supervises 办公室":                      (0,   0,   0,   1,   0,   0,    0,   0,    0),
    "may_see_department 办公室":              (1,   1,   1,   1,   0,   1,    1,   1,    0),
    "may_see_department 女职工部":            (0,   1,   1,   0,   1,   1,    1,   1,    0),
    "may_write_department 办公室":            (1,   0,   0,   0,   0,   0,    0,   0,    0),
    "may_see_ranking":                        (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_see_ranking published":              (1,   1,   1,   1,   1,   1,    1,   1,    1),
    "may_see_results":                        (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_compare":                            (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_download_year_reports":              (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_download_department_report 办公室":  (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_download_department_report 办公室 published":
                                              (1,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_print_department_forms 办公室":      (1,   1,   1,   1,   0,   1,    1,   1,    0),
    "may_open_reports":                       (1,   1,   1,   1,   1,   1,    1,   1,    0),
    "may_record_rule S1 (办公室 records)":    (0,   1,   1,   0,   0,   0,    0,   1,    0),
    "may_record_rule T4 (组织部 records)":    (0,   0,   1,   0,   0,   0,    0,   1,    0),
    "may_record_rule D1 (no recorder office)":(0,   0,   1,   0,   0,   0,    0,   1,    0),
    "may_enter_targets":                      (0,   0,   1,   0,   0,   0,    0,   1,    0),
    "may_record_target":                      (0,   1,   1,   0,   0,   0,    0,   1,    0),
    "needs_confirmation 办公室":              (0,   1,   0,   0,   0,   0,    0,   0,    0),
    "needs_confirmation 组织部":              (0,   0,   0,   0,   0,   0,    0,   0,    0),
    "may_see_record of 办公室":               (1,   1,   1,   1,   0,   1,    1,   1,    0),
    "may_see_record of 女职工部":             (0,   1,   1,   0,   1,   1,    1,   1,    0),
    "may_see_import by reviewer_bgs":         (0,   1,   1,   0,   0,   0,    0,   1,    0),
    "may_see_procedure":                      (1,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_move_phase":                         (0,   0,   1,   0,   0,   1,    1,   1,    0),
    "may_decide":                             (0,   0,   0,   0,   0,   1,    1,   1,    0),
    "may_reopen":                             (0,   0,   0,   0,   0,   0,    0,   1,    0),
    "may_start_year":                         (0,   0,   1,   0,   0,   0,    0,   1,    0),
    "may_read_history":                       (0,   0,   1,   0,   0,   1,    1,   1,    0),
    "may_see_objections_of_all":              (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_read_notice approved":               (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_read_notice announced":              (1,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_edit_notice":                        (0,   0,   1,   0,   0,   0,    0,   1,    0),
    "may_manage_democratic":                  (0,   0,   1,   0,   0,   0,    0,   1,    0),
    "may_view_democratic_results":            (0,   1,   1,   0,   0,   1,    1,   1,    0),
    "may_write_review_account":               (0,   0,   1,   0,   0,   0,    0,   1,    0),
    "may_download_review_account":            (0,   0,   1,   0,   0,   1,    1,   1,    0),
}
# fmt: on


def _year_as(year: AssessmentYear, **values) -> AssessmentYear:
    """The year as if its fields were `values` (in memory only)."""
    changed = copy.copy(year)
    for name, value in values.items():
        setattr(changed, name, value)
    return changed


def _record_of(year: AssessmentYear, name: str) -> LedgerRecord:
    """A record of the year against the department `name` alone."""
    return (
        LedgerRecord.objects.select_related("year")
        .annotate(shared=Count("record_departments"))
        .filter(year=year, shared=1, record_departments__department__name=name)
        .order_by("pk")
        .first()
    )


def _questions(year: AssessmentYear) -> dict:
    bgs, nzgb, zzb = (Department.objects.get(name=name) for name in ("办公室", "女职工部", "组织部"))
    rules = {rule.code: rule for rule in Rule.objects.filter(scheme=year.scheme, code__in=["S1", "T4", "D1"])}
    published = _year_as(year, results_published=True)
    approved = _year_as(year, phase=AssessmentYear.Phase.APPROVED)
    announced = _year_as(year, phase=AssessmentYear.Phase.ANNOUNCED)
    bgs_record, nzgb_record = _record_of(year, "办公室"), _record_of(year, "女职工部")
    job = LedgerImport(year=year, requested_by=User.objects.get(username="reviewer_bgs"), file_name="台帐.xlsx")
    return {
        "is_review_lead": access.is_review_lead,
        "is_leadership": access.is_leadership,
        "is_reviewer": access.is_reviewer,
        "is_vice_chair": access.is_vice_chair,
        "is_admin": access.is_admin,
        "may_manage_roster": access.may_manage_roster,
        "sees_all_departments": access.sees_all_departments,
        "heads 办公室": lambda u: access.heads(u, bgs),
        "supervises 办公室": lambda u: access.supervises(u, year, bgs),
        "may_see_department 办公室": lambda u: access.may_see_department(u, year, bgs),
        "may_see_department 女职工部": lambda u: access.may_see_department(u, year, nzgb),
        "may_write_department 办公室": lambda u: access.may_write_department(u, bgs),
        "may_see_ranking": lambda u: access.may_see_ranking(u, year),
        "may_see_ranking published": lambda u: access.may_see_ranking(u, published),
        "may_see_results": access.may_see_results,
        "may_compare": access.may_compare,
        "may_download_year_reports": access.may_download_year_reports,
        "may_download_department_report 办公室": lambda u: access.may_download_department_report(u, year, bgs),
        "may_download_department_report 办公室 published": lambda u: access.may_download_department_report(
            u, published, bgs
        ),
        "may_print_department_forms 办公室": lambda u: access.may_print_department_forms(u, year, bgs),
        "may_open_reports": access.may_open_reports,
        "may_record_rule S1 (办公室 records)": lambda u: access.may_record_rule(u, rules["S1"]),
        "may_record_rule T4 (组织部 records)": lambda u: access.may_record_rule(u, rules["T4"]),
        "may_record_rule D1 (no recorder office)": lambda u: access.may_record_rule(u, rules["D1"]),
        "may_enter_targets": access.may_enter_targets,
        "may_record_target": access.may_record_target,
        "needs_confirmation 办公室": lambda u: access.needs_confirmation(u, [bgs]),
        "needs_confirmation 组织部": lambda u: access.needs_confirmation(u, [zzb]),
        "may_see_record of 办公室": lambda u: access.may_see_record(u, bgs_record),
        "may_see_record of 女职工部": lambda u: access.may_see_record(u, nzgb_record),
        "may_see_import by reviewer_bgs": lambda u: access.may_see_import(u, job),
        "may_see_procedure": access.may_see_procedure,
        "may_move_phase": access.may_move_phase,
        "may_decide": access.may_decide,
        "may_reopen": access.may_reopen,
        "may_start_year": access.may_start_year,
        "may_read_history": access.may_read_history,
        "may_see_objections_of_all": access.may_see_objections_of_all,
        "may_read_notice approved": lambda u: access.may_read_notice(u, approved),
        "may_read_notice announced": lambda u: access.may_read_notice(u, announced),
        "may_edit_notice": access.may_edit_notice,
        "may_manage_democratic": access.may_manage_democratic,
        "may_view_democratic_results": access.may_view_democratic_results,
        "may_write_review_account": access.may_write_review_account,
        "may_download_review_account": access.may_download_review_account,
    }


def _user(role: str, cast):
    if role == "anonymous":
        return AnonymousUser()
    if role == "leadership":
        return UserFactory(username="party_member", role=Role.LEADERSHIP)
    return cast[CAST[role]]


@pytest.mark.parametrize("role", ROLES)
def test_rules_answer_each_question_for_each_role(demo_year, cast, role):
    user = _user(role, cast)
    column = ROLES.index(role)

    answers = {question: ask(user) for question, ask in _questions(demo_year).items()}

    assert answers == {question: bool(row[column]) for question, row in TABLE.items()}
    assert {type(answer) for answer in answers.values()} == {bool}


ALL_RULES = [
    "T1", "T2", "T3", "T4", "S1", "S2", "S3", "P1", "P2", "P3", "G1", "G2", "G3", "I1", "I2", "C1", "D1", "D2", "D3",
    "B1", "B2", "B3", "V1", "V2", "V3", "V4", "V5",
]  # fmt: skip
OFFICE_RULES = ["S1", "S2", "S3", "I1", "I2", "C1", "B1", "B2", "B3"]  # 办公室's, in scheme order
# Per role: its roles, headed departments, reviewer offices, supervised departments (2023), recordable rules (2023).
LISTS = {
    "head": ({"head"}, ["办公室"], [], [], []),
    "reviewer": ({"reviewer"}, [], ["办公室"], [], OFFICE_RULES),
    "lead": ({"lead"}, [], [], [], ALL_RULES),
    "vice_supervising": ({"vice_chair"}, [], [], ["组织部", "办公室", "宣教调研室"], []),
    "vice_other": ({"vice_chair"}, [], [], ["民管法工部", "生活保障部", "女职工部", "经济工作部"], []),
    "chair": ({"leadership"}, [], [], [], []),
    "leadership": ({"leadership"}, [], [], [], []),
    "admin": (set(), [], [], [], ALL_RULES),
    "anonymous": (set(), [], [], [], []),
}


@pytest.mark.parametrize("role", ROLES)
def test_roles_and_their_departments_for_each_role(demo_year, cast, role):
    user = _user(role, cast)

    answers = (
        access.roles_of(user),
        [d.name for d in access.headed_departments(user)],
        [d.name for d in access.reviewer_offices(user)],
        [d.name for d in access.supervised_departments(user, demo_year)],
        list(access.recordable_rules(user, demo_year).values_list("code", flat=True)),
    )

    assert answers == (frozenset(LISTS[role][0]), *LISTS[role][1:])


def test_year_for_request_is_404_for_an_unknown_year(demo_year):
    assert access.year_for_request(2023) == demo_year
    with pytest.raises(Http404):
        access.year_for_request(1999)


def test_department_for_user_is_404_if_unknown_and_403_if_not_allowed(demo_year, cast):
    bgs = Department.objects.get(name="办公室")
    assert access.department_for_user(cast["head_bgs"], demo_year, bgs.pk, write=True) == bgs
    assert access.department_for_user(cast["vice_li"], demo_year, bgs.pk) == bgs
    with pytest.raises(PermissionDenied):
        access.department_for_user(cast["vice_li"], demo_year, bgs.pk, write=True)  # sees it, does not write it
    with pytest.raises(PermissionDenied):
        access.department_for_user(cast["vice_zhao"], demo_year, bgs.pk)
    with pytest.raises(Http404):
        access.department_for_user(cast["lead"], demo_year, 999_999)


def test_supervision_needs_the_vice_chair_role(demo_year, cast):
    """A leader's account counts as supervising only while it has the vice chair's role."""
    vice = cast["vice_li"]
    vice.memberships.filter(role=Role.VICE_CHAIR).delete()
    bgs = Department.objects.get(name="办公室")

    assert access.supervised_departments(vice, demo_year) == []
    assert access.may_see_department(vice, demo_year, bgs) is False
    assert access.may_print_department_forms(vice, demo_year, bgs) is False
    assert access.may_open_reports(vice) is False
