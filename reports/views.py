"""Report downloads. Every view checks access on the server; files go out as attachments with nosniff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from departments.models import Department
from kaohe.downloads import attachment, download_name
from reports import forms_pdf, services
from reports.account import review_account_pdf
from reports.forms import ReviewAccountForm
from reports.models import ReportBuild
from reports.pdf import build_department_pdf
from scoring.models import AssessmentYear, YearDepartment
from workflow.account import review_account_of, review_account_save


def _year(year: int) -> AssessmentYear:
    return get_object_or_404(AssessmentYear.objects.select_related("scheme"), year=year)


def _year_for_reports(request: HttpRequest, year: int) -> AssessmentYear:
    """The year, for a user who may download its year-wide files (else 403)."""
    obj = _year(year)
    if not access.may_download_year_reports(request.user):
        raise PermissionDenied("只有领导和考核小组可以下载年度考核报告。")
    return obj


def _department_of_year(year: AssessmentYear, department_id: int) -> Department:
    entry = get_object_or_404(
        YearDepartment.objects.select_related("department"), year=year, department_id=department_id
    )
    return entry.department


def _kind(kind: str) -> str:
    if kind not in ReportBuild.Kind.values:
        raise Http404("未知的报告")
    return kind


def _own_departments(user, year: AssessmentYear) -> list[Department]:
    """Departments whose own files (section, forms) this user may fetch, without seeing the whole year."""
    headed = {d.pk: d for d in access.headed_departments(user)}
    found = {**headed, **{d.pk: d for d in access.supervised_departments(user, year)}}
    in_year = set(year.year_departments.values_list("department_id", flat=True))
    return [d for pk, d in sorted(found.items(), key=lambda item: (item[1].order, item[0])) if pk in in_year]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    everything = access.may_download_year_reports(request.user)
    if not access.may_open_reports(request.user):
        raise PermissionDenied("您没有可下载的考核报告。")
    years = AssessmentYear.objects.order_by("-year")
    return render(request, "reports/index.html", {"years": years, "everything": everything})


@login_required
@require_GET
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    obj = _year(year)
    everything = access.may_download_year_reports(request.user)
    if everything:
        departments = [e.department for e in obj.year_departments.select_related("department").order_by("order", "id")]
    else:
        departments = _own_departments(request.user, obj)
        if not departments:
            raise PermissionDenied("您没有该年度可下载的考核报告。")
    rows = [
        {
            "department": d,
            "section": access.may_download_department_report(request.user, obj, d),
            "forms": access.may_print_department_forms(request.user, obj, d),
        }
        for d in departments
    ]
    large = services.year_is_large(obj) if everything else False
    context = {
        "year": obj,
        "everything": everything,
        "rows": rows,
        "large": large,
        "builds": services.latest_builds(obj) if everything else {},
        "kinds": ReportBuild.Kind.choices,
        "threshold": services.BACKGROUND_MIN_DEPARTMENTS,
        "account_download": access.may_download_review_account(request.user),
        "account_write": access.may_write_review_account(request.user),
    }
    return render(request, "reports/year.html", context)


@login_required
@require_GET
def year_file(request: HttpRequest, year: int, kind: str) -> HttpResponseBase:
    """The year-end PDF or workbook: built on the spot for a normal year; a large year's newest finished build."""
    obj = _year_for_reports(request, year)
    kind = _kind(kind)
    if services.year_is_large(obj):
        build = services.latest_builds(obj).get(kind)
        if build is None or build.status != ReportBuild.Status.DONE:
            messages.info(request, "该年度部室较多，请先在后台生成报告，完成后即可下载。")
            return redirect("reports:year", year=obj.year)
        return build_download(request, build.pk)
    data = services.report_bytes(obj, kind)
    response = HttpResponse(data, content_type=services.report_content_type(kind))
    return attachment(response, services.report_filename(obj, kind))


