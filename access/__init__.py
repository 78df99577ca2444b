"""Who may do what: every "may this user…" question of Kaohe, each answered once. Views, admin classes, forms,
services, template tags and context processors ask these; none writes a rule of its own.

- `access.roles`: roles, a head's departments, a reviewer's offices, a vice chair's supervised departments; who
  keeps the staff roster.
- `access.departments`: a department's pages and files, the ranking, the results; the year and department a
  page asks for.
- `access.ledger`: who records which rule, whose records wait for confirmation, who sees a record; who allots
  target items and who records against them.
- `access.procedure`: the year's steps, decisions, objections, the 通报, democratic evaluation, the review group's
  written year-end account.

It reads departments.models and scoring.models only (the import contract in pyproject.toml keeps it so).
"""

from access.departments import (
    department_for_user,
    may_compare,
    may_download_department_report,
    may_download_year_reports,
    may_open_reports,
    may_print_department_forms,
    may_see_department,
    may_see_ranking,
    may_see_results,
    may_write_department,
    year_for_request,
)
from access.ledger import (
    may_enter_targets,
    may_record_rule,
    may_record_target,
    may_see_import,
    may_see_record,
    needs_confirmation,
    recordable_rules,
)
from access.procedure import (
    may_decide,
    may_download_review_account,
    may_edit_notice,
    may_manage_democratic,
    may_move_phase,
    may_read_history,
    may_read_notice,
    may_reopen,
    may_see_objections_of_all,
    may_see_procedure,
    may_start_year,
    may_view_democratic_results,
    may_write_review_account,
)
from access.roles import (
    has_role,
    headed_departments,
    heads,
    is_admin,
    is_leadership,
    is_review_lead,
    is_reviewer,
    is_vice_chair,
    may_manage_roster,
    reviewer_offices,
    roles_of,
    sees_all_departments,
    supervised_departments,
    supervises,
    supervises_in_some_year,
)

__all__ = [
    "department_for_user",
    "has_role",
    "headed_departments",
    "heads",
    "is_admin",
    "is_leadership",
    "is_review_lead",
    "is_reviewer",
    "is_vice_chair",
    "may_compare",
    "may_decide",
    "may_download_department_report",
    "may_download_review_account",
    "may_download_year_reports",
    "may_edit_notice",
    "may_enter_targets",
    "may_manage_democratic",
    "may_manage_roster",
    "may_move_phase",
    "may_open_reports",
    "may_print_department_forms",
    "may_read_history",
    "may_read_notice",
    "may_record_rule",
    "may_record_target",
    "may_reopen",
    "may_see_department",
    "may_see_import",
    "may_see_objections_of_all",
    "may_see_procedure",
    "may_see_ranking",
    "may_see_record",
    "may_see_results",
    "may_start_year",
    "may_view_democratic_results",
    "may_write_department",
    "may_write_review_account",
    "needs_confirmation",
    "recordable_rules",
    "reviewer_offices",
    "roles_of",
    "sees_all_departments",
    "supervised_departments",
    "supervises",
    "supervises_in_some_year",
    "year_for_request",
]
