"""The public ballot page (/vote/, no login) and the review lead's pages (/democratic/)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

import access
from ballots import codes as ballot_codes
from ballots import paper as ballot_paper
from ballots import selectors, services
from ballots import statistics as ballot_statistics
from ballots.forms import (
    CodeForm,
    CodesForm,
    GroupFormSet,
    PaperBallotForm,
    PaperImportForm,
    RatingsForm,
    RoundForm,
)
from ballots.models import CodeBatch, Round
from ballots.pdf import slips_pdf
from departments.models import Department
from kaohe.client import client_address
from kaohe.confirm import confirmation_page
from kaohe.downloads import attachment, download_name
from scoring.models import AssessmentYear
from scoring.phases import PHASE_ORDER, year_allows, year_refusal

# A light brake on guessing codes: failed code entries per client address, kept only in the cache.
FAILED_CODE_LIMIT = 30
FAILED_CODE_WINDOW = 15 * 60


def _year_for_lead(request: HttpRequest, year: int) -> AssessmentYear:
    if not access.may_manage_democratic(request.user):
        raise PermissionDenied("只有考核小组组长可以管理民主测评。")
    return get_object_or_404(AssessmentYear, year=year)


def _round_for_user(request: HttpRequest, year: int, *, manage: bool) -> Round:
    """The round of a year; 403 unless the user may manage it (or, for viewing, may see results)."""
    if manage and not access.may_manage_democratic(request.user):
        raise PermissionDenied("只有考核小组组长可以管理民主测评。")
    if not manage and not (
        access.may_manage_democratic(request.user) or access.may_view_democratic_results(request.user)
    ):
        raise PermissionDenied("您没有查看民主测评结果的权限。")
    return get_object_or_404(Round.objects.select_related("year"), year__year=year)


# ---------------------------------------------------------------------------------------------------------
# The ballot page


def _client_key(request: HttpRequest) -> str:
    return "ballots:failed:" + client_address(request)


def _vote_render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def vote(request: HttpRequest) -> HttpResponse:
    """Enter the code → grade every department → confirm → submit once."""
    if request.method != "POST":
        return _vote_render(request, "ballots/vote_code.html", {"form": CodeForm()})
    if cache.get(_client_key(request), 0) >= FAILED_CODE_LIMIT:
        return _vote_render(
            request,
            "ballots/vote_code.html",
            {"form": CodeForm(), "refusal": "尝试次数过多，请 15 分钟后再试。"},
            status=429,
        )
    code_form = CodeForm(request.POST)
    if not code_form.is_valid():
        return _vote_render(request, "ballots/vote_code.html", {"form": code_form})
    code = code_form.cleaned_data["code"]
    try:
        check = selectors.code_check(code)
    except ballot_codes.BallotRefused as refused:
        if refused.message == ballot_codes.MSG_UNKNOWN:
            key = _client_key(request)
            cache.add(key, 0, FAILED_CODE_WINDOW)
            cache.incr(key)
        return _vote_render(
            request, "ballots/vote_code.html", {"form": code_form, "refusal": refused.message}, status=400
        )

    departments = selectors.ballot_form_departments(check=check)
    grades = selectors.grade_names(check.round.year.grade_points)
    step = request.POST.get("step", "code")
    context = {
        "code": ballot_codes.code_display(code),
        "check": check,
        "grades": grades,
        "own_excluded": check.department is not None and check.round.year.exclude_own_department,
    }
    if step == "code":
        form = RatingsForm(departments=departments, grades=grades)
        return _vote_render(request, "ballots/vote_ballot.html", {**context, "form": form})
    form = RatingsForm(request.POST, departments=departments, grades=grades)
    if not form.is_valid() or step == "edit":
        if step == "edit":
            form = RatingsForm(initial=request.POST, departments=departments, grades=grades)
        return _vote_render(request, "ballots/vote_ballot.html", {**context, "form": form})
    if step == "review":
        return _vote_render(request, "ballots/vote_confirm.html", {**context, "form": form})
    try:
        services.ballot_cast(code=code, ratings=form.ratings())
    except ballot_codes.BallotRefused as refused:
        return _vote_render(
            request, "ballots/vote_code.html", {"form": CodeForm(), "refusal": refused.message}, status=400
        )
    return redirect("ballots:vote_done")


def vote_done(request: HttpRequest) -> HttpResponse:
    return _vote_render(request, "ballots/vote_done.html", {})


# ---------------------------------------------------------------------------------------------------------
# The lead's pages


@login_required
def index(request: HttpRequest) -> HttpResponse:
    manage = access.may_manage_democratic(request.user)
    if not (manage or access.may_view_democratic_results(request.user)):
        raise PermissionDenied("您没有查看民主测评的权限。")
    years = AssessmentYear.objects.select_related("ballot_round").order_by("-year")
    rows = []
    for year in years:
        round_ = getattr(year, "ballot_round", None)
        rows.append({"year": year, "round": round_, "setup_refusal": year_refusal(year, "ballot_setup")})
    return render(request, "ballots/index.html", {"rows": rows, "manage": manage})


def _groups_from_formset(formset) -> list[services.GroupSpec]:
    return [
        services.GroupSpec(
            f.cleaned_data["name"],
            f.cleaned_data["planned_count"],
            f.cleaned_data.get("weight"),
            f.cleaned_data.get("by_department", False),
        )
        for f in formset.forms
        if f.cleaned_data.get("name")
    ]


@login_required
def round_open(request: HttpRequest, year: int) -> HttpResponse:
    year_obj = _year_for_lead(request, year)
    if Round.objects.filter(year=year_obj).exists():
        return redirect("ballots:round", year=year)
    if request.method == "POST":
        form = RoundForm(request.POST)
        formset = GroupFormSet(request.POST, prefix="groups")
        if form.is_valid() and formset.is_valid():
            try:
                services.round_open(
                    year=year_obj,
                    title=form.cleaned_data["title"],
                    closes_at=form.cleaned_data["closes_at"],
                    groups=_groups_from_formset(formset),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "民主测评已开始。请生成并打印测评码。")
                return redirect("ballots:round", year=year)
    else:
        closes = (timezone.localtime() + datetime.timedelta(days=7)).replace(hour=17, minute=0, second=0, microsecond=0)
        form = RoundForm(initial={"title": f"{year_obj.year}年度民主测评", "closes_at": closes})
        formset = GroupFormSet(
            prefix="groups",
            initial=[
                {"name": g.name, "planned_count": g.planned_count, "weight": g.weight, "by_department": g.by_department}
                for g in services.default_groups(year=year_obj)
            ]
            + [{}],
        )
    return render(
        request,
        "ballots/round_form.html",
        {
            "year": year_obj,
            "form": form,
            "formset": formset,
            "opening": True,
            "roster_staff": sum(selectors.roster_counts(year=year_obj).values()),
            "grade_scale": selectors.grade_scale(year_obj),
            "refusal": year_refusal(year_obj, "ballot_setup"),
        },
    )


@login_required
def round_edit(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    groups = list(round_.groups.all())
    if request.method == "POST":
        form = RoundForm(request.POST)
        formset = GroupFormSet(request.POST, prefix="groups")
        if form.is_valid() and formset.is_valid() and len(formset.forms) == len(groups):
            specs = {
                g.pk: services.GroupSpec(
                    f.cleaned_data.get("name") or "",
                    f.cleaned_data.get("planned_count") or 1,
                    f.cleaned_data.get("weight"),
                    g.by_department,
                )
                for g, f in zip(groups, formset.forms, strict=True)
            }
            try:
                services.round_update(
                    round=round_,
                    title=form.cleaned_data["title"],
                    closes_at=form.cleaned_data["closes_at"],
                    groups=specs,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "已保存。")
                return redirect("ballots:round", year=year)
    else:
        form = RoundForm(initial={"title": round_.title, "closes_at": timezone.localtime(round_.closes_at)})
        formset = GroupFormSet(
            prefix="groups",
            initial=[
                {"name": g.name, "planned_count": g.planned_count, "weight": g.weight, "by_department": g.by_department}
                for g in groups
            ],
        )
    return render(
        request,
        "ballots/round_form.html",
        {
            "year": round_.year,
            "round": round_,
            "form": form,
            "formset": formset,
            "opening": False,
            "grade_scale": selectors.grade_scale(round_.year),
            "refusal": year_refusal(round_.year, "ballot_setup"),
        },
    )


def _online_status(round_: Round) -> str:
    """Whether an open round takes votes at /vote/ now: its closing time, then the year's phase."""
    if not round_.accepts_online_votes():
        return "已截止，网上不能再投票"
    if year_allows(round_.year, "ballot"):
        return "正在接受投票"
    voting = AssessmentYear.Phase.DEMOCRATIC
    if PHASE_ORDER.index(round_.year.phase) < PHASE_ORDER.index(voting):
        return f"已开启，将于「{voting.label}」阶段接受投票"
    return f"「{voting.label}」阶段已结束，网上不能再投票"


