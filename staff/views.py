"""Staff pages: department heads, vice chairs, reviewers and leadership. Each view checks access on the server
(staff.access), calls one service or selector, and renders or redirects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from departments.access import headed_departments, is_leadership, is_reviewer, sees_all_departments
from departments.models import Department
from kaohe.files import serve_private_file
from kaohe.links import pk_url
from results.cache import year_result, year_scored
from reviews.selectors import record_rows
from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, Rule
from scoring.phases import year_refusal
from staff import access
from staff.charts import deductions_chart, final_scores_chart
from staff.forms import (
    BonusClaimForm,
    DismissForm,
    EvidenceForm,
    OutcomeForm,
    PlanItemFormSet,
    ReportTextForm,
    ReviewForm,
    SelfAssessmentForm,
)
from staff.records import line_items
from workplans import selectors, services
from workplans.models import BonusClaim, ClaimEvidence, MonthlyReport, PlanItem, SelfAssessment

# A provincial year has thousands of departments: long lists go page by page, charts draw at most this many.
RESULTS_PER_PAGE = 100
CHART_DEPARTMENTS = 30


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _current_year() -> AssessmentYear | None:
    return AssessmentYear.objects.select_related("scheme").order_by("-year").first()


def _current_month(year: AssessmentYear) -> int:
    today = timezone.localdate()
    if today.year == year.year:
        return today.month
    return 12 if today.year > year.year else 1


def _year_department_names(year: AssessmentYear) -> set[str]:
    return set(year.year_departments.values_list("department__name", flat=True))


# ---------------------------------------------------------------------------------------------------------
# Home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    year = _current_year()
    user = request.user
    context: dict = {"year": year}
    if year is not None:
        context["headed"] = headed_departments(user)
        context["supervised"] = access.supervised_departments(user, year)
        context["month"] = _current_month(year)
        context["sees_all"] = sees_all_departments(user)
        context["is_reviewer"] = is_reviewer(user)
        context["is_leadership"] = is_leadership(user)
        if context["supervised"]:
            context["to_review"] = MonthlyReport.objects.filter(
                year=year, department__in=context["supervised"], status="submitted", reviewed_at__isnull=True
            ).count()
        rule = services.t4_rule(year) if is_reviewer(user) else None
        context["may_t4"] = rule is not None and access.may_record_rule(user, rule)
        if context["may_t4"]:
            context["t4_open"] = services.t4_suggestions(year=year).count()
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
# Monthly plans and summaries


@login_required
def report_list(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    board = selectors.report_board(year, [department], list(range(1, 13)))
    return render(
        request,
        "staff/report_list.html",
        {
            "year": year,
            "department": department,
            "cells": board[0][1],
            "may_write": access.may_write_department(request.user, department),
        },
    )


def _report_forms(request, report: MonthlyReport | None, items: list[PlanItem], data=None):
    text = ReportTextForm(
        data,
        initial={"summary_text": report.summary_text, "plan_text": report.plan_text} if report else None,
    )
    initial_plan = (
        [{"pk": i.pk, "title": i.title, "content": i.content, "due_date": i.due_date} for i in report.plan_items.all()]
        if report
        else []
    )
    plan = PlanItemFormSet(data, initial=initial_plan, prefix="plan")
    outcomes = [
        (
            item,
            OutcomeForm(
                data, prefix=f"o{item.pk}", initial={"outcome": item.outcome, "cause": item.cause, "note": item.note}
            ),
        )
        for item in items
    ]
    return text, plan, outcomes


@login_required
def report_detail(request: HttpRequest, year: int, department: int, month: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    if not 1 <= month <= 12:
        raise Http404("月份不正确。")
    report = (
        MonthlyReport.objects.filter(year=year, department=department, month=month)
        .select_related("year", "submitted_by", "reviewed_by")
        .prefetch_related("plan_items")
        .first()
    )
    may_write = access.may_write_department(request.user, department)
    phase_refusal = year_refusal(year, "monthly_report")  # monthly reports follow the year's phase
    editable = may_write and phase_refusal is None and not (report and report.is_submitted)
    if report is not None:
        items = services.summary_items(report)
    else:
        probe = MonthlyReport(year=year, department=department, month=month)
        items = services.summary_items(probe)

    if request.method == "POST":
        if not editable:
            raise PermissionDenied(phase_refusal if may_write and phase_refusal else "您不能修改该报告。")
        text, plan, outcomes = _report_forms(request, report, items, request.POST)
        valid = text.is_valid() & plan.is_valid() & all([f.is_valid() for _, f in outcomes])
        if valid:
            plan_items = [
                services.PlanItemData(
                    title=f.cleaned_data["title"],
                    content=f.cleaned_data.get("content", ""),
                    due_date=f.cleaned_data["due_date"],
                    pk=f.cleaned_data.get("pk"),
                )
                for f in plan.forms
                # Unchanged extra forms have no cleaned data; unchanged existing items must be kept.
                if f.cleaned_data.get("title") and not f.cleaned_data.get("DELETE")
            ]
            outcome_data = {
                item.pk: services.OutcomeData(
                    f.cleaned_data["outcome"], f.cleaned_data["cause"], f.cleaned_data["note"]
                )
                for item, f in outcomes
            }
            submit = request.POST.get("action") == "submit"
            try:
                report = report or services.report_get_or_create(year=year, department=department, month=month)
                services.report_save(
                    report=report,
                    summary_text=text.cleaned_data["summary_text"],
                    plan_text=text.cleaned_data["plan_text"],
                    plan_items=plan_items,
                    outcomes=outcome_data,
                    submit=submit,
                    user=request.user,
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, "已提交，报告不能再修改。" if submit else "草稿已保存。")
                return redirect("staff:report", year=year.year, department=department.pk, month=month)
    else:
        text, plan, outcomes = _report_forms(request, report, items)

    supervising = department in access.supervised_departments(request.user, year)
    return render(
        request,
        "staff/report_detail.html",
        {
            "year": year,
            "department": department,
            "month": month,
            "next_month": month + 1 if month < 12 else None,
            "report": report,
            "items": items,
            "editable": editable,
            "phase_refusal": phase_refusal if may_write or supervising else None,
            "text_form": text,
            "plan_formset": plan,
            "outcome_forms": outcomes,
            "deadline": services.month_deadline(year.year, month),
            "may_review": supervising and report is not None and report.is_submitted and phase_refusal is None,
            "review_form": ReviewForm(initial={"comment": report.review_comment} if report else None),
        },
    )


@login_required
@require_POST
def report_review(request: HttpRequest, year: int, department: int, month: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = get_object_or_404(Department, pk=department)
    if department not in access.supervised_departments(request.user, year):
        raise PermissionDenied("只有分管副主席可以审阅该部室的报告。")
    report = get_object_or_404(
        MonthlyReport.objects.select_related("year"), year=year, department=department, month=month
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.report_review(report=report, comment=form.cleaned_data["comment"], user=request.user)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, f"已审阅{department}{month}月计划和小结。")
            return redirect("staff:supervision", year=year.year)
    else:
        messages.error(request, "请填写审阅意见。")
    return redirect("staff:report", year=year.year, department=department.pk, month=month)


@login_required
def supervision(request: HttpRequest, year: int) -> HttpResponse:
    """The vice chair's board: the supervised departments' reports, month by month."""
    year = access.year_for_request(year)
    departments = access.supervised_departments(request.user, year)
    if not departments and not sees_all_departments(request.user):
        raise PermissionDenied("您没有分管部室。")
    if not departments:
        departments = list(Department.objects.filter(year_entries__year=year).order_by("year_entries__order"))
    months = list(range(1, _current_month(year) + 1))
    return render(
        request,
        "staff/supervision.html",
        {"year": year, "board": selectors.report_board(year, departments, months), "months": months},
    )


# ---------------------------------------------------------------------------------------------------------
# T4 suggestions


def _t4_rule_for(request: HttpRequest, year: AssessmentYear) -> Rule:
    rule = services.t4_rule(year)
    if not access.may_record_rule(request.user, rule):
        raise PermissionDenied("只有组织部考核小组成员或组长可以处理 T4 建议。")
    return rule


@login_required
def t4_list(request: HttpRequest, year: int) -> HttpResponse:
    year = access.year_for_request(year)
    _t4_rule_for(request, year)
    decided = (
        PlanItem.objects.filter(plan_report__year=year, t4_decided_at__isnull=False)
        .select_related("plan_report__department", "t4_decided_by", "ledger_record")
        .order_by("-t4_decided_at")[:20]
    )
    return render(
        request,
        "staff/t4_list.html",
        {
            "year": year,
            "suggestions": list(services.t4_suggestions(year=year)),
            "phase_refusal": year_refusal(year, "ledger"),  # a T4 decision writes the ledger
            "decided": decided,
            "dismiss_form": DismissForm(),
        },
    )


@login_required
@require_POST
def t4_confirm(request: HttpRequest, year: int, item: int) -> HttpResponse:
    year = access.year_for_request(year)
    _t4_rule_for(request, year)
    item = get_object_or_404(
        PlanItem.objects.select_related("plan_report__department"), pk=item, plan_report__year=year
    )
    department = item.plan_report.department
    try:
        record = services.t4_confirm(
            item=item, user=request.user, pending=access.records_own_department(request.user, department)
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        note = "（本部室记录，待考核小组组长确认）" if record.is_pending else ""
        messages.success(request, f"已为{department}记录 T4 扣分{note}。")
    return redirect("staff:t4", year=year.year)


@login_required
@require_POST
def t4_dismiss(request: HttpRequest, year: int, item: int) -> HttpResponse:
    year = access.year_for_request(year)
    _t4_rule_for(request, year)
    item = get_object_or_404(PlanItem, pk=item, plan_report__year=year)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "不予扣分须填写理由。")
        return redirect("staff:t4", year=year.year)
    try:
        services.t4_dismiss(item=item, reason=form.cleaned_data["reason"], user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, "已记录不予扣分及理由。")
    return redirect("staff:t4", year=year.year)


# ---------------------------------------------------------------------------------------------------------
# Self-assessment


def _deduction_rules(year: AssessmentYear) -> list[Rule]:
    return list(
        Rule.objects.filter(scheme_id=year.scheme_id, kind__in=[Rule.Kind.DEDUCTION, Rule.Kind.DISCRETIONARY])
        .select_related("category")
        .order_by("category__order", "order", "id")
    )


def _self_context(year: AssessmentYear, department: Department, assessment: SelfAssessment | None) -> dict:
    base = year_scored(year).input
    if department.name not in {d.name for d in base.departments}:
        raise Http404("该部室未参加本年度考核。")
    result = selectors.self_result(assessment, base) if assessment else _nothing_declared(base, department)
    return {"self_result": result, "scheme": base.scheme, "categories": base.scheme.score_categories}


def _nothing_declared(base: engine.YearInput, department: Department) -> engine.DepartmentResult:
    """The department's review-level result with no records at all: what an empty self-assessment gives."""
    return engine.score_year(selectors.department_alone(base, department.name, ())).department(department.name)


