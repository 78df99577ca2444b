"""Every admin URL of every registered model, for every role of the cast, GET and a crafted POST.

The admin's URL patterns come from `admin.site.get_urls()` (a new model or view is walked automatically) and are
filled with rows of the demo year (one made here for every model the demo leaves empty). Each request's outcome
is compared with one table of expectations: `MODELS` (per model: who may view, add, change, delete; whether an
approved year makes it read-only; which actions exist and who may run them), `SITE` (the admin's own pages) and
`CUSTOM` (the models' extra views). A URL that none of them describes fails the test.

Each POST carries the session's CSRF token (the client enforces CSRF), runs in a savepoint that is rolled back
afterwards (so an allowed delete does not change what the next request sees), and when refused must leave the row
count of every table unchanged, history tables and the admin's log included.

The walk runs twice: in 民主测评 (the demo year open, the ledger writable) and in 审定 (approved: frozen).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.http import HttpResponseForbidden, HttpResponseNotFound
from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

import kaohe.urls
from departments.models import Department, Leader
from notices.models import Notice
from people.models import Person
from reports.models import ReportBuild
from reviews.models import LedgerImport, LedgerRecord, TargetRecord
from scoring.models import AssessmentYear, DiscretionaryAward, Rule, RuleCategory, Target, TieOrder, TieOrderEntry
from tests.conftest import year_in_phase
from workflow.models import Approval, Objection, PhaseTransition, Publicity, Reopening
from workplans.models import BonusClaim, ClaimEvidence, MonthlyReport, PlanItem, SelfAssessment

REVIEWERS = ["reviewer_zzb", "reviewer_bgs", "reviewer_mgfgb", "reviewer_shbzb", "reviewer_xjdys"]
STAFF = [*REVIEWERS, "lead", "admin"]
NON_STAFF = ["anonymous", "outsider", "head_bgs", "head_zzb", "head_nzgb", "vice_li", "vice_zhao", "leader_wang"]
ROLES = [*NON_STAFF, *STAFF]
GROUP = frozenset(STAFF)  # the review group: every reviewer, the lead and the administrator (a lead too)
LEADS = frozenset({"lead", "admin"})
ADMIN = frozenset({"admin"})
NOBODY: frozenset[str] = frozenset()
OPEN, FROZEN = "open", "frozen"


@dataclass(frozen=True)
class M:
    """Who may do what with one model in the admin, on the row `row` picks (change and delete are per row)."""

    view: frozenset[str]
    add: frozenset[str]
    change: frozenset[str]
    delete: frozenset[str]
    frozen: bool  # the row belongs to the demo year: read-only once it is approved
    row: str  # a key of ROWS
    actions: dict[str, frozenset[str]] = field(default_factory=dict)  # besides delete_selected
    # Delete with {"post": "yes"} by an allowed role: "302" (deleted), or "200" when related rows protect it.
    delete_post: str = "302"


def _same(roles: frozenset[str]) -> dict[str, frozenset[str]]:
    return {"view": roles, "add": roles, "change": roles, "delete": roles}


ADMIN_ONLY = _same(ADMIN)
READ_ONLY_ADMIN = {"view": ADMIN, "add": NOBODY, "change": NOBODY, "delete": NOBODY}

# The ledger record walked is a T2 record (category T, recorded by 组织部's reviewer), a target record is the
# lead's or any reviewer's (targets have no recorder office).
MODELS: dict[str, M] = {
    "auth.group": M(**ADMIN_ONLY, frozen=False, row="group"),
    "auth.user": M(**ADMIN_ONLY, frozen=False, row="user"),
    # Deleting a login attempt lifts its lockout; nobody edits one.
    "axes.accessattempt": M(view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=False, row="attempt"),
    "axes.accesslog": M(view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=False, row="access_log"),
    "axes.accessfailurelog": M(view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=False, row="failure_log"),
    "django_tasks_database.dbtaskresult": M(**READ_ONLY_ADMIN, frozen=False, row="task"),
    "departments.department": M(**ADMIN_ONLY, frozen=False, row="department", delete_post="200"),
    "departments.organisation": M(
        view=ADMIN, add=NOBODY, change=ADMIN, delete=NOBODY, frozen=False, row="organisation"
    ),
    "departments.leader": M(**ADMIN_ONLY, frozen=False, row="leader", delete_post="200"),
    "departments.membership": M(**ADMIN_ONLY, frozen=False, row="membership"),
    "scoring.scheme": M(**ADMIN_ONLY, frozen=True, row="scheme", actions={"copy_schemes": ADMIN}, delete_post="200"),
    "scoring.rulecategory": M(**ADMIN_ONLY, frozen=True, row="category", delete_post="200"),
    "scoring.rule": M(**ADMIN_ONLY, frozen=True, row="rule", delete_post="200"),
    "scoring.assessmentyear": M(**ADMIN_ONLY, frozen=True, row="year", delete_post="200"),
    "scoring.yeardepartment": M(**ADMIN_ONLY, frozen=True, row="year_department", delete_post="200"),
    "scoring.yearleader": M(**ADMIN_ONLY, frozen=True, row="year_leader"),
    "scoring.supervision": M(**ADMIN_ONLY, frozen=True, row="supervision"),
    "scoring.democraticscore": M(**ADMIN_ONLY, frozen=True, row="democratic_score"),
    "scoring.tieorder": M(**READ_ONLY_ADMIN, frozen=False, row="tie_order"),
    "scoring.tieorderentry": M(**READ_ONLY_ADMIN, frozen=False, row="tie_order_entry"),
    "scoring.discretionaryaward": M(**READ_ONLY_ADMIN, frozen=False, row="award"),
    "scoring.target": M(
        view=GROUP, add=LEADS, change=LEADS, delete=LEADS, frozen=True, row="target", delete_post="200"
    ),
    "reviews.targetrecord": M(**_same(GROUP), frozen=True, row="target_record"),
    "reviews.ledgerrecord": M(
        view=GROUP,
        add=GROUP,
        change=frozenset({"reviewer_zzb", "lead", "admin"}),
        delete=frozenset({"reviewer_zzb", "lead", "admin"}),
        frozen=True,
        row="ledger_record",
        actions={"confirm_records": LEADS, "export_xlsx": GROUP},
    ),
    "workplans.monthlyreport": M(view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=True, row="report"),
    "workplans.selfassessment": M(
        view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=True, row="self_assessment"
    ),
    "workplans.claimevidence": M(
        view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=True, row="claim_evidence"
    ),
    "ballots.round": M(**READ_ONLY_ADMIN, frozen=True, row="round"),
    "ballots.codebatch": M(**READ_ONLY_ADMIN, frozen=True, row="code_batch"),
    "ballots.ballotcode": M(**READ_ONLY_ADMIN, frozen=True, row="code"),
    "ballots.ballot": M(**READ_ONLY_ADMIN, frozen=True, row="ballot"),
    "workflow.phasetransition": M(**READ_ONLY_ADMIN, frozen=True, row="transition"),
    "workflow.publicity": M(**READ_ONLY_ADMIN, frozen=True, row="publicity"),
    "workflow.objection": M(**READ_ONLY_ADMIN, frozen=True, row="objection"),
    "workflow.approval": M(**READ_ONLY_ADMIN, frozen=True, row="approval"),
    # Adding a re-opening re-opens an approved year (the service checks it is approved): the admin's, any phase.
    "workflow.reopening": M(view=ADMIN, add=ADMIN, change=NOBODY, delete=NOBODY, frozen=False, row="reopening"),
    "reports.reportbuild": M(view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=True, row="build"),
    # The staff roster is the system administrator's; creating accounts from it is his action.
    "people.person": M(**ADMIN_ONLY, frozen=False, row="person", actions={"accounts_create_action": ADMIN}),
    # Notices are written by the worklist and send_reminders; the administrator may read and delete them.
    "notices.notice": M(view=ADMIN, add=NOBODY, change=NOBODY, delete=ADMIN, frozen=False, row="notice"),
}

# The admin's own pages: outcome per group of roles, GET and POST. "login" is a redirect to the admin's login.
LOGIN = {role: "login" for role in NON_STAFF}
SITE: dict[str, dict[str, dict[str, str]]] = {
    "index": {"GET": {**LOGIN, **dict.fromkeys(STAFF, "200")}, "POST": {**LOGIN, **dict.fromkeys(STAFF, "200")}},
    # An authenticated non-staff user is shown the form with a note; staff are sent on to the index.
    "login": {
        "GET": {**dict.fromkeys(NON_STAFF, "200"), **dict.fromkeys(STAFF, "302")},
        "POST": dict.fromkeys(ROLES, "200"),
    },
    # The admin sends anyone but staff from its logout to its index (and so to its login).
    "logout": {
        "GET": {**dict.fromkeys(NON_STAFF, "302"), **dict.fromkeys(STAFF, "405")},
        "POST": dict.fromkeys(ROLES, "302"),
    },
    "password_change": {
        "GET": {**LOGIN, **dict.fromkeys(STAFF, "200")},
        "POST": {**LOGIN, **dict.fromkeys(STAFF, "200")},
    },
    "password_change_done": {
        "GET": {**LOGIN, **dict.fromkeys(STAFF, "200")},
        "POST": {**LOGIN, **dict.fromkeys(STAFF, "405")},
    },
    "jsi18n": {"GET": {**LOGIN, **dict.fromkeys(STAFF, "200")}, "POST": {**LOGIN, **dict.fromkeys(STAFF, "405")}},
    # A ledger record has no page of its own outside the admin: "view on site" finds none.
    "view_on_site": {
        "GET": {**LOGIN, **dict.fromkeys(STAFF, "404")},
        "POST": {**LOGIN, **dict.fromkeys(STAFF, "404")},
    },
    "catch_all": {
        "GET": {**LOGIN, **dict.fromkeys(STAFF, "404")},
        "POST": {**LOGIN, **dict.fromkeys(STAFF, "404")},
    },
}

# The models' own extra views (the ledger's breakdown, Excel import/template/export; the targets' import).
# POST with only the CSRF token: a form view re-shows its form with errors (200), nothing is written.
GROUP_200 = {**LOGIN, **dict.fromkeys(STAFF, "200")}
ADMIN_200 = {**LOGIN, **dict.fromkeys(STAFF, "403"), "admin": "200"}
LEAD_OWN = {**LOGIN, **dict.fromkeys(REVIEWERS, "404"), "lead": "200", "admin": "200"}
# The targets' import refuses anyone signed in who may not enter targets (403), not only staff.
LEADS_200 = {**dict.fromkeys(ROLES, "403"), "anonymous": "login", "lead": "200", "admin": "200"}
# The roster's pages likewise refuse anyone signed in but the administrator.
ROSTER_200 = {**dict.fromkeys(ROLES, "403"), "anonymous": "login", "admin": "200"}
CUSTOM: dict[str, dict[str, dict[str, str]]] = {
    "reviews_ledgerrecord_breakdown": {"GET": GROUP_200, "POST": GROUP_200},
    "reviews_ledgerrecord_breakdown_pick": {
        "GET": {**LOGIN, **dict.fromkeys(STAFF, "302")},
        "POST": {**LOGIN, **dict.fromkeys(STAFF, "302")},
    },
    "reviews_ledgerrecord_import": {"GET": GROUP_200, "POST": GROUP_200},
    "reviews_ledgerrecord_template": {"GET": GROUP_200, "POST": GROUP_200},
    "reviews_ledgerrecord_export": {"GET": GROUP_200, "POST": GROUP_200},
    "scoring_target_import": {"GET": LEADS_200, "POST": LEADS_200},
    "scoring_target_template": {"GET": GROUP_200, "POST": GROUP_200},
    "auth_user_password_change": {"GET": ADMIN_200, "POST": ADMIN_200},
    # A background import's page: whoever submitted it (here the lead) and the lead; to anyone else it is not there.
    "reviews_ledgerrecord_import_job": {"GET": LEAD_OWN, "POST": LEAD_OWN},
    # The roster's Excel import (a form: re-shown with errors), export and template: the administrator's only.
    "people_person_import": {"GET": ROSTER_200, "POST": ROSTER_200},
    "people_person_export": {"GET": ROSTER_200, "POST": ROSTER_200},
    "people_person_template": {"GET": ROSTER_200, "POST": ROSTER_200},
}
# Actions that write the year's data: a frozen year's changelist does not offer them.
WRITING_ACTIONS = {"confirm_records"}
KINDS = ["changelist", "add", "change", "delete", "history", "redirect", "simple_history"]


# --- the rows walked ---------------------------------------------------------------------------------------------
def _rows(year: AssessmentYear, cast) -> dict[str, object]:
    """One row of every registered model, of the demo year where the model hangs off a year."""
    admin_user, lead = cast["admin"], cast["lead"]
    office = Department.objects.get(name="办公室")
    now = timezone.now()
    first = {
        label: apps.get_model(label)._base_manager.filter(**filters).order_by("pk").first()
        for label, filters in {
            "scoring.yeardepartment": {"year": year},
            "scoring.yearleader": {"year": year},
            "scoring.supervision": {"year": year},
            "scoring.democraticscore": {"year": year},
            "ballots.round": {"year": year},
            "ballots.codebatch": {"group__round__year": year},
            "ballots.ballotcode": {"batch__group__round__year": year},
            "ballots.ballot": {"group__round__year": year},
            "departments.membership": {"user__username": "reviewer_bgs"},
        }.items()
    }
    category = RuleCategory.objects.filter(scheme=year.scheme).order_by("order").first()
    target = Target.objects.create(year=year, department=office, category=category, code="M1", name="目标", points=5)
    # Leadership's decisions in a year of their own: in the demo year they would have to be a real tie and an
    # eligible department.
    decided = AssessmentYear.objects.create(year=2022, title="2022年度", scheme=year.scheme, phase="publicity")
    tie_order = TieOrder.objects.create(year=decided, decided_by=lead)
    assessment = SelfAssessment.objects.create(year=year, department=office)
    claim = BonusClaim.objects.create(
        assessment=assessment, rule=Rule.objects.get(scheme=year.scheme, code="B1"), level="national", title="示例"
    )
    report = MonthlyReport.objects.create(year=year, department=office, month=3)
    PlanItem.objects.create(plan_report=report, month=3, title="计划", due_date=datetime.date(2023, 3, 31))
    publicity = Publicity.objects.create(year=year, started_by=lead)
    approval = Approval.objects.create(
        year=year, meeting_date=datetime.date(2024, 1, 10), minutes_ref="会议纪要", approved_by=admin_user, snapshot={}
    )
    browser = {"user_agent": "pytest", "http_accept": "*/*", "path_info": "/accounts/login/"}
    return {
        "group": Group.objects.create(name="示例组"),
        "user": cast["outsider"],
        "attempt": AccessAttempt.objects.create(**browser, get_data="", post_data="", failures_since_start=1),
        "access_log": AccessLog.objects.create(**browser),
        "failure_log": AccessFailureLog.objects.create(**browser),
        "task": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="reports.services.report_build_task",
            backend_name="default",
            run_after=now,
            exception_class_path="",
            traceback="",
        ),
        "department": office,
        "organisation": apps.get_model("departments.organisation").objects.first(),
        "leader": Leader.objects.order_by("pk").first(),
        "membership": first["departments.membership"],
        "scheme": year.scheme,
        "category": category,
        "rule": Rule.objects.get(scheme=year.scheme, code="T2"),
        "year": year,
        "year_department": first["scoring.yeardepartment"],
        "year_leader": first["scoring.yearleader"],
        "supervision": first["scoring.supervision"],
        "democratic_score": first["scoring.democraticscore"],
        "tie_order": tie_order,
        "tie_order_entry": TieOrderEntry.objects.create(tie_order=tie_order, department=office, position=1),
        "award": DiscretionaryAward.objects.create(year=decided, department=office, amount=Decimal("1000")),
        "target": target,
        "target_record": TargetRecord.objects.create(year=year, target=target, reason="未按期完成", recorded_by=lead),
        "ledger_record": LedgerRecord.objects.filter(year=year, rule__code="T2").order_by("pk").first(),
        "report": report,
        "self_assessment": assessment,
        "claim_evidence": ClaimEvidence.objects.create(
            claim=claim, file="claims/2023/03/0.pdf", original_name="证书.pdf", content_type="application/pdf", size=9
        ),
        "round": first["ballots.round"],
        "code_batch": first["ballots.codebatch"],
        "code": first["ballots.ballotcode"],
        "ballot": first["ballots.ballot"],
        "transition": PhaseTransition.objects.create(
            year=year, from_phase="scoring", to_phase="democratic", moved_by=lead
        ),
        "publicity": publicity,
        "objection": Objection.objects.create(
            year=year, department=office, publicity=publicity, reason="异议", raised_by=cast["head_bgs"]
        ),
        "approval": approval,
        "reopening": Reopening.objects.create(
            year=year, approval=approval, reason="重新开启", reopened_by=admin_user, from_phase="approved"
        ),
        "ledger_import": LedgerImport.objects.create(year=year, requested_by=lead, file_name="台帐.xlsx"),
        "build": ReportBuild.objects.create(year=year, kind=ReportBuild._meta.get_field("kind").choices[0][0]),
        "person": Person.objects.create(name="张三", department=office, username="zhangsan"),
        "notice": Notice.objects.create(user=lead, year=year, key="demo", title="待办", url="/"),
    }


# --- the URLs walked ---------------------------------------------------------------------------------------------
def _patterns(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p, prefix + str(p.pattern)


def _model_of(route: str) -> str | None:
    for model in admin.site._registry:
        if route.startswith(f"{model._meta.app_label}/{model._meta.model_name}/"):
            return model._meta.label_lower
    return None


@dataclass
class Url:
    key: str  # what the table calls it
    path: str
    data: dict = field(default_factory=dict)  # the crafted POST's fields besides the CSRF token


def admin_urls(year: AssessmentYear, rows: dict[str, object]) -> tuple[list[Url], list[str]]:
    """Every admin URL filled with the rows, and the patterns no table describes."""
    urls: list[Url] = []
    unknown: list[str] = []
    office = rows["department"].pk
    for pattern, route in _patterns(admin.site.get_urls()):
        name = pattern.name or ""
        label = _model_of(route)
        if label is not None:
            meta = apps.get_model(label)._meta
            kind = name.removeprefix(f"{meta.app_label}_{meta.model_name}_") if name else "redirect"
            if label not in MODELS:
                unknown.append(f"model {label}")
                continue
            if kind in CUSTOM.get(name, {}) or name in CUSTOM:
                filled = "/admin/" + re.sub(r"<int:year_id>", str(year.pk), route)
                filled = filled.replace("<int:department_id>", str(office))
                filled = filled.replace("<id>", str(rows[MODELS[label].row].pk))
                filled = filled.replace("<int:job_id>", str(rows["ledger_import"].pk))
                query = f"?department={office}" if kind == "breakdown_pick" else ""
                query = f"?year={year.pk}" if kind == "import" and label == "scoring.target" else query
                urls.append(Url(name, filled + query))
            elif kind in KINDS:
                row = rows[MODELS[label].row]
                filled = "/admin/" + route.replace("<path:object_id>", str(row.pk))
                if kind == "simple_history":
                    history = row.history.order_by("history_id").first()
                    filled = f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/history/{history.history_id}/"
                urls.append(Url(f"{label}:{kind}", filled, {"post": "yes"} if kind == "delete" else {}))
                if kind == "changelist":
                    actions = {"delete_selected": None, **MODELS[label].actions}
                    declared = set(admin.site._registry[apps.get_model(label)].actions or [])
                    unknown.extend(f"action {label}:{a}" for a in declared - set(actions))
                    for action in actions:
                        data = {"action": action, "_selected_action": [row.pk], "index": 0, "post": "yes"}
                        urls.append(Url(f"{label}:action:{action}", filled, data))
            else:
                unknown.append(f"{name or route}")
        elif name in SITE:
            content_type = ContentType.objects.get_for_model(LedgerRecord).pk
            filled = "/admin/" + route.replace("<path:content_type_id>", str(content_type))
            filled = filled.replace("<path:object_id>", str(rows["ledger_record"].pk))
            urls.append(Url(name, filled))
        elif name == "app_list":
            for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
                urls.append(Url(f"app_list:{app_label}", f"/admin/{app_label}/"))
        elif route == "(?P<url>.*)$":
            urls.append(Url("catch_all", "/admin/no-such-page/"))
        elif name == "autocomplete":
            urls.extend(_autocomplete_urls())
        else:
            unknown.append(name or route)
    return urls, unknown


def _autocomplete_urls() -> list[Url]:
    """The autocomplete view for every relation of every registered model (and of their inlines' models)."""
    models = set()
    for model, model_admin in admin.site._registry.items():
        models.add(model)
        models.update(inline.model for inline in model_admin.inlines)
    urls = []
    for model in sorted(models, key=lambda m: m._meta.label_lower):
        for f in model._meta.get_fields():
            if f.is_relation and f.concrete and not f.auto_created:
                query = f"app_label={model._meta.app_label}&model_name={model._meta.model_name}&field_name={f.name}"
                urls.append(Url(f"autocomplete:{model._meta.label_lower}.{f.name}", f"/admin/autocomplete/?{query}"))
    return urls


# --- what each role should get -----------------------------------------------------------------------------------
def _allowed(roles: frozenset[str], role: str, refused: bool = False) -> bool:
    return role in roles and not refused


def expected(url: Url, method: str, role: str, phase: str) -> str:
    if url.key in SITE:
        return SITE[url.key][method][role]
    if url.key in CUSTOM:
        return CUSTOM[url.key][method][role]
    if role in NON_STAFF:
        return "login"
    head, _, rest = url.key.partition(":")
    if head == "app_list":
        labels = [label for label in MODELS if label.startswith(rest + ".")]
        return "200" if any(role in MODELS[label].view for label in labels) else "404"
    if head == "autocomplete":
        return _autocomplete_expected(rest, role) if method == "GET" else "405"
    spec = MODELS[head]
    frozen = phase == FROZEN and spec.frozen
    if rest.startswith("action:"):
        action = rest.removeprefix("action:")
        if action == "delete_selected":  # rows that protect it: shown on the confirmation page, nothing deleted
            refused = frozen or spec.delete_post != "302"
            return "ran" if _allowed(spec.delete, role, refused) else "refused"
        if frozen and action in WRITING_ACTIONS:  # a frozen year's list does not offer them
            return "refused"
        return "ran" if role in spec.actions[action] else "refused"
    kind = rest
    if kind == "changelist":
        return "200" if role in spec.view else "403"
    if kind == "add":
        return "200" if role in spec.add else "403"
    if kind == "change":
        if method == "GET":
            return "200" if role in spec.view or role in spec.change else "403"
        return "200" if _allowed(spec.change, role, frozen) else "403"
    if kind == "delete":
        if not _allowed(spec.delete, role, frozen):
            return "403"
        return "200" if method == "GET" else spec.delete_post
    if kind == "history":
        return "200" if role in spec.view else "403"
    if kind == "simple_history":
        return "403" if method == "POST" or role not in spec.view else "200"
    if kind == "redirect":
        return "302"
    raise AssertionError(url.key)


def _autocomplete_expected(source: str, role: str) -> str:
    label, _, field_name = source.rpartition(".")
    remote = apps.get_model(label)._meta.get_field(field_name).remote_field.model
    if remote not in admin.site._registry:
        return "403"
    if not admin.site._registry[remote].search_fields:
        return "404"
    return "200" if role in MODELS[remote._meta.label_lower].view else "403"


# --- the walk ----------------------------------------------------------------------------------------------------
SKIPPED = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def _row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    models = [m for m in apps.get_models() if m._meta.managed and m._meta.label_lower not in SKIPPED]
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")  # table names from the models
        row = cursor.fetchone()
    return {m._meta.label_lower: n for m, n in zip(models, row, strict=True)}


class _Rollback(Exception):
    pass


def _client(cast, role: str) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if role != "anonymous":
        client.force_login(cast[role])
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def _outcome(response, url: Url) -> str:
    status = response.status_code
    if status == 302 and response["Location"].startswith("/admin/login/"):
        return "login"
    if ":action:" in url.key and status in (302, 403):
        with translation.override("zh-hans"):
            refused = {
                gettext("No action selected."),
                gettext("Items must be selected in order to perform actions on them. No items have been changed."),
            }
        shown = {str(m) for m in get_messages(response.wsgi_request)}
        return "refused" if status == 403 or shown & refused else "ran"
    if ":action:" in url.key and status == 200:
        # No action at all for this role: Django shows the changelist again without running anything; a bulk
        # delete of rows the role may not delete, or that others protect, shows what stops it and deletes nothing.
        template = str(getattr(response, "template_name", ""))
        context = getattr(response, "context_data", None) or {}
        lacking = context.get("perms_lacking") or context.get("protected")
        stopped = "delete_selected_confirmation" in template and lacking
        return "refused" if "change_list" in template or stopped else "ran"
    return str(status)


def _walk(cast, role: str, phase: str, urls: list[Url]) -> list[str]:
    client, token = _client(cast, role)
    problems = []
    for url in urls:
        if phase == FROZEN and not _phase_dependent(url):
            continue
        for method in ("GET", "POST"):
            want = expected(url, method, role, phase)
            if method == "GET":
                if ":action:" in url.key:
                    continue  # an action is a POST to the changelist, whose GET is walked as such
                got = _outcome(client.get(url.path), url)
                changed = {}
            else:
                before = _row_counts()
                try:
                    with transaction.atomic():
                        response = client.post(url.path, {**url.data, "csrfmiddlewaretoken": token})
                        after = _row_counts()
                        raise _Rollback
                except _Rollback:
                    pass
                got = _outcome(response, url)
                changed = {k: after[k] - before[k] for k in before if after[k] != before[k]}
                if url.key == "logout":
                    client, token = _client(cast, role)
            if got != want:
                problems.append(f"{method} {url.path} [{url.key}]: {got}, expected {want}")
            writes = want in ("403", "login", "refused", "405") or phase == FROZEN and _frozen_write(url)
            if method == "POST" and writes and changed and url.key not in ("login", "logout"):
                problems.append(f"POST {url.path} [{url.key}] refused but changed rows: {changed}")
    return problems


def _phase_dependent(url: Url) -> bool:
    """What an approved year changes: the model pages that write (add, change, delete, actions, past versions)."""
    head, _, kind = url.key.partition(":")
    return head in MODELS and kind in ("add", "change", "delete", "simple_history") or kind.startswith("action:")


def _frozen_write(url: Url) -> bool:
    head = url.key.partition(":")[0]
    return head in MODELS and MODELS[head].frozen


def plain_refusal(request, exception=None):
    """The walk counts statuses: a refusal without the Chinese page (tests/security/test_error_pages.py), which
    would render the staff navigation some 500 times per role."""
    return HttpResponseForbidden()


def plain_not_found(request, exception=None):
    return HttpResponseNotFound()


@pytest.fixture
def walked(ballot_year, cast, settings, monkeypatch):
    settings.KAOHE_SCORING_CACHE_CHECK = False  # re-scoring every cached year on every page: minutes here
    monkeypatch.setattr(kaohe.urls, "handler403", plain_refusal, raising=False)
    monkeypatch.setattr(kaohe.urls, "handler404", plain_not_found, raising=False)
    rows = _rows(ballot_year, cast)
    urls, unknown = admin_urls(ballot_year, rows)
    return ballot_year, urls, unknown


def test_admin_walk_every_url_is_in_the_table(walked):
    _, urls, unknown = walked
    assert unknown == []
    assert len(urls) > 300


def test_admin_walk_non_staff_only_reach_the_login(walked, cast):
    """Outside the staff the admin answers with its login page (or its index), whatever the phase: walked once."""
    _, urls, _ = walked
    problems = [problem for role in NON_STAFF for problem in _walk(cast, role, OPEN, urls)]
    assert not problems, "\n".join(["", *problems])


@pytest.mark.parametrize("role", STAFF)
def test_admin_walk_staff_get_the_expected_outcome_open_and_approved(walked, cast, role):
    year, urls, _ = walked
    problems = _walk(cast, role, OPEN, urls)
    year_in_phase(year, AssessmentYear.Phase.APPROVED)
    problems += _walk(cast, role, FROZEN, urls)
    assert not problems, "\n".join(["", *problems])
