"""Pages of the year's procedure. Each view checks access on the server, calls one service, redirects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

import access
from departments.models import Department, Organisation
from kaohe.confirm import confirmation_page
from kaohe.downloads import attachment, download_name
from kaohe.files import serve_private_file
from reports import notice as notices
from reports.notice import awards_table
from reports.notice import notice_pdf as render_notice
from results.cache import year_result, year_scored
from reviews.models import LedgerRecord, RecordDepartment
from scoring import engine
from scoring.models import AssessmentYear, TieOrderEntry
from workflow import forms, newyear, services
from workflow.models import Approval, Objection, ObjectionFile, PhaseTransition

Phase = AssessmentYear.Phase


def _year_for_user(request: HttpRequest, year: int) -> AssessmentYear:
    """The year, for anyone with a role in the procedure (404 for a year that does not exist)."""
    user = request.user
    if not access.may_see_procedure(user):
        raise PermissionDenied("您没有查看考核程序的权限。")
    return get_object_or_404(AssessmentYear.objects.select_related("scheme"), year=year)


def _messages_of(exc: ValidationError) -> list[str]:
    return exc.messages


def _fail(request: HttpRequest, exc: ValidationError) -> None:
    for message in _messages_of(exc):
        messages.error(request, message)


@login_required
def year_list(request: HttpRequest) -> HttpResponse:
    if not access.may_see_procedure(request.user):
        raise PermissionDenied("您没有查看考核程序的权限。")
    years = AssessmentYear.objects.order_by("-year")
    context = {"years": years, "may_start_year": access.may_start_year(request.user)}
    return render(request, "workflow/year_list.html", context)


@login_required
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _year_for_user(request, year)
    user = request.user
    index = services.PHASE_ORDER.index(year_obj.phase)
    context = {
        "year": year_obj,
        "phases": [(p, Phase(p).label, i < index, i == index) for i, p in enumerate(services.PHASE_ORDER)],
        "transitions": PhaseTransition.objects.filter(year=year_obj).select_related("moved_by"),
        "publicity": services.publicity_current(year_obj),
        "approvals": Approval.objects.filter(year=year_obj)
        .select_related("approved_by", "announced_by", "reopening__reopened_by")
        .defer("snapshot"),
        "open_objections": services.objections_open(year_obj).count(),
        "may_move": access.may_move_phase(user),
        "may_decide": access.may_decide(user),
        "may_reopen": access.may_reopen(user) and year_obj.is_frozen,
        "may_read_notice": access.may_read_notice(user, year_obj) and services.approval_current(year_obj),
        "may_edit_notice": access.may_edit_notice(user) and year_obj.phase in {Phase.APPROVED, Phase.ANNOUNCED},
        "move_choices": _move_choices(year_obj),
        "move_form": forms.PhaseMoveForm(),
        "reopen_form": forms.ReopenForm(),
    }
    return render(request, "workflow/year_detail.html", context)


@login_required
def year_next(request: HttpRequest, year: int) -> HttpResponse:
    """新建下一年度: the year after `year` from it, on one form; a confirmation page lists what it creates."""
    if not access.may_start_year(request.user):
        raise PermissionDenied("只有系统管理员或考核小组组长可以新建考核年度。")
    source = get_object_or_404(AssessmentYear.objects.select_related("scheme"), year=year)
    rows = newyear.departments_initial(source)
    if request.method == "POST":
        form = forms.NewYearForm(request.POST)
        formset = forms.TakingPartFormSet(request.POST, prefix="departments", initial=rows)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            plan = newyear.NewYear(
                source=source,
                year=data["year"],
                title=data["title"].strip(),
                copy_scheme=data["scheme_action"] == "copy",
                scheme_code=data["scheme_code"],
                scheme_name=data["scheme_name"].strip(),
                departments=tuple(
                    newyear.TakingPart(f.cleaned_data["department"], f.cleaned_data["headcount"])
                    for f in formset
                    if f.cleaned_data.get("take_part")
                ),
            )
            try:
                newyear.plan_check(plan)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                page = confirmation_page(
                    request,
                    title=f"由{source}新建{plan.year}年度",
                    consequences=plan.consequences(),
                    button=f"新建{plan.year}年度",
                    back=reverse("workflow:year_next", kwargs={"year": year}),
                )
                if page is not None:
                    return page
                try:
                    created = newyear.year_next_create(plan, request.user)
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    messages.success(request, f"{created}已新建，当前为“准备”阶段。")
                    return redirect("workflow:year", year=created.year)
    else:
        form = forms.NewYearForm(initial=newyear.next_plan_initial(source))
        formset = forms.TakingPartFormSet(prefix="departments", initial=rows)
    if len(formset.forms) != len(rows):
        # A crafted or stale POST whose departments do not line up with the source year's: shown afresh.
        form.add_error(None, "参加考核的部室与源年度不一致，请重新填写。")
        formset = forms.TakingPartFormSet(prefix="departments", initial=rows)
    context = {
        "source": source,
        "form": form,
        "formset": formset,
        "rows": [(f, row["department"]) for f, row in zip(formset, rows, strict=True)],
        "leaders": source.year_leaders.select_related("leader"),
        "supervisions": source.supervisions.select_related("leader", "department"),
        "organisation": Organisation.current(),
        "settings_summary": newyear.settings_summary(source),
    }
    return render(request, "workflow/year_next.html", context)


def _move_choices(year: AssessmentYear) -> list[tuple[str, str]]:
    """The phase selector's options, the step forward first (the one selected): one click should never send a
    year back by default. From 公示 the step forward is 审定, recorded on the approval page."""
    if year.phase == Phase.ANNOUNCED:
        return [(Phase.ARCHIVED, Phase.ARCHIVED.label)]
    if year.is_frozen:
        return []
    i = services.OPEN_PHASES.index(year.phase)
    forward = services.PHASE_ORDER[i + 1]
    label = Phase(forward).label
    choices = [(forward, f"{label}（前往审定页面）" if forward == Phase.APPROVED else label)]
    if i > 0:
        back = services.OPEN_PHASES[i - 1]
        choices.append((back, f"{Phase(back).label}（退回）"))
    return choices


@login_required
@require_POST
def year_move(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _year_for_user(request, year)
    if not access.may_move_phase(request.user):
        raise PermissionDenied("只有考核小组组长或领导可以变更考核阶段。")
    form = forms.PhaseMoveForm(request.POST)
    if form.is_valid() and form.cleaned_data["to"] == Phase.APPROVED and year_obj.phase == Phase.PUBLICITY:
        return redirect("workflow:approval", year=year)  # 审定 needs the meeting's record: see the approval page
    if form.is_valid() and form.cleaned_data["to"] == Phase.PUBLICITY and year_obj.phase != Phase.PUBLICITY:
        days = form.cleaned_data["publicity_days"] or services.DEFAULT_PUBLICITY_DAYS
        page = confirmation_page(
            request,
            title=f"公示{year_obj}考核结果",
            consequences=[
                "各部室的得分、排名和奖项向部室负责人公布，公布后不能收回；",
                f"公示期 {days} 天，其间部室可以对台帐记录提出异议。",
            ],
            button="确认公示",
            back=reverse("workflow:year", kwargs={"year": year}),
        )
        if page is not None:
            return page
    if form.is_valid():
        try:
            services.year_phase_move(
                year_obj,
                form.cleaned_data["to"],
                request.user,
                publicity_days=form.cleaned_data["publicity_days"] or services.DEFAULT_PUBLICITY_DAYS,
            )
            messages.success(request, f"{year_obj}已进入“{year_obj.get_phase_display()}”阶段。")
        except ValidationError as exc:
            _fail(request, exc)
    else:
        messages.error(request, "请选择有效的阶段。")
    return redirect("workflow:year", year=year)


@login_required
@require_POST
def year_reopen(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _year_for_user(request, year)
    if not access.may_reopen(request.user):
        raise PermissionDenied("只有系统管理员可以重新开启已审定的年度。")
    form = forms.ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.year_reopen(year_obj, form.cleaned_data["reason"], request.user)
            messages.success(request, f"{year_obj}已重新开启，回到公示阶段。")
        except ValidationError as exc:
            _fail(request, exc)
    else:
        messages.error(request, "请填写重新开启的理由。")
    return redirect("workflow:year", year=year)


# ---------------------------------------------------------------------------------------------------------
# Objections


@login_required
def objection_list(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _year_for_user(request, year)
    user = request.user
    objections = Objection.objects.filter(year=year_obj).select_related(
        "department", "raised_by", "answered_by", "record__rule"
    )
    headed = access.headed_departments(user)
    if not access.may_see_objections_of_all(user):
        objections = objections.filter(department__in=headed)
    records = []
    if headed and year_obj.phase == Phase.PUBLICITY:
        records = _department_records(year_obj, headed)
    publicity = services.publicity_current(year_obj)
    context = {
        "year": year_obj,
        "objections": objections,
        "records": records,
        "publicity": publicity,
        "may_raise": bool(headed) and services.year_allows(year_obj, "objection"),
        "objection_refusal": services.year_refusal(year_obj, "objection") if headed else None,
    }
    return render(request, "workflow/objection_list.html", context)


def _department_records(year: AssessmentYear, departments: list[Department]) -> list[dict]:
    """The headed departments' confirmed records with the points each gives, from the one scoring core."""
    scored = year_scored(year)
    in_year = {d.name for d in scored.result.departments}
    points = {
        (line.key, department.name): line.points
        for department in departments
        if department.name in in_year
        for line in scored.explained(department).lines
    }
    links = (
        RecordDepartment.objects.filter(
            year=year, department__in=departments, record__status=LedgerRecord.Status.CONFIRMED
        )
        .select_related("record__rule", "department")
        .order_by("department__order", "record__date", "record_id")
    )
    open_ids = set(services.objections_open(year).values_list("record_id", flat=True))
    return [
        {
            "record": link.record,
            "department": link.department,
            "points": points.get((link.record_id, link.department.name)),
            "has_open": link.record_id in open_ids,
        }
        for link in links
    ]