def _declarations(assessment: SelfAssessment | None) -> list:
    if assessment is None:
        return []
    return sorted(assessment.declarations.all(), key=lambda d: (d.rule.category.order, d.rule.order))


def _assessment(year: AssessmentYear, department: Department) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(year=year, department=department)
        .select_related("year", "department", "submitted_by")
        .prefetch_related(*selectors.SELF_PREFETCH)
        .first()
    )


@login_required
def self_assessment(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    assessment = _assessment(year, department)
    may_write = access.may_write_department(request.user, department)
    phase_refusal = year_refusal(year, "self_assessment")  # the self-assessment is filled in 自评 only
    editable = may_write and phase_refusal is None and not (assessment and assessment.is_submitted)
    rules = _deduction_rules(year)
    specs = spec_from_db(year.scheme).rules
    initial = {"summary": assessment.summary if assessment else ""}
    if assessment is not None:
        for row in assessment.declarations.all():
            code = row.rule.code
            initial.update(
                {
                    f"{code}-quantity": row.quantity,
                    f"{code}-exempt": row.exempt_quantity,
                    f"{code}-points": row.points,
                    f"{code}-reason": row.reason,
                }
            )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(phase_refusal if may_write and phase_refusal else "您不能修改该自评表。")
        form = SelfAssessmentForm(request.POST, rules=rules, specs=specs, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            declarations = [
                services.DeclarationData(
                    rule=rule,
                    quantity=data[f"{rule.code}-quantity"],
                    exempt_quantity=data[f"{rule.code}-exempt"],
                    points=data.get(f"{rule.code}-points"),
                    reason=data.get(f"{rule.code}-reason", ""),
                )
                for rule in rules
            ]
            submit = request.POST.get("action") == "submit"
            try:
                assessment = assessment or services.self_assessment_get_or_create(year=year, department=department)
                services.self_assessment_save(
                    assessment=assessment,
                    summary=data["summary"],
                    declarations=declarations,
                    submit=submit,
                    user=request.user,
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, "自评表已提交。" if submit else "自评表草稿已保存。")
                return redirect("staff:self", year=year.year, department=department.pk)
        else:
            messages.error(request, "请更正下面标出的问题。")
    else:
        form = SelfAssessmentForm(rules=rules, specs=specs, initial=initial)
    bonus_rules = Rule.objects.filter(scheme_id=year.scheme_id, kind=Rule.Kind.BONUS).order_by("order")
    others = (
        Department.objects.filter(year_entries__year=year).exclude(pk=department.pk).order_by("year_entries__order")
    )
    context = {
        "year": year,
        "department": department,
        "assessment": assessment,
        "editable": editable,
        "phase_refusal": phase_refusal if may_write else None,
        "form": form,
        "claim_form": BonusClaimForm(rules=bonus_rules, departments=others),
        "evidence_form": EvidenceForm(),
        "claims": list(assessment.claims.all()) if assessment else [],
        "declarations": _declarations(assessment),
    }
    context.update(_self_context(year, department, assessment))
    return render(request, "staff/self_assessment.html", context)


@login_required
def self_assessment_print(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    assessment = _assessment(year, department)
    if assessment is None:
        raise Http404("该部室尚未填写自评表。")
    context = {"year": year, "department": department, "assessment": assessment}
    context.update(_self_context(year, department, assessment))
    context["declarations"] = _declarations(assessment)
    return render(request, "staff/self_assessment_print.html", context)


def _editable_assessment(request: HttpRequest, year: int, department: int) -> tuple[AssessmentYear, SelfAssessment]:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department, write=True)
    refusal = year_refusal(year, "self_assessment")
    if refusal:
        raise PermissionDenied(refusal)
    return year, services.self_assessment_get_or_create(year=year, department=department)


@login_required
@require_POST
def claim_add(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year, assessment = _editable_assessment(request, year, department)
    bonus_rules = Rule.objects.filter(scheme_id=year.scheme_id, kind=Rule.Kind.BONUS).select_related("category")
    others = Department.objects.filter(year_entries__year=year).exclude(pk=assessment.department_id)
    form = BonusClaimForm(request.POST, rules=bonus_rules, departments=others)
    if form.is_valid():
        try:
            services.bonus_claim_add(assessment=assessment, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, "已添加加分申报，请上传佐证材料。")
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("staff:self", year=year.year, department=assessment.department_id)


def _claim(request: HttpRequest, year: int, department: int, claim: int) -> BonusClaim:
    _year, assessment = _editable_assessment(request, year, department)
    return get_object_or_404(BonusClaim.objects.select_related("assessment__year"), pk=claim, assessment=assessment)


@login_required
@require_POST
def claim_delete(request: HttpRequest, year: int, department: int, claim: int) -> HttpResponse:
    claim = _claim(request, year, department, claim)
    try:
        services.bonus_claim_delete(claim=claim)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, "已删除该加分申报。")
    return redirect("staff:self", year=year, department=department)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, year: int, department: int, claim: int) -> HttpResponse:
    claim = _claim(request, year, department, claim)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(claim=claim, upload=form.cleaned_data["file"], user=request.user)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, "佐证材料已上传。")
    else:
        messages.error(request, "请选择文件。")
    return redirect("staff:self", year=year, department=department)


