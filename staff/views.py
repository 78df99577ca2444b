"""Staff pages: home per role, a department's scores, the results, the comparison of self-assessment and
ledger (monthly work and the self-assessment are workplans.views). Each view checks access on the server
(the access package), calls one service or selector, and renders."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

import access
from departments.models import Department
from kaohe.links import pk_url
from notices.services import notices_sync
from notices.worklist import Item, landing, sections, worklist
from reports.charts import SCREEN, deductions_chart, final_score_charts
from reports.data import category_rows, target_totals
from reports.trends import compare, scored_years
from results.cache import year_scored
from reviews.selectors import (
    RecordRow,
    TargetRecordRow,
    evidence_version,
    record_rows,
    target_allotment_problems,
    target_record_rows,
)
from scoring import engine
from scoring.models import AssessmentYear
from scoring.phases import year_allows
from staff.templatetags.staff_nav import SESSION_YEAR
from workplans import selectors, services
from workplans.models import MonthlyReport, SelfAssessment

# A provincial year has thousands of departments: long lists go page by page, charts draw at most this many.
RESULTS_PER_PAGE = 100
CHART_DEPARTMENTS = 30


# ---------------------------------------------------------------------------------------------------------
# Home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The year that needs the user (notices.worklist.landing_year), not simply the newest."""
    year, items = landing(request.user)
    return _home(request, year, items)


@login_required
def home_year(request: HttpRequest, year: int) -> HttpResponse:
    """The home page of a chosen year (the menu's year switcher)."""
    return _home(request, access.year_for_request(year))


def _home(request: HttpRequest, year: AssessmentYear | None, items: list[Item] | None = None) -> HttpResponse:
    user = request.user
    context: dict = {"year": year}
    if year is not None:
        if request.session.get(SESSION_YEAR) != year.year:  # setting it unchanged would save the session
            request.session[SESSION_YEAR] = year.year
        items = worklist(user, year) if items is None else items
        notices_sync(user, year, items)
        context["items"] = items
        context["sections"] = sections(items)
        context["may_fill_report"] = year_allows(year, "monthly_report")
        context["may_fill_self"] = year_allows(year, "self_assessment")
        context["headed"] = access.headed_departments(user)
        context["supervised"] = access.supervised_departments(user, year)
        context["month"] = selectors.current_month(year)
        context["sees_all"] = access.sees_all_departments(user)
        context["is_reviewer"] = access.is_reviewer(user)
        context["is_leadership"] = access.is_leadership(user)
        if context["supervised"]:
            context["to_review"] = MonthlyReport.objects.filter(
                year=year, department__in=context["supervised"], status="submitted", reviewed_at__isnull=True
            ).count()
        # Suggested records of the scheme's plan shortfall rule (T4 in district-2023): none if it has no such rule
        rule = services.plan_shortfall_rule(year) if access.is_reviewer(user) else None
        context["may_t4"] = rule is not None and access.may_record_rule(user, rule)
        if context["may_t4"]:
            context["shortfall_rule"] = rule
            context["t4_open"] = services.t4_suggestions(year=year, rule=rule).count()
        if context["headed"]:
            reports = MonthlyReport.objects.filter(
                year=year, department__in=context["headed"], month=context["month"]
            ).values_list("department_id", "status")
            states = dict(reports)
            selfs = dict(
                SelfAssessment.objects.filter(year=year, department__in=context["headed"]).values_list(
                    "department_id", "status"
                )
            )
            context["head_rows"] = [(d, states.get(d.pk), selfs.get(d.pk)) for d in context["headed"]]
    return render(request, "staff/home.html", context)


# ---------------------------------------------------------------------------------------------------------
# Comparison: self-assessment beside the ledger


def _require_compare(request: HttpRequest) -> None:
    if not access.may_compare(request.user):
        raise PermissionDenied("只有考核小组和领导可以查看自评对照。")


