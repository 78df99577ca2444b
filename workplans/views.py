"""Pages of monthly work and the self-assessment: a department head's plans and summaries, the vice chair's
review, the review group's T4 suggestions, the self-assessment with its bonus claims and evidence. Each view
checks access on the server (the access package), calls one service or selector, and renders or redirects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

import access
from departments.models import Department
from kaohe.files import serve_private_file
from results.cache import year_scored
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, Rule
from scoring.phases import year_refusal
from workplans import selectors, services
from workplans.forms import (
    BonusClaimForm,
    DismissForm,
    EvidenceForm,
    OutcomeForm,
    PlanItemFormSet,
    ReportTextForm,
    ReviewForm,
    SelfAssessmentForm,
)
from workplans.models import BonusClaim, ClaimEvidence, MonthlyReport, PlanItem, SelfAssessment


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---------------------------------------------------------------------------------------------------------
# Monthly plans and summaries


@login_required
def report_list(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    board = selectors.report_board(year, [department], list(range(1, 13)))
    return render(
        request,
        "workplans/report_list.html",
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
                return redirect("workplans:report", year=year.year, department=department.pk, month=month)
    else:
        text, plan, outcomes = _report_forms(request, report, items)

    supervising = department in access.supervised_departments(request.user, year)
    return render(
        request,
        "workplans/report_detail.html",
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
            return redirect("workplans:supervision", year=year.year)
    else:
        messages.error(request, "请填写审阅意见。")
    return redirect("workplans:report", year=year.year, department=department.pk, month=month)


@login_required
def supervision(request: HttpRequest, year: int) -> HttpResponse:
    """The vice chair's board: the supervised departments' reports, month by month."""
    year = access.year_for_request(year)
    departments = access.supervised_departments(request.user, year)
    if not departments and not access.sees_all_departments(request.user):
        raise PermissionDenied("您没有分管部室。")
    if not departments:
        departments = list(Department.objects.filter(year_entries__year=year).order_by("year_entries__order"))
    months = list(range(1, selectors.current_month(year) + 1))
    return render(
        request,
        "workplans/supervision.html",
        {"year": year, "board": selectors.report_board(year, departments, months), "months": months},
    )


# ---------------------------------------------------------------------------------------------------------
# T4 suggestions


def _t4_rule_for(request: HttpRequest, year: AssessmentYear) -> Rule:
    rule = services.t4_rule(year)
    if rule is None:
        raise Http404(f"{year}的考核方案没有 T4 项目。")
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
        "workplans/t4_list.html",
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
            item=item, user=request.user, pending=access.needs_confirmation(request.user, [department])
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        note = "（本部室记录，待考核小组组长确认）" if record.is_pending else ""
        messages.success(request, f"已为{department}记录 T4 扣分{note}。")
    return redirect("workplans:t4", year=year.year)


@login_required
@require_POST
def t4_dismiss(request: HttpRequest, year: int, item: int) -> HttpResponse:
    year = access.year_for_request(year)
    _t4_rule_for(request, year)
    item = get_object_or_404(PlanItem, pk=item, plan_report__year=year)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "不予扣分须填写理由。")
        return redirect("workplans:t4", year=year.year)
    try:
        services.t4_dismiss(item=item, reason=form.cleaned_data["reason"], user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, "已记录不予扣分及理由。")
    return redirect("workplans:t4", year=year.year)


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
    result = (
        selectors.self_result(assessment, base) if assessment else selectors.nothing_declared(base, department.name)
    )
    return {"self_result": result, "scheme": base.scheme, "categories": base.scheme.score_categories}


def _declarations(assessment: SelfAssessment | None) -> list:
    if assessment is None:
        return []
    return sorted(assessment.declarations.all(), key=lambda d: (d.rule.category.order, d.rule.order))


@login_required
def self_assessment(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    assessment = selectors.self_assessment_for(year, department)
    may_write = access.may_write_department(request.user, department)
    phase_refusal = year_refusal(year, "self_assessment")  # the self-assessment is filled in 自评 only
    editable = may_write and phase_refusal is None and not (assessment and assessment.is_submitted)
    rules = _deduction_rules(year)
    specs = spec_from_db(year.scheme).rules
    initial: dict[str, Any] = {"summary": assessment.summary if assessment else ""}
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
                return redirect("workplans:self", year=year.year, department=department.pk)
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
    return render(request, "workplans/self_assessment.html", context)


@login_required
def self_assessment_print(request: HttpRequest, year: int, department: int) -> HttpResponse:
    year = access.year_for_request(year)
    department = access.department_for_user(request.user, year, department)
    assessment = selectors.self_assessment_for(year, department)
    if assessment is None:
        raise Http404("该部室尚未填写自评表。")
    context: dict[str, Any] = {"year": year, "department": department, "assessment": assessment}
    context.update(_self_context(year, department, assessment))
    context["declarations"] = _declarations(assessment)
    return render(request, "workplans/self_assessment_print.html", context)


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
                messages.error(request, str(message))
    return redirect("workplans:self", year=year.year, department=assessment.department_id)


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
    return redirect("workplans:self", year=year, department=department)


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
    return redirect("workplans:self", year=year, department=department)


@login_required
def evidence_download(request: HttpRequest, evidence: int) -> FileResponse:
    evidence = get_object_or_404(
        ClaimEvidence.objects.select_related("claim__assessment__year", "claim__assessment__department"), pk=evidence
    )
    assessment = evidence.claim.assessment
    if not access.may_see_department(request.user, assessment.year, assessment.department):
        raise PermissionDenied("您无权查看该材料。")
    return serve_private_file(evidence)