@login_required
def evidence_download(request: HttpRequest, evidence: int) -> FileResponse:
    evidence = get_object_or_404(
        ClaimEvidence.objects.select_related("claim__assessment__year", "claim__assessment__department"), pk=evidence
    )
    assessment = evidence.claim.assessment
    if not access.may_see_department(request.user, assessment.year, assessment.department):
        raise PermissionDenied("您无权查看该材料。")
    return serve_private_file(evidence)


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
        rows.append((department, assessment, own, ledger, diff, detail_url(department.pk)))
    return render(request, "staff/compare_list.html", {"year": year, "rows": rows, "page": page})


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
    assessment = _assessment(year, department)
    own = selectors.self_result(assessment, base) if assessment else None
    empty = _nothing_declared(base, department)
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
        },
    )


# ---------------------------------------------------------------------------------------------------------
# A department's breakdown ("my department" for a head; the drill-down of the results page)


@login_required
def department_detail(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    scored = year_scored(year)
    try:
        result = scored.explained(department)
    except KeyError:
        raise Http404("该部室未参加本年度考核。") from None
    scheme = scored.input.scheme  # the scheme the year was scored with (kept with it)
    records = record_rows(year, department)
    # Newest first; a line whose record was removed since the year was scored sorts as today's.
    lines = [(line, records.get(line.key), scheme.rules[line.rule].text) for line in result.lines]
    lines.sort(key=lambda row: row[1].date if row[1] else timezone.localdate(), reverse=True)
    categories = [(name, result.by_category.get(code)) for code, name in scored.result.categories]
    return render(
        request,
        "staff/department_detail.html",
        {
            "year": year,
            "department": department,
            "result": result,
            "line_items": line_items(lines),
            "categories": categories,
            "show_ranking": access.may_see_ranking(request.user, year),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Results for leadership and the review group


@login_required
def results(request: HttpRequest, year: int) -> HttpResponse:
    year = access.year_for_request(year)
    if not access.may_see_results(request.user):
        raise PermissionDenied("只有领导和考核小组可以查看考核结果。")
    result = year_result(year)
    # A provincial year ranks thousands of departments: the table goes page by page, the charts draw the
    # page's first CHART_DEPARTMENTS (the whole ranking is in the Excel and PDF reports).
    page = Paginator(result.departments, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = page.object_list
    ids = dict(
        Department.objects.filter(year_entries__year=year, name__in=[d.name for d in shown]).values_list("name", "pk")
    )
    charted = shown[:CHART_DEPARTMENTS]
    department_url = pk_url("staff:department", year.year)
    return render(
        request,
        "staff/results.html",
        {
            "year": year,
            "result": result,
            "page": page,
            "rows": [(d, department_url(ids[d.name])) for d in shown],
            "charted": len(charted),
            "score_chart": final_scores_chart(charted),
            "deduction_chart": deductions_chart(charted, result.categories),
        },
    )