@login_required
@require_POST
def build_start(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    obj = _year_for_reports(request, year)
    build = services.report_build_request(year=obj, kind=_kind(kind), by=request.user)
    return redirect("reports:build", pk=build.pk)


def _build_for_user(request: HttpRequest, pk: int) -> ReportBuild:
    build = get_object_or_404(ReportBuild.objects.select_related("year"), pk=pk)
    if not access.may_download_year_reports(request.user):
        raise PermissionDenied("只有领导和考核小组可以下载年度考核报告。")
    return build


@login_required
@require_GET
def build_page(request: HttpRequest, pk: int) -> HttpResponse:
    build = _build_for_user(request, pk)
    return render(request, "reports/build.html", {"build": build, "year": build.year})


@login_required
@require_GET
def build_status(request: HttpRequest, pk: int) -> JsonResponse:
    build = _build_for_user(request, pk)
    done = build.status == ReportBuild.Status.DONE
    return JsonResponse(
        {
            "status": build.status,
            "status_label": build.get_status_display(),
            "progress": build.progress,
            "step": build.step,
            "finished": build.is_finished,
            "download_url": reverse("reports:build_download", args=[build.pk]) if done else None,
            "error": "生成失败，请联系系统管理员。" if build.status == ReportBuild.Status.FAILED else "",
        }
    )


@login_required
@require_GET
def build_download(request: HttpRequest, pk: int) -> FileResponse:
    build = _build_for_user(request, pk)
    if build.status != ReportBuild.Status.DONE or not build.file_name:
        raise Http404("报告尚未生成完成")
    path = services.report_build_path(build)
    if not path.is_file():
        raise Http404("报告文件已不存在，请重新生成")
    response = FileResponse(path.open("rb"), content_type=services.report_content_type(build.kind))
    return attachment(response, services.report_filename(build.year, build.kind))


@login_required
@require_GET
def department_section(request: HttpRequest, year: int, department_id: int) -> HttpResponse:
    """A department's section of the year-end report (its head's download once the results are published)."""

    obj = _year(year)
    department = _department_of_year(obj, department_id)
    if not access.may_download_department_report(request.user, obj, department):
        raise PermissionDenied("结果公布后，部室负责人才可下载本部室的考核情况。")
    data = build_department_pdf(obj, department.name)
    response = HttpResponse(data, content_type=services.PDF_TYPE)
    return attachment(response, download_name("考核情况", "pdf", year=obj.year, department=department.name))


@login_required
@require_GET
def department_form(request: HttpRequest, year: int, department_id: int, form: str) -> HttpResponse:
    """Printable forms of one department: 年度考核自评表 (`self`) and the monthly plans and summaries (`plans`)."""

    obj = _year(year)
    department = _department_of_year(obj, department_id)
    if not access.may_print_department_forms(request.user, obj, department):
        raise PermissionDenied("您不能打印该部室的表格。")
    if form == "self":
        data, name = forms_pdf.self_assessment_pdf(obj, department), "自评表"
    elif form == "plans":
        data, name = forms_pdf.monthly_plans_pdf(obj, department), "月度工作计划和小结"
    else:
        raise Http404("未知的表格")
    response = HttpResponse(data, content_type=services.PDF_TYPE)
    return attachment(response, download_name(name, "pdf", year=obj.year, department=department.name))


@login_required
@require_http_methods(["GET", "POST"])
def review_account(request: HttpRequest, year: int) -> HttpResponse:
    """The review lead writes the review group's year-end account (九.2); read-only once the year is approved."""
    obj = _year(year)
    if not access.may_write_review_account(request.user):
        raise PermissionDenied("只有考核小组组长可以填写年终考核情况。")
    account = review_account_of(obj)
    form = ReviewAccountForm(
        request.POST if request.method == "POST" else None,
        initial={"narrative": account.narrative if account else ""},
    )
    if obj.is_frozen:
        form.fields["narrative"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            review_account_save(obj, form.cleaned_data["narrative"], request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                for error in exc.messages:
                    form.add_error(None, error)
        else:
            messages.success(request, "考核情况说明已保存。")
            return redirect("reports:review_account", year=obj.year)
    context = {"year": obj, "form": form, "account": account, "frozen": obj.is_frozen}
    return render(request, "reports/review_account.html", context)


@login_required
@require_GET
def review_account_file(request: HttpRequest, year: int) -> HttpResponse:
    """The review group's written year-end account as PDF: the review lead and leadership."""
    obj = _year(year)
    if not access.may_download_review_account(request.user):
        raise PermissionDenied("只有考核小组组长和领导可以下载考核小组年终考核情况。")
    response = HttpResponse(review_account_pdf(obj), content_type=services.PDF_TYPE)
    return attachment(response, download_name("考核小组年终考核情况", "pdf", year=obj.year))