@login_required
def objection_create(request: HttpRequest, year: int, record: int) -> HttpResponse:
    year_obj = _year_for_user(request, year)
    record_obj = get_object_or_404(LedgerRecord.objects.select_related("rule"), pk=record, year=year_obj)
    mine = {d.pk for d in access.headed_departments(request.user)}
    if not record_obj.record_departments.filter(department_id__in=mine).exists():
        raise PermissionDenied("只能对本部室的台帐记录提出异议。")
    refusal = services.year_refusal(year_obj, "objection")
    if refusal:
        raise PermissionDenied(refusal)
    form = forms.ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection = services.objection_raise(
                record=record_obj,
                reason=form.cleaned_data["reason"],
                by=request.user,
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "异议已提交，等待考核小组答复。")
            return redirect("workflow:objection", pk=objection.pk)
    return render(request, "workflow/objection_form.html", {"year": year_obj, "record": record_obj, "form": form})


def _objection_for_user(request: HttpRequest, pk: int) -> Objection:
    objection = get_object_or_404(
        Objection.objects.select_related("year", "department", "raised_by", "answered_by", "record__rule"), pk=pk
    )
    user = request.user
    if access.may_see_objections_of_all(user):
        return objection
    if objection.department in access.headed_departments(user):
        return objection
    raise PermissionDenied("您无权查看该异议。")


