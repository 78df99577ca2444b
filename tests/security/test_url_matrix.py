"""Every non-admin URL pattern of the project, for every role of the cast, GET and a crafted POST: one table.

The patterns come from the resolver (a new view is walked automatically; the admin is walked by
tests/security/test_admin_walk.py) and are filled with rows of the demo year 2023 in 民主测评 with a closed round
(`ballot_year`): department 办公室 (headed by head_bgs, supervised by vice_li), its March report with a plan item,
its self-assessment with a bonus claim and the claim's evidence, a ledger evidence, a 公示 with an objection and
its file, a report build and a notice of the lead. Each request's outcome ("login" = a redirect to a login page)
is compared with `EXPECTED`; a pattern the table does not name fails the test with its name. The views whose
outcome the phase changes are walked again in the phase that opens them (`IN_PHASE`: 自评, 公示), so that a write
is refused by the view's own check, not only by the phase.

Each POST carries only the session's CSRF token (the client enforces CSRF), runs in a savepoint rolled back
afterwards, and when refused ("login", "403", "404", "405") must leave every table's row count unchanged.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import kaohe.urls
from ballots.models import CodeBatch
from departments.models import Department
from notices.models import Notice
from reports.models import ReportBuild
from reviews.models import Evidence, LedgerRecord
from scoring.models import Rule
from tests.conftest import year_in_phase
from tests.security.test_admin_walk import _Rollback, _row_counts, plain_not_found, plain_refusal
from workflow.models import Objection, ObjectionFile, Publicity
from workplans.models import BonusClaim, ClaimEvidence, MonthlyReport, PlanItem, SelfAssessment

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

HEADS = ["head_bgs", "head_zzb", "head_nzgb"]  # of 办公室 (the department walked), 组织部, 女职工部
REVIEWERS = ["reviewer_zzb", "reviewer_bgs", "reviewer_mgfgb", "reviewer_shbzb", "reviewer_xjdys"]
VICES = ["vice_li", "vice_zhao"]  # vice_li supervises 办公室
ROLES = ["anonymous", "outsider", *HEADS, *REVIEWERS, "lead", *VICES, "leader_wang", "admin"]
METHODS = ("GET", "POST")


@dataclass
class Url:
    name: str
    path: str


# --- the rows walked ---------------------------------------------------------------------------------------------
def _file(model, **fields):
    row = model(**fields, original_name="证明.pdf", content_type="application/pdf", size=len(PDF))
    row.file.save("x.pdf", ContentFile(PDF), save=True)
    return row


def _rows(year, cast) -> dict[str, int | str]:
    """The value of every path parameter, from the demo year (rows it lacks made here)."""
    office = Department.objects.get(name="办公室")
    lead = cast["lead"]
    report, _ = MonthlyReport.objects.get_or_create(year=year, department=office, month=3)
    item = PlanItem.objects.filter(plan_report=report).order_by("pk").first() or PlanItem.objects.create(
        plan_report=report, month=3, title="计划", due_date=datetime.date(2023, 3, 31)
    )
    assessment, _ = SelfAssessment.objects.get_or_create(year=year, department=office)
    claim = BonusClaim.objects.create(
        assessment=assessment, rule=Rule.objects.get(scheme=year.scheme, code="B1"), level="national", title="示例"
    )
    record = LedgerRecord.objects.filter(year=year, record_departments__department=office).order_by("pk").first()
    publicity = Publicity.objects.create(year=year, started_by=lead)
    objection = Objection.objects.create(
        year=year, department=office, record=record, publicity=publicity, reason="异议", raised_by=cast["head_bgs"]
    )
    build = ReportBuild.objects.create(year=year, kind=ReportBuild.Kind.YEAR_XLSX, requested_by=lead)
    return {
        "year": year.year,
        "department": office.pk,
        "department_id": office.pk,
        "month": 3,
        "item": item.pk,
        "claim": claim.pk,
        "evidence": _file(ClaimEvidence, claim=claim).pk,
        "record": record.pk,
        "index": 0,
        "form": "self",
        "kind": ReportBuild.Kind.YEAR_XLSX,
        # pk, by the view it names
        "reviews:evidence": _file(Evidence, record=record).pk,
        "ballots:batch_void": CodeBatch.objects.filter(group__round__year=year).order_by("pk").first().pk,
        "workflow:objection": objection.pk,
        "workflow:objection_file": _file(ObjectionFile, objection=objection).pk,
        "reports:build": build.pk,
        "reports:build_status": build.pk,
        "reports:build_download": build.pk,
        "notices:open": Notice.objects.create(user=lead, year=year, key="demo", title="待办", url="/").pk,
    }


def _patterns(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            route = prefix + str(p.pattern)
            if route != "admin/":
                yield from _patterns(p.url_patterns, route, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace else p.name or prefix + str(p.pattern)), prefix + str(p.pattern)


def project_urls(rows: dict[str, int | str]) -> list[Url]:
    urls = []
    for name, route in _patterns(get_resolver().url_patterns):

        def fill(match: re.Match, name: str = name) -> str:
            key = match.group(1)
            return str(rows[name] if key == "pk" else rows[key])

        urls.append(Url(name, "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)))
    return urls


# --- what each role should get -----------------------------------------------------------------------------------
def _roles(default: str, **exceptions: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, default) | exceptions


def _both(outcomes: dict[str, str]) -> dict[str, dict[str, str]]:
    """A page that answers a POST as it answers a GET (a read-only page, or a form re-shown with its errors)."""
    return {"GET": outcomes, "POST": outcomes}


def _post_only(outcomes: dict[str, str]) -> dict[str, dict[str, str]]:
    """A POST-only view: a GET is 405 (after the login for anonymous)."""
    return {"GET": _roles("405", anonymous="login"), "POST": outcomes}


def _get_only(outcomes: dict[str, str]) -> dict[str, dict[str, str]]:
    return {"GET": outcomes, "POST": _roles("405", anonymous="login")}


SIGNED_IN = _roles("200", anonymous="login")
# Who may see 办公室: its head, its supervising vice chair, the review group, the leader (access.may_view_department).
OFFICE = _roles("200", anonymous="login", outsider="403", head_zzb="403", head_nzgb="403", vice_zhao="403")
OFFICE_HIDDEN = _roles("200", anonymous="login", outsider="404", head_zzb="404", head_nzgb="404", vice_zhao="404")
# The whole year: the review group (reviewers, lead, admin) and the leader.
GROUP_AND_LEADER = _roles(
    "200", **dict.fromkeys(HEADS, "403"), **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403"
)
# The procedure pages (access.may_see_procedure): heads (they raise objections), the group and the leader.
PROCEDURE = _roles("200", **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403")
LEADS_200 = _roles("403", anonymous="login", lead="200", admin="200")
LEADS_302 = _roles("403", anonymous="login", lead="302", admin="302")
NOBODY = _roles("403", anonymous="login")

# Outcome per URL name, method and role in 民主测评: what the phase refuses (writing a monthly report or the
# self-assessment, raising an objection) is 403 for everyone; "302" is a redirect after an action or a refusal
# shown as a message; "404" what the year lacks (no approval, no finished build) or another user's notice.
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "reviews:evidence": _both(OFFICE_HIDDEN),
    "healthz": {
        "GET": _roles("200"),
        "POST": _roles("405"),
    },
    # /favicon.ico: a redirect to the static icon, for anyone.
    "favicon": _both(_roles("302")),
    "home": _both(SIGNED_IN),
    "home_year": _both(SIGNED_IN),
    "login": _both(_roles("302", anonymous="200")),
    "logout": {
        "GET": _roles("405"),
        "POST": _roles("login"),
    },
    "password_change": _both(SIGNED_IN),
    "password_change_done": _get_only(SIGNED_IN),
    "staff:department": _both(OFFICE),
    "staff:compare": _both(GROUP_AND_LEADER),
    "staff:compare_detail": _both(GROUP_AND_LEADER),
    "staff:results": _both(GROUP_AND_LEADER),
    "staff:history": _both(_roles("403", anonymous="login", lead="200", leader_wang="200", admin="200")),
    "staff:trends": _both(GROUP_AND_LEADER),
    "workplans:reports": _both(OFFICE),
    "workplans:report": {
        "GET": OFFICE,
        "POST": NOBODY,
    },
    "workplans:report_review": _post_only(_roles("403", anonymous="login", vice_li="302")),
    "workplans:supervision": _both(_roles("200", **dict.fromkeys(HEADS, "403"), anonymous="login", outsider="403")),
    "workplans:t4": _both(_roles("403", anonymous="login", reviewer_zzb="200", lead="200", admin="200")),
    "workplans:t4_confirm": _post_only(_roles("403", anonymous="login", reviewer_zzb="302", lead="302", admin="302")),
    "workplans:t4_dismiss": _post_only(_roles("403", anonymous="login", reviewer_zzb="302", lead="302", admin="302")),
    "workplans:self": {
        "GET": OFFICE,
        "POST": NOBODY,
    },
    "workplans:self_print": _both(OFFICE),
    "workplans:claim_add": _post_only(NOBODY),
    "workplans:claim_delete": _post_only(NOBODY),
    "workplans:evidence_upload": _post_only(NOBODY),
    "workplans:evidence": _both(OFFICE),
    "ballots:vote": _both(_roles("200")),
    "ballots:vote_done": _both(_roles("200")),
    "ballots:index": _both(GROUP_AND_LEADER),
    "ballots:open": _both(LEADS_302),
    "ballots:round": _both(LEADS_200),
    "ballots:edit": _both(LEADS_200),
    "ballots:codes": _post_only(LEADS_302),
    "ballots:batch_void": _post_only(LEADS_200),
    "ballots:close": _post_only(LEADS_200),
    "ballots:paper": _both(LEADS_200),
    "ballots:paper_import": _both(LEADS_200),
    "ballots:paper_template": _both(LEADS_200),
    "ballots:statistics": _both(GROUP_AND_LEADER),
    "workflow:years": _both(PROCEDURE),
    "workflow:year": _both(PROCEDURE),
    "workflow:year_next": {
        "GET": LEADS_200,
        "POST": LEADS_200,
    },
    "workflow:move": _post_only(_roles("403", anonymous="login", lead="302", leader_wang="302", admin="302")),
    "workflow:reopen": _post_only(_roles("403", anonymous="login", admin="302")),
    "workflow:announce": _post_only(_roles("403", anonymous="login", leader_wang="200", admin="200")),
    "workflow:objections": _both(PROCEDURE),
    "workflow:objection_new": _both(NOBODY),
    "workflow:objection": {
        "GET": _roles(
            "200", **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403", head_zzb="403", head_nzgb="403"
        ),
        "POST": _roles("403", anonymous="login", reviewer_bgs="200", lead="200", admin="200"),
    },
    "workflow:objection_file": _both(
        _roles("200", **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403", head_zzb="403", head_nzgb="403")
    ),
    "workflow:approval": _both(_roles("403", anonymous="login", lead="200", leader_wang="200", admin="200")),
    "workflow:approval_tie": _post_only(_roles("403", anonymous="login", leader_wang="302", admin="302")),
    "workflow:approval_award": _post_only(_roles("403", anonymous="login", leader_wang="302", admin="302")),
    "workflow:approval_approve": _post_only(_roles("403", anonymous="login", leader_wang="200", admin="200")),
    "workflow:notice": _both(
        _roles("404", **dict.fromkeys(HEADS, "403"), **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403")
    ),
    "workflow:notice_edit": {
        "GET": LEADS_200,
        "POST": LEADS_302,
    },
    "workflow:notice_draft": _post_only(LEADS_302),
    "workflow:awards": _both(
        _roles("404", **dict.fromkeys(HEADS, "403"), **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403")
    ),
    "reports:index": _get_only(_roles("200", anonymous="login", outsider="403")),
    "reports:year": _get_only(_roles("200", anonymous="login", outsider="403")),
    "reports:year_file": _get_only(GROUP_AND_LEADER),
    "reports:review_account": {
        "GET": LEADS_200,
        "POST": LEADS_302,
    },
    "reports:review_account_file": _get_only(
        _roles("403", anonymous="login", lead="200", leader_wang="200", admin="200")
    ),
    "reports:build_start": _post_only(
        _roles("302", **dict.fromkeys(HEADS, "403"), **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403")
    ),
    "reports:build": _get_only(GROUP_AND_LEADER),
    "reports:build_status": _get_only(GROUP_AND_LEADER),
    "reports:build_download": _get_only(
        _roles("404", **dict.fromkeys(HEADS, "403"), **dict.fromkeys(VICES, "403"), anonymous="login", outsider="403")
    ),
    "reports:department_section": _get_only(GROUP_AND_LEADER),
    "reports:department_form": _get_only(OFFICE),
    "notices:list": _both(SIGNED_IN),
    "notices:open": _both(_roles("404", anonymous="login", lead="302")),
    "notices:read_all": _post_only(_roles("302", anonymous="login")),
}


HEAD_BGS_WRITES = _roles("403", anonymous="login", head_bgs="302")
# The views whose outcome the phase changes, walked again in the phase that opens them: in 自评 办公室's head writes
# its monthly report (the form re-shown with errors: 200) and its self-assessment; in 公示 he raises an objection
# against one of its records.
IN_PHASE: dict[str, dict[str, dict[str, dict[str, str]]]] = {
    "self_assessment": {
        "workplans:report": {"GET": OFFICE, "POST": _roles("403", anonymous="login", head_bgs="200")},
        "workplans:self": {"GET": OFFICE, "POST": HEAD_BGS_WRITES},
        "workplans:claim_add": _post_only(HEAD_BGS_WRITES),
        "workplans:claim_delete": _post_only(HEAD_BGS_WRITES),
        "workplans:evidence_upload": _post_only(HEAD_BGS_WRITES),
    },
    "publicity": {"workflow:objection_new": _both(_roles("403", anonymous="login", head_bgs="200"))},
}


# --- the walk ----------------------------------------------------------------------------------------------------
def _client(cast, role: str) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if role != "anonymous":
        client.force_login(cast[role])
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def _outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(("/accounts/login/", "/admin/login/")):
        return "login"
    return str(response.status_code)


def _walk(cast, role: str, urls: list[Url]) -> tuple[dict[tuple[str, str], str], list[str]]:
    client, token = _client(cast, role)
    got, changed_rows = {}, []
    for url in urls:
        got[(url.name, "GET")] = _outcome(client.get(url.path))
        before = _row_counts()
        try:
            with transaction.atomic():
                response = client.post(url.path, {"csrfmiddlewaretoken": token})
                after = _row_counts()
                raise _Rollback
        except _Rollback:
            pass
        outcome = got[(url.name, "POST")] = _outcome(response)
        changed = {k: after[k] - before[k] for k in before if after[k] != before[k]}
        if outcome in ("login", "403", "404", "405") and changed and url.name not in ("login", "logout"):
            changed_rows.append(f"POST {url.path} [{url.name}] refused ({outcome}) but changed rows: {changed}")
        if url.name == "logout":
            client, token = _client(cast, role)
    return got, changed_rows


@pytest.fixture
def matrix(ballot_year, cast, settings, monkeypatch, tmp_path):
    settings.KAOHE_SCORING_CACHE_CHECK = False  # re-scoring every cached year on every page: minutes here
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.REPORTS_ROOT = tmp_path / "reports"
    monkeypatch.setattr(kaohe.urls, "handler403", plain_refusal, raising=False)
    monkeypatch.setattr(kaohe.urls, "handler404", plain_not_found, raising=False)
    return project_urls(_rows(ballot_year, cast))


def test_url_matrix_every_pattern_is_in_the_table(matrix):
    walked = {url.name for url in matrix}
    assert [url.name for url in matrix if url.name not in EXPECTED] == []
    assert [name for name in EXPECTED if name not in walked] == []
    assert [name for table in IN_PHASE.values() for name in table if name not in walked] == []


def _compare(cast, urls: list[Url], table: dict[str, dict[str, dict[str, str]]], label: str) -> list[str]:
    problems = []
    for role in ROLES:
        got, changed = _walk(cast, role, urls)
        problems += changed
        for (name, method), outcome in got.items():
            want = table[name][method][role]
            if outcome != want:
                problems.append(f"{label}: {role} {method} [{name}]: {outcome}, expected {want}")
    return problems


def test_url_matrix_every_role_gets_the_expected_outcome(matrix, cast, ballot_year):
    problems = _compare(cast, [url for url in matrix if url.name in EXPECTED], EXPECTED, "民主测评")
    for phase, table in IN_PHASE.items():
        year_in_phase(ballot_year, phase)
        problems += _compare(cast, [url for url in matrix if url.name in table], table, phase)
    assert not problems, "\n".join(["", *problems])