def _department_options(round_: Round, departments: list[Department]) -> list[tuple[Department, int]]:
    """The code form's departments with their active people in the roster (0 when it has none)."""
    counts = selectors.roster_counts(year=round_.year)
    return [(d, counts.get(d.pk, 0)) for d in departments]


@login_required
def round_detail(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    departments = selectors.ballot_departments(year=round_.year)
    return render(
        request,
        "ballots/round.html",
        {
            "round": round_,
            "year": round_.year,
            "turnout": selectors.round_turnout(round=round_),
            "batches": selectors.round_codes_summary(round=round_),
            "codes_form": CodesForm(round=round_, departments=departments),
            "department_options": _department_options(round_, departments),
            "online_status": _online_status(round_),
            "grade_scale": selectors.grade_scale(round_.year),
            "ballot_url": request.build_absolute_uri(reverse("ballots:vote")),
            "setup_refusal": year_refusal(round_.year, "ballot_setup"),
            "ballot_refusal": year_refusal(round_.year, "ballot"),
        },
    )


@login_required
@require_POST
def codes_generate(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    form = CodesForm(request.POST, round=round_, departments=selectors.ballot_departments(year=round_.year))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("ballots:round", year=year)
    group, department = form.cleaned_data["group"], form.cleaned_data["department"]
    try:
        codes = services.codes_generate(
            group=group, department=department, count=form.cleaned_data["count"], user=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("ballots:round", year=year)
    pdf = slips_pdf(
        group=group,
        department=department if group.by_department else None,
        codes=codes,
        ballot_url=request.build_absolute_uri(reverse("ballots:vote")),
    )
    voters = department.name if group.by_department and department else ""
    name = download_name("民主测评码", "pdf", year=round_.year.year, department=voters, detail=group.name)
    return attachment(HttpResponse(pdf, content_type="application/pdf"), name)


def _date_label(when: datetime.date) -> str:
    return f"{when.year}年{when.month}月{when.day}日"


@login_required
@require_POST
def batch_void(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    batch = get_object_or_404(CodeBatch, pk=pk, group__round=round_)
    unused = batch.codes.filter(used=False).count()
    page = confirmation_page(
        request,
        title="作废测评码",
        consequences=[
            f"“{batch.group.name}”{_date_label(timezone.localtime(batch.created_at))}生成的"
            f"这批 {batch.count} 个测评码作废，其中 {unused} 个尚未使用的测评码不能再投票；",
            "已用这批测评码投出的测评票仍然有效。",
        ],
        button="作废未使用的测评码",
        back=reverse("ballots:round", args=[year]),
    )
    if page is not None:
        return page
    try:
        unused = services.batch_void(batch=batch)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"已作废该批测评码，其中 {unused} 个未使用的测评码不能再投票。")
    return redirect("ballots:round", year=year)


@login_required
@require_POST
def round_close(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    turnout = selectors.round_turnout(round=round_)
    page = confirmation_page(
        request,
        title=f"结束{round_.title}",
        consequences=[
            "网上不能再投票，纸质测评票也不能再录入；",
            f"已收到的 {sum(t.total for t in turnout)} 张测评票（"
            + "，".join(f"{t.group.name} {t.total} 张" for t in turnout)
            + "）计入各部室的民主测评得分和最终得分；",
            "测评结果随即可以查看，测评不能重新开启。",
        ],
        button="结束测评并计分",
        back=reverse("ballots:round", args=[year]),
    )
    if page is not None:
        return page
    try:
        services.round_close(round=round_)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("ballots:round", year=year)
    messages.success(request, "民主测评已结束，测评结果已计入最终得分。")
    return redirect("ballots:statistics", year=year)


@login_required
def paper_ballot(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    departments = selectors.ballot_departments(year=round_.year)
    grades = selectors.grade_names(round_.year.grade_points)
    kwargs: dict[str, Any] = {"round": round_, "departments": departments, "grades": grades}
    if request.method == "POST":
        form = PaperBallotForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.paper_ballot_add(
                    round=round_,
                    group=form.cleaned_data["group"],
                    voter_department=form.cleaned_data["voter_department"],
                    ratings=form.ratings(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "纸质测评票已录入。可继续录入下一张。")
                return redirect("ballots:paper", year=year)
    else:
        form = PaperBallotForm(**kwargs)
    return render(
        request,
        "ballots/paper.html",
        {
            "round": round_,
            "year": round_.year,
            "form": form,
            "grades": grades,
            "import_form": PaperImportForm(),
            "turnout": selectors.round_turnout(round=round_),
            "refusal": year_refusal(round_.year, "ballot"),
        },
    )


@login_required
def paper_import(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    errors: list[str] = []
    if request.method == "POST":
        form = PaperImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                count = ballot_paper.paper_ballots_import(round=round_, data=form.cleaned_data["file"].read())
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, f"已导入 {count} 张纸质测评票。")
                return redirect("ballots:paper", year=year)
    else:
        form = PaperImportForm()
    return render(
        request,
        "ballots/paper_import.html",
        {
            "round": round_,
            "year": round_.year,
            "form": form,
            "errors": errors,
            "refusal": year_refusal(round_.year, "ballot"),
        },
    )


@login_required
def paper_template(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=True)
    response = HttpResponse(
        ballot_paper.paper_template_xlsx(round=round_),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return attachment(response, download_name("纸质测评票导入模板", "xlsx", year=round_.year.year))


@login_required
def statistics(request: HttpRequest, year: int) -> HttpResponse:
    round_ = _round_for_user(request, year, manage=False)
    manage = access.may_manage_democratic(request.user)
    if not round_.is_closed:
        if not manage:
            raise Http404("民主测评尚未结束，结果暂不公开。")
        # While open only turnout is visible, to the lead too.
        return render(
            request,
            "ballots/statistics.html",
            {
                "round": round_,
                "year": round_.year,
                "turnout": selectors.round_turnout(round=round_),
                "manage": manage,
                "grade_scale": selectors.grade_scale(round_.year),
            },
        )
    stats = ballot_statistics.round_statistics(round=round_)
    return render(
        request,
        "ballots/statistics.html",
        {
            "round": round_,
            "year": round_.year,
            "stats": stats,
            "turnout": stats.turnout,
            "manage": manage,
            "grade_scale": selectors.grade_scale(round_.year),
        },
    )