@login_required
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = _objection_for_user(request, pk)
    user = request.user
    may_answer = (
        objection.is_open
        and objection.record is not None
        and access.may_record_rule(user, objection.record.rule)
        and not objection.year.is_frozen
    )
    initial = {"exempt": objection.record.exempt} if objection.record else None
    form = forms.AnswerForm(
        request.POST or None, initial=initial, levels=objection.record.rule.level_choices() if objection.record else ()
    )
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied("只有负责该考核项目的考核小组成员或组长可以答复。")
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            values = form.adjusted_values(objection.record) if decision == Objection.Decision.ADJUST else None
            try:
                services.objection_answer(
                    objection=objection, decision=decision, answer=form.cleaned_data["answer"], by=user, values=values
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "答复已保存。")
                return redirect("workflow:objection", pk=pk)
    context = {
        "objection": objection,
        "year": objection.year,
        "files": objection.files.all(),
        "form": form,
        "may_answer": may_answer,
        "effect_rows": [
            (name, _labelled(e.get("before")), _labelled(e.get("after")))
            for name, e in objection.effect.items()
            if name != "decisions_cleared"
        ],
        "cleared": objection.effect.get("decisions_cleared", []),
    }
    return render(request, "workflow/objection_detail.html", context)


def _labelled(scores: dict | None) -> dict:
    scores = dict(scores or {})
    if "award" in scores:
        scores["award"] = engine.AWARD_LABELS.get(scores["award"], scores["award"])
    return scores