@login_required
def compare_list(request: HttpRequest, year: int) -> HttpResponse:
    year = access.year_for_request(year)
    _require_compare(request)
    scored = year_scored(year)
    base, result = scored.input, scored.result
    page = Paginator(base.departments, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    names = [d.name for d in page.object_list]
    assessments = {a.department.name: a for a in selectors.self_assessments(year).filter(department__name__in=names)}
    departments = {d.name: d for d in Department.objects.filter(year_entries__year=year, name__in=names)}
    detail_url = pk_url("staff:compare_detail", year.year)
    rows = []
    for dept in page.object_list:
        assessment = assessments.get(dept.name)
        own = selectors.self_result(assessment, base) if assessment else None
        ledger = result.department(dept.name)
        diff = None if own is None else own.review_score - ledger.review_score
        department = departments[dept.name]
        targets = target_totals(ledger) if result.has_targets else None
        rows.append((department, assessment, own, ledger, diff, detail_url(department.pk), targets))
    return render(
        request,
        "staff/compare_list.html",
        {"year": year, "rows": rows, "page": page, "has_targets": result.has_targets},
    )


@login_required
def compare_detail(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    _require_compare(request)
    department = get_object_or_404(Department, pk=department)
    scored = year_scored(year)
    base = scored.input
    if department.name not in {d.name for d in base.departments}:
        raise Http404("该部室未参加本年度考核。")
    ledger = scored.explained(department)
    assessment = selectors.self_assessment_for(year, department)
    own = selectors.self_result(assessment, base) if assessment else None
    empty = selectors.nothing_declared(base, department.name)
    rows = selectors.comparison_rows(base.scheme, own or empty, ledger)
    categories = [
        (name, (own or empty).by_category.get(code), ledger.by_category.get(code))
        for code, name in base.scheme.categories
        if code in base.scheme.score_categories
    ]
    return render(
        request,
        "staff/compare_detail.html",
        {
            "year": year,
            "department": department,
            "assessment": assessment,
            "own": own,
            "ledger": ledger,
            "rows": rows,
            "categories": categories,
            "targets": [(t, base.scheme.category_name(t.category)) for t in ledger.targets],
            "target_totals": target_totals(ledger) if ledger.targets else None,
        },
    )


# ---------------------------------------------------------------------------------------------------------
# A department's breakdown ("my department" for a head; the drill-down of the results page)


def _department_lines(scored, year: AssessmentYear, department: Department):
    """The department's scored lines, newest first, each with its record (or None) and its rule's or target's
    text: its records on the rules, and in a year of target items its records on them."""
    scheme = scored.input.scheme  # the scheme the year was scored with (kept with it)
    records = record_rows(year, department)
    lines: list[tuple[engine.Line, RecordRow | TargetRecordRow | None, str]] = [
        (line, records.get(line.key), scheme.rules[line.rule].text) for line in scored.explained(department).lines
    ]
    if scored.result.has_targets:  # the records on its target items are lines of the breakdown too
        target_records = target_record_rows(year, department)
        names = {t.code: t.name for t in scored.result.department(department.name).targets}
        lines += [
            (line, target_records.get(line.key), names.get(line.rule, ""))
            for line in engine.department_target_lines(scored.input, department.name)
        ]
    # Newest first; a line whose record was removed since the year was scored sorts as today's.
    lines.sort(key=lambda row: row[1].date if row[1] else timezone.localdate(), reverse=True)
    return lines


@login_required
def department_detail(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    scored = year_scored(year)
    try:
        result = scored.result.department(department.name)
    except KeyError:
        raise Http404("该部室未参加本年度考核。") from None
    scheme = scored.input.scheme
    return render(
        request,
        "staff/department_detail.html",
        {
            "year": year,
            "department": department,
            "result": result,
            # The same for every reader: the template keeps it in the shared cache per data version (and per
            # version of the records' evidence files, which change no score) and calls this only on a miss (a
            # large department's hundreds of lines are most of the page's work).
            "lines": functools.partial(_department_lines, scored, year, department),
            "evidence_version": evidence_version(year, department),
            "categories": category_rows(scheme, scored.result.categories, result),
            "has_caps": bool(scheme.caps or scheme.bonus_caps),
            "full_score": scheme.full_score,
            "targets": [(t, scheme.category_name(t.category)) for t in result.targets],
            "target_totals": target_totals(result) if result.targets else None,
            "show_ranking": access.may_see_ranking(request.user, year),
            "may_history": access.may_read_history(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Results for leadership and the review group


def _ranked_rows(
    year: AssessmentYear, shown, department_url, history_url
) -> list[tuple[engine.DepartmentResult, str, str | None]]:
    """The page's departments with the links of their rows: the breakdown, and the history for those who may
    read it (`history_url`, else None)."""
    names = [d.name for d in shown]
    ids = dict(Department.objects.filter(year_entries__year=year, name__in=names).values_list("name", "pk"))
    return [(d, department_url(ids[d.name]), history_url(ids[d.name]) if history_url else None) for d in shown]


@login_required
def results(request: HttpRequest, year: int) -> HttpResponse:
    year = access.year_for_request(year)
    if not access.may_see_results(request.user):
        raise PermissionDenied("只有领导和考核小组可以查看考核结果。")
    scored = year_scored(year)
    result = scored.result
    # A provincial year ranks thousands of departments: the table goes page by page, the charts draw the
    # page's first CHART_DEPARTMENTS (the whole ranking is in the Excel and PDF reports).
    page = Paginator(result.departments, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = page.object_list
    charted = shown[:CHART_DEPARTMENTS]
    department_url = pk_url("staff:department", year.year)
    # A year of target items (docs/scoring.md §7) says when an allotment does not add up, as the target list does:
    # the year cannot be approved until it does.
    allotment = target_allotment_problems(year) if year.targets.exists() else []
    may_history = access.may_read_history(request.user)
    others = [y for y in scored_years() if y.pk != year.pk]
    compared_year = next((y for y in others if str(y.year) == request.GET.get("compare")), None)
    compared = []
    if compared_year is not None:
        first, second = sorted([compared_year, year], key=lambda y: y.year)
        compared = compare(first, second)
    history_base = f"{reverse('staff:history')}?year={year.year}&department="

    def history_url(pk: int) -> str:
        return f"{history_base}{pk}"

    return render(
        request,
        "staff/results.html",
        {
            "year": year,
            "result": result,
            "allotment_problems": allotment,
            "targets_url": (
                f"{reverse('admin:scoring_target_changelist')}?year__id__exact={year.pk}"
                if allotment and access.may_enter_targets(request.user)
                else ""
            ),
            "page": page,
            # Called only when the template's cache of the table misses.
            "rows": functools.partial(_ranked_rows, year, shown, department_url, history_url if may_history else None),
            "may_history": may_history,
            "charted": len(charted),
            "compare_years": others,
            "compared_year": compared_year,
            "compared": compared,
            "compared_pair": sorted([compared_year.year, year.year]) if compared_year is not None else None,
            # Built only when the template's cache of the charts misses (templates/staff/results.html).
            "score_charts": functools.partial(
                final_score_charts, list(charted), SCREEN, scored.input.scheme.full_score
            ),
            "deduction_chart": functools.partial(deductions_chart, list(charted), result.categories),
        },
    )
