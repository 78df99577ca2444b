"""Every URL of the project, for every role of the cast: never a 500, only an expected outcome.

GET only (a POST-only view answers 405); write paths are covered by their owners' tests. Path converters are
filled with ids from the demo data: year 2023, department 办公室 (headed by head_bgs, supervised by vice_li).
Admin: the index and every registered model's changelist, add form and first object's change form.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from departments.models import Department

ROLES = [
    "anonymous",
    "outsider",
    "head_bgs",
    "head_zzb",
    "head_nzgb",
    "reviewer_zzb",
    "reviewer_bgs",
    "reviewer_mgfgb",
    "reviewer_shbzb",
    "reviewer_xjdys",
    "lead",
    "vice_li",
    "vice_zhao",
    "leader_wang",
    "admin",
]
# What anonymous may open (200): logging in, casting a ballot, the health check.
ANONYMOUS_OPEN = {"login", "ballots:vote", "ballots:vote_done", "healthz", "favicon"}
ALLOWED = {200, 302, 403, 404, 405}
PAGE_TYPES = {"text/html", "application/json", "text/plain"}  # anything else is a download


def _first_id(label: str) -> int:
    model = apps.get_model(label)
    pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
    return pk or 1


def _converter_values(year) -> dict[str, int | str]:

    office = Department.objects.get(name="办公室").pk
    return {"year": year.year, "department": office, "department_id": office, "month": 3, "form": "self"}


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    """(name, route) for every non-admin pattern; the admin site is walked separately."""
    for p in patterns:
        if isinstance(p, URLResolver):
            route = prefix + str(p.pattern)
            if route == "admin/":
                continue
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield name, prefix + str(p.pattern)


def _fill(route: str, values: dict[str, int | str], ids: dict[str, int]) -> str:
    def replace(match: re.Match) -> str:
        key = match.group(2)
        return str(values.get(key, ids.get(key, 1)))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


def _ids() -> dict[str, int]:
    """Ids for the other converters, from whatever the demo data holds (1 when a table is empty: 404)."""
    candidates = {
        "item": "workplans.planitem" if apps.is_installed("workplans") else None,
        "claim": "workplans.bonusclaim" if apps.is_installed("workplans") else None,
        "evidence": "workplans.claimevidence" if apps.is_installed("workplans") else None,
        "record": "reviews.ledgerrecord",
    }
    ids = {}
    for key, label in candidates.items():
        try:
            ids[key] = _first_id(label) if label else 1
        except LookupError:
            ids[key] = 1
    return ids


def project_urls(year) -> list[tuple[str, str]]:
    values = _converter_values(year)
    ids = _ids()
    urls = [(name, _fill(route, values, ids)) for name, route in _walk(get_resolver().url_patterns)]
    urls.append(("admin:index", "/admin/"))
    for model in admin.site._registry:
        meta = model._meta
        urls.append(
            (f"admin:{meta.app_label}_{meta.model_name}_changelist", f"/admin/{meta.app_label}/{meta.model_name}/")
        )
        urls.append(
            (f"admin:{meta.app_label}_{meta.model_name}_add", f"/admin/{meta.app_label}/{meta.model_name}/add/")
        )
        first = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            urls.append(
                (
                    f"admin:{meta.app_label}_{meta.model_name}_change",
                    f"/admin/{meta.app_label}/{meta.model_name}/{first}/change/",
                )
            )
    return urls


def _client(cast, role: str) -> Client:
    # A crash shows as a 500 in the list of problems, so one run reports every broken URL.
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(cast[role])
    return client


def _outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return "login"
        return "302"
    return str(response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_url_walk_no_server_error_and_anonymous_only_public(demo_year, cast, role):
    client = _client(cast, role)
    problems = []
    for name, url in project_urls(demo_year):
        response = client.get(url)
        if response.status_code not in ALLOWED:
            problems.append(f"{name} {url}: {response.status_code}")
        if role == "anonymous" and response.status_code == 200 and name not in ANONYMOUS_OPEN:
            problems.append(f"{name} {url}: 200 for anonymous")
        redirected = response.status_code == 302 and _outcome(response) != "login"
        if role == "anonymous" and redirected and name not in ANONYMOUS_OPEN:
            problems.append(f"{name} {url}: anonymous redirected to {response['Location']}, not login")
        content_type = response.get("Content-Type", "").split(";")[0]
        if response.status_code == 200 and content_type not in PAGE_TYPES:
            # Downloads: attachments, never sniffed into something the browser would run.
            if "attachment" not in response.get("Content-Disposition", ""):
                problems.append(f"{name} {url}: download without Content-Disposition: attachment")
            if response.get("X-Content-Type-Options") != "nosniff":
                problems.append(f"{name} {url}: download without X-Content-Type-Options: nosniff")
    assert problems == []


# The main pages, explicitly: outcome per role ("login" = 302 to a login page). Department pages are those of
# 办公室 (headed by head_bgs, supervised by vice_li); "other" is 组织部.
HEADS_OTHER = {"head_zzb": "403", "head_nzgb": "403"}
REVIEWERS = {r: "200" for r in ROLES if r.startswith("reviewer_")}
NOBODY_BUT_GROUP = {
    "anonymous": "login",
    "outsider": "403",
    "head_bgs": "403",
    **HEADS_OTHER,
    "vice_li": "403",
    "vice_zhao": "403",
}
EXPECTED = {
    "/2023/dept/{office}/": {
        "anonymous": "login",
        "outsider": "403",
        "head_bgs": "200",
        **HEADS_OTHER,
        **REVIEWERS,
        "lead": "200",
        "vice_li": "200",
        "vice_zhao": "403",
        "leader_wang": "200",
        "admin": "200",
    },
    "/2023/dept/{other}/": {
        "anonymous": "login",
        "outsider": "403",
        "head_bgs": "403",
        "head_zzb": "200",
        "head_nzgb": "403",
        "vice_li": "200",
        "vice_zhao": "403",
        "lead": "200",
    },
    "/2023/dept/{office}/self/": {
        "anonymous": "login",
        "outsider": "403",
        "head_bgs": "200",
        **HEADS_OTHER,
        "vice_li": "200",
        "vice_zhao": "403",
        "lead": "200",
    },
    "/2023/dept/{other}/self/": {"head_bgs": "403", "head_zzb": "200", "vice_zhao": "403"},
    "/2023/dept/{office}/reports/": {
        "anonymous": "login",
        "outsider": "403",
        "head_bgs": "200",
        **HEADS_OTHER,
        "vice_li": "200",
        "vice_zhao": "403",
    },
    "/2023/t4/": {
        "anonymous": "login",
        "outsider": "403",
        "head_bgs": "403",
        "reviewer_zzb": "200",
        "reviewer_bgs": "403",
        "reviewer_mgfgb": "403",
        "lead": "200",
        "vice_li": "403",
        "leader_wang": "403",
    },
    "/2023/results/": {**NOBODY_BUT_GROUP, **REVIEWERS, "lead": "200", "leader_wang": "200", "admin": "200"},
    "/2023/compare/": {**NOBODY_BUT_GROUP, **REVIEWERS, "lead": "200", "leader_wang": "200"},
    "/workflow/2023/approval/": {
        **NOBODY_BUT_GROUP,
        **{r: "403" for r in REVIEWERS},
        "lead": "200",
        "leader_wang": "200",
        "admin": "200",
    },
    "/democratic/": {**NOBODY_BUT_GROUP, "lead": "200", "leader_wang": "200"},
    "/vote/": {role: "200" for role in ROLES},
    "/admin/": {
        "anonymous": "login",
        "outsider": "login",
        "head_bgs": "login",
        "vice_li": "login",
        "leader_wang": "login",
        **REVIEWERS,
        "lead": "200",
        "admin": "200",
    },
    "/admin/auth/user/": {
        "anonymous": "login",
        "head_bgs": "login",
        **{r: "403" for r in REVIEWERS},
        "lead": "403",
        "admin": "200",
    },
    "/admin/reviews/ledgerrecord/": {
        "anonymous": "login",
        "outsider": "login",
        "head_bgs": "login",
        "vice_li": "login",
        "leader_wang": "login",
        **REVIEWERS,
        "lead": "200",
    },
}


def test_url_walk_main_pages_expected_outcome_per_role(demo_year, cast):

    ids = {"office": Department.objects.get(name="办公室").pk, "other": Department.objects.get(name="组织部").pk}
    clients = {role: _client(cast, role) for role in ROLES}
    actual, expected = {}, {}
    for template, outcomes in EXPECTED.items():
        url = template.format(**ids)
        for role, outcome in outcomes.items():
            expected[(url, role)] = outcome
            actual[(url, role)] = _outcome(clients[role].get(url))
    assert actual == expected