@login_required
def objection_file(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(ObjectionFile.objects.select_related("objection"), pk=pk)
    _objection_for_user(request, attachment.objection_id)
    return serve_private_file(attachment)


# ---------------------------------------------------------------------------------------------------------
# Approval (审定)


def _leadership_year(request: HttpRequest, year: int) -> AssessmentYear:
    if not (access.is_leadership(request.user) or access.is_review_lead(request.user)):
        raise PermissionDenied("审定页面仅供领导和考核小组组长使用。")
    return get_object_or_404(AssessmentYear.objects.select_related("scheme"), year=year)


@login_required
def approval(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _leadership_year(request, year)
    return _approval_page(request, year_obj, forms.ApprovalForm(publicity=services.publicity_running(year_obj)))


def _approval_page(request: HttpRequest, year_obj: AssessmentYear, approval_form: forms.ApprovalForm) -> HttpResponse:
    current = services.approval_current(year_obj)
    error = None
    if current is not None:
        result = services.year_snapshot_result(current)
    else:
        try:
            result = year_result(year_obj)
        except engine.ScoringError as exc:
            result, error = None, exc.message
    may_decide = access.may_decide(request.user) and services.year_allows(year_obj, "decision")
    ties = []
    if result is not None:
        ties = [(i, tie, forms.TieOrderForm(tie=tie, auto_id=f"tie{i}_%s")) for i, tie in enumerate(result.ties)]
    eligible = []
    awards = {a.department.name: a for a in year_obj.discretionary_awards.select_related("department", "granted_by")}
    if result is not None:
        for i, d in enumerate(result.departments):
            if d.discretionary_eligible or d.name in awards:
                given = awards.get(d.name)
                initial = {
                    "department": d.name,
                    "amount": given.amount if given else None,
                    "reason": given.reason if given else "",
                }
                eligible.append((d, given, forms.AwardForm(initial=initial, auto_id=f"award{i}_%s")))
    context = {
        "may_history": access.may_read_history(request.user),
        "year": year_obj,
        "result": result,
        "error": error,
        "approval": current,
        "ties": ties,
        "tie_orders": year_obj.tie_orders.prefetch_related(Prefetch("entries", queryset=_entries())).select_related(
            "decided_by"
        ),
        "eligible": eligible,
        "blockers": services.approval_blockers(year_obj, result) if result is not None and current is None else [],
        "may_decide": may_decide,
        # Why leadership cannot order ties or grant awards now (the phase), shown instead of the forms.
        "decision_refusal": services.year_refusal(year_obj, "decision")
        if access.may_decide(request.user) and current is None
        else None,
        "approval_form": approval_form,
    }
    return render(request, "workflow/approval.html", context)


def _entries():

    return TieOrderEntry.objects.select_related("department").order_by("position")


def _decider_year(request: HttpRequest, year: int) -> AssessmentYear:
    if not access.may_decide(request.user):
        raise PermissionDenied("只有领导可以作出此项决定。")
    return get_object_or_404(AssessmentYear.objects.select_related("scheme"), year=year)


@login_required
@require_POST
def approval_tie(request: HttpRequest, year: int, index: int) -> HttpResponse:
    year_obj = _decider_year(request, year)
    result = year_result(year_obj)
    if index >= len(result.ties):
        messages.error(request, "该并列已不存在，请刷新页面。")
        return redirect("workflow:approval", year=year)
    form = forms.TieOrderForm(request.POST, tie=result.ties[index])
    if form.is_valid():
        try:
            services.tie_order_set(year_obj, form.cleaned_data["order"], form.cleaned_data["reason"], request.user)
            messages.success(request, f"已确定排序：{'、'.join(form.cleaned_data['order'])}。")
        except ValidationError as exc:
            _fail(request, exc)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect(reverse("workflow:approval", kwargs={"year": year}) + "#ties")


@login_required
@require_POST
def approval_award(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _decider_year(request, year)
    form = forms.AwardForm(request.POST)
    if form.is_valid():
        department = get_object_or_404(Department, name=form.cleaned_data["department"])
        try:
            award = services.discretionary_award_grant(
                year_obj, department, form.cleaned_data["amount"], form.cleaned_data["reason"], request.user
            )
            messages.success(request, f"已核定{department.name}酌情奖励人均 {award.amount} 元。")
        except ValidationError as exc:
            _fail(request, exc)
    else:
        messages.error(request, "请填写金额和理由。")
    return redirect(reverse("workflow:approval", kwargs={"year": year}) + "#awards")


@login_required
@require_POST
def approval_approve(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _decider_year(request, year)
    form = forms.ApprovalForm(request.POST, publicity=services.publicity_running(year_obj))
    if not form.is_valid():
        return _approval_page(request, year_obj, form)  # each message next to its field
    meeting = form.cleaned_data["meeting_date"]
    page = confirmation_page(
        request,
        title=f"审定{year_obj}",
        consequences=[
            f"以{meeting.year}年{meeting.month}月{meeting.day}日审定会议"
            f"（纪要 {form.cleaned_data['minutes_ref']}）的名义审定本年度结果；",
            "本年度的台帐、目标项目、民主测评、并列排序和奖励全部冻结，只能查看，不能再修改；",
            "审定时的得分、排名和奖金另存一份快照，年终报告和通报以此为准。",
        ],
        button="确认审定",
        back=reverse("workflow:approval", kwargs={"year": year}),
    )
    if page is not None:
        return page
    try:
        services.year_approve(
            year_obj,
            form.cleaned_data["meeting_date"],
            form.cleaned_data["minutes_ref"],
            request.user,
            before_publicity_end=bool(form.cleaned_data.get("confirm_early")),
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            _fail(request, exc)  # the year's blockers, a frozen year: above the form
            return redirect("workflow:approval", year=year)
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _approval_page(request, year_obj, form)
    messages.success(request, f"{year_obj}已审定，结果已冻结。")
    return redirect("workflow:approval", year=year)


@login_required
@require_POST
def year_announce(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _decider_year(request, year)
    page = confirmation_page(
        request,
        title=f"通报{year_obj}考核结果",
        consequences=[
            "本年度进入“已通报”阶段，审定的结果和通报向全体用户（部室负责人在内）公布；",
            f"通报定稿，成文日期为今天（{notices.chinese_date(timezone.localdate())}），此后不能再修改；",
            *notices.notice_warnings(year_obj),
            "通报后不能退回。",
        ],
        button="确认通报",
        back=reverse("workflow:year", kwargs={"year": year}),
    )
    if page is not None:
        return page
    try:
        services.year_announce(year_obj, request.user)
        messages.success(request, f"{year_obj}考核结果已通报。")
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("workflow:year", year=year)


# ---------------------------------------------------------------------------------------------------------
# 通报 and awards table (from the snapshot)


def _approval_for_reader(request: HttpRequest, year: int) -> Approval:
    year_obj = get_object_or_404(AssessmentYear, year=year)
    if not access.may_read_notice(request.user, year_obj):
        raise PermissionDenied("通报在发布后方可查看。")
    current = services.approval_current(year_obj)
    if current is None:
        raise Http404("该年度尚未审定。")
    return current


@login_required
def notice_pdf(request: HttpRequest, year: int) -> HttpResponse:

    current = _approval_for_reader(request, year)
    response = HttpResponse(render_notice(current.year), content_type="application/pdf")
    return attachment(response, download_name("考核结果通报", "pdf", year=year))


@login_required
def awards(request: HttpRequest, year: int) -> HttpResponse:

    current = _approval_for_reader(request, year)
    return render(request, "workflow/awards.html", {"year": current.year, "approval": current, **awards_table(current)})


def _notice_editor_year(request: HttpRequest, year: int) -> AssessmentYear:
    if not access.may_edit_notice(request.user):
        raise PermissionDenied("只有考核小组组长可以起草和修改通报。")
    return get_object_or_404(AssessmentYear.objects.select_related("scheme"), year=year)


@login_required
def notice_edit(request: HttpRequest, year: int) -> HttpResponse:
    """The review lead's page of the 通报: generate the draft, edit its text, 发文字号, 主送, 抄送 and 印发."""
    year_obj = _notice_editor_year(request, year)
    notice = notices.notice_of(year_obj)
    form: forms.NoticeForm | None = None
    if request.method == "POST":
        if notice is None:
            messages.error(request, "请先生成通报草稿。")
            return redirect("workflow:notice_edit", year=year)
        form = forms.NoticeForm(request.POST, instance=notice)
        if form.is_valid():
            try:
                notices.notice_save(form.instance, request.user)
                messages.success(request, "通报已保存。")
                return redirect("workflow:notice_edit", year=year)
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    _fail(request, exc)  # frozen: above the page, nothing to keep
                    return redirect("workflow:notice_edit", year=year)
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    elif notice is not None:
        form = forms.NoticeForm(instance=notice)
    approval = notices.approval_current(year_obj)
    context = {
        "year": year_obj,
        "notice": notice,
        "approval": approval,
        "form": form,
        "frozen": year_obj.phase in {Phase.ANNOUNCED, Phase.ARCHIVED},
        "issued": notices.chinese_date(notice.issued_on) if notice is not None and notice.issued_on else "",
        "number": notices.document_number(notice, notices.number_day(notice, approval)) if notice is not None else "",
    }
    return render(request, "workflow/notice_edit.html", context)


@login_required
@require_POST
def notice_generate(request: HttpRequest, year: int) -> HttpResponse:
    """Generate the draft from the approval; again (replacing the edited text) after a confirmation."""
    year_obj = _notice_editor_year(request, year)
    regenerate = notices.notice_of(year_obj) is not None
    if regenerate:
        page = confirmation_page(
            request,
            title=f"重新生成{year_obj}通报草稿",
            consequences=[
                "标题、开头、结尾、发文字号、主送、抄送、印发机关和印发日期恢复为按审定结果和组织信息生成的内容；",
                "已修改的文字不保留。",
            ],
            button="重新生成",
            back=reverse("workflow:notice_edit", kwargs={"year": year}),
        )
        if page is not None:
            return page
    try:
        notices.notice_draft(year_obj, request.user, regenerate=regenerate)
        messages.success(request, "已重新生成通报草稿。" if regenerate else "已生成通报草稿。")
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("workflow:notice_edit", year=year)
