"""Server-side access of every staff URL, per role (the navigation only hides what these refuse)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department
from results.cache import year_result
from scoring.models import AssessmentYear, Rule
from workplans import services
from workplans.models import MonthlyReport, PlanItem


@pytest.fixture
def depts(demo_year):
    return {d.name: d for d in Department.objects.all()}


def _submitted_report(year, department, user, month=6, outcome=PlanItem.Outcome.NOT_DONE, cause=PlanItem.Cause.OWN):
    may = services.report_get_or_create(year=year, department=department, month=month - 1)
    services.report_save(
        report=may,
        summary_text="",
        plan_text="",
        plan_items=[services.PlanItemData("职工书屋验收", "", datetime.date(2023, month, 20))],
        outcomes={},
        submit=False,
        user=user,
    )
    report = services.report_get_or_create(year=year, department=department, month=month)
    items = services.summary_items(report)
    services.report_save(
        report=report,
        summary_text="小结",
        plan_text="",
        plan_items=[],
        outcomes={i.pk: services.OutcomeData(outcome, cause, "") for i in items},
        submit=True,
        user=user,
    )
    return report, items


def _self_assessment_with_claim(year, department):

    rules = {r.code: r for r in Rule.objects.filter(scheme=year.scheme)}
    assessment = services.self_assessment_get_or_create(year=year, department=department)
    services.self_assessment_save(
        assessment=assessment,
        summary="总结",
        declarations=[services.DeclarationData(rules["T3"], 1, 0, Decimal("1"), "延迟")],
        submit=False,
        user=None,
    )
    services.bonus_claim_add(assessment=assessment, rule=rules["B3"], level="municipal", title="创新奖", shared_with=[])


def _department_urls(pk):
    return [
        reverse("staff:department", args=[2023, pk]),
        reverse("staff:reports", args=[2023, pk]),
        reverse("staff:report", args=[2023, pk, 6]),
        reverse("staff:self", args=[2023, pk]),
    ]


def _all_urls(pk):
    return [
        reverse("home"),
        reverse("password_change"),
        *_department_urls(pk),
        reverse("staff:self_print", args=[2023, pk]),
        reverse("staff:supervision", args=[2023]),
        reverse("staff:t4", args=[2023]),
        reverse("staff:compare", args=[2023]),
        reverse("staff:compare_detail", args=[2023, pk]),
        reverse("staff:results", args=[2023]),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, depts):
    for url in _all_urls(depts["办公室"].pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url


def test_login_page_is_chinese_and_logs_in(client, cast):
    response = client.get(reverse("login"))
    assert "登录" in response.content.decode()

    response = client.post(reverse("login"), {"username": "head_bgs", "password": "kaohe-demo-2023"})

    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.usefixtures("self_assessment_year")  # 自评: reports, self-assessments and T4 may all be written
def test_head_of_a_cannot_read_or_write_for_b(client, cast, depts):
    client.force_login(cast["head_bgs"])
    zzb = depts["组织部"].pk
    for url in _department_urls(zzb):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("staff:report", args=[2023, zzb, 6]), {"action": "save"}).status_code == 403
    assert client.post(reverse("staff:self", args=[2023, zzb]), {"action": "save"}).status_code == 403
    assert client.post(reverse("staff:claim_add", args=[2023, zzb]), {}).status_code == 403
    assert not MonthlyReport.objects.filter(department_id=zzb).exists()
    for url in _department_urls(depts["办公室"].pk):
        assert client.get(url).status_code == 200, url


def test_head_sees_no_results_compare_or_t4(client, cast, depts):
    client.force_login(cast["head_bgs"])
    for name in ("staff:results", "staff:compare", "staff:t4", "staff:supervision"):
        assert client.get(reverse(name, args=[2023])).status_code == 403, name


def test_head_sees_rank_only_once_published(client, cast, demo_year, depts):
    client.force_login(cast["head_bgs"])
    url = reverse("staff:department", args=[2023, depts["办公室"].pk])
    assert "名次和奖项在考核结果公布后显示" in client.get(url).content.decode()

    demo_year.results_published = True
    demo_year.save(update_fields=["results_published"])

    page = client.get(url).content.decode()
    assert "名次和奖项在考核结果公布后显示" not in page
    assert "最终得分" in page


def test_vice_chair_sees_only_supervised_departments(client, cast, depts):
    client.force_login(cast["vice_li"])
    page = client.get(reverse("staff:supervision", args=[2023])).content.decode()
    assert "办公室" in page and "组织部" in page and "宣教调研室" in page
    assert "女职工部" not in page
    assert client.get(reverse("staff:report", args=[2023, depts["办公室"].pk, 6])).status_code == 200
    assert client.get(reverse("staff:report", args=[2023, depts["女职工部"].pk, 6])).status_code == 403
    assert client.get(reverse("staff:results", args=[2023])).status_code == 403


def test_vice_chair_reviews_only_supervised_reports(client, cast, demo_year, depts):
    report, _ = _submitted_report(demo_year, depts["女职工部"], cast["head_nzgb"])
    url = reverse("staff:report_review", args=[2023, depts["女职工部"].pk, 6])

    client.force_login(cast["vice_li"])
    assert client.post(url, {"comment": "同意"}).status_code == 403
    client.force_login(cast["vice_zhao"])
    assert client.post(url, {"comment": "同意，注意进度"}).status_code == 302

    report.refresh_from_db()
    assert report.review_comment == "同意，注意进度"
    assert report.reviewed_by == cast["vice_zhao"]


def test_head_cannot_review_own_report(client, cast, demo_year, depts):
    _submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["head_bgs"])
    url = reverse("staff:report_review", args=[2023, depts["办公室"].pk, 6])
    assert client.post(url, {"comment": "自己审"}).status_code == 403


def test_only_zzb_reviewer_and_lead_handle_t4(client, cast, demo_year, depts):
    _, items = _submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    confirm = reverse("staff:t4_confirm", args=[2023, items[0].pk])
    for who in ("reviewer_bgs", "head_bgs", "vice_li", "leader_wang", "outsider"):
        client.force_login(cast[who])
        assert client.get(reverse("staff:t4", args=[2023])).status_code == 403, who
        assert client.post(confirm).status_code == 403, who
    items[0].refresh_from_db()
    assert items[0].ledger_record is None

    client.force_login(cast["reviewer_zzb"])
    assert client.post(confirm).status_code == 302
    items[0].refresh_from_db()
    assert items[0].ledger_record.rule.code == "T4"


def test_t4_on_own_office_waits_for_the_lead(client, cast, demo_year, depts):
    _, items = _submitted_report(demo_year, depts["组织部"], cast["head_zzb"])
    client.force_login(cast["reviewer_zzb"])

    client.post(reverse("staff:t4_confirm", args=[2023, items[0].pk]))

    items[0].refresh_from_db()
    assert items[0].ledger_record.status == "pending"


def test_t4_dismiss_without_reason_is_refused(client, cast, demo_year, depts):
    _, items = _submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["reviewer_zzb"])

    client.post(reverse("staff:t4_dismiss", args=[2023, items[0].pk]), {"reason": ""})

    items[0].refresh_from_db()
    assert items[0].t4_state == "open"


def test_results_and_compare_for_leadership_and_review_group(client, cast, depts):
    for who in ("leader_wang", "lead", "reviewer_bgs", "admin"):
        client.force_login(cast[who])
        assert client.get(reverse("staff:results", args=[2023])).status_code == 200, who
        assert client.get(reverse("staff:compare", args=[2023])).status_code == 200, who
        assert client.get(reverse("staff:department", args=[2023, depts["女职工部"].pk])).status_code == 200, who
    for who in ("outsider", "vice_zhao", "head_nzgb"):
        client.force_login(cast[who])
        assert client.get(reverse("staff:results", args=[2023])).status_code == 403, who
        assert client.get(reverse("staff:compare_detail", args=[2023, depts["办公室"].pk])).status_code == 403, who


def test_submitted_report_refuses_post(client, cast, demo_year, depts):
    _submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["head_bgs"])
    url = reverse("staff:report", args=[2023, depts["办公室"].pk, 6])
    assert client.post(url, {"action": "save"}).status_code == 403


def test_nav_shows_only_usable_entries(client, cast):
    client.force_login(cast["head_bgs"])
    page = client.get(reverse("home")).content.decode()
    assert "月度计划和小结" in page and "考核结果" not in page and "T4 建议" not in page
    client.force_login(cast["reviewer_zzb"])
    page = client.get(reverse("home")).content.decode()
    assert "T4 建议" in page and "月度计划和小结" not in page


@pytest.mark.usefixtures("self_assessment_year")  # 自评: reports, self-assessments and T4 may all be written
def test_evidence_download_checks_the_department(client, cast, demo_year, depts, settings, tmp_path):

    settings.EVIDENCE_ROOT = tmp_path
    assessment = services.self_assessment_get_or_create(year=demo_year, department=depts["办公室"])
    claim = services.bonus_claim_add(
        assessment=assessment,
        rule=Rule.objects.get(scheme=demo_year.scheme, code="B2"),
        level="municipal",
        title="市总交流材料",
        shared_with=[],
    )
    pdf = SimpleUploadedFile("会议通知.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf")
    evidence = services.evidence_add(claim=claim, upload=pdf, user=cast["head_bgs"])
    url = reverse("staff:evidence", args=[evidence.pk])

    client.force_login(cast["head_zzb"])
    assert client.get(url).status_code == 403
    client.force_login(cast["head_bgs"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert not (tmp_path / "self-assessment" / "会议通知.pdf").exists()


@pytest.mark.usefixtures("self_assessment_year")  # 自评: reports, self-assessments and T4 may all be written
@pytest.mark.parametrize(
    ("who", "name", "queries"),
    [
        ("vice_li", "staff:supervision", 7),
        ("leader_wang", "staff:results", 15),
        ("lead", "staff:compare", 25),
        ("reviewer_zzb", "staff:t4", 11),
    ],
)
def test_list_pages_issue_a_constant_number_of_queries(
    client, cast, demo_year, depts, django_assert_num_queries, who, name, queries
):
    client.force_login(cast[who])
    client.get(reverse(name, args=[2023]))  # warm caches (sessions, content types)
    for dept, head in (("办公室", "head_bgs"), ("组织部", "head_zzb")):
        _submitted_report(demo_year, depts[dept], cast[head])
    _self_assessment_with_claim(demo_year, depts["办公室"])
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[2023])).status_code == 200
    for dept, head in (("宣教调研室", "head_bgs"),):
        _submitted_report(demo_year, depts[dept], cast[head], month=8)
    _self_assessment_with_claim(demo_year, depts["组织部"])
    _self_assessment_with_claim(demo_year, depts["女职工部"])
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[2023])).status_code == 200


def test_report_draft_saved_twice_keeps_its_plan_items(client, cast, depts):
    client.force_login(cast["head_bgs"])
    url = reverse("staff:report", args=[2023, depts["办公室"].pk, 5])
    form = {
        "action": "save",
        "summary_text": "五月小结",
        "plan_text": "",
        "plan-TOTAL_FORMS": "2",
        "plan-INITIAL_FORMS": "0",
        "plan-0-title": "职工书屋验收",
        "plan-0-due_date": "2023-06-20",
    }
    assert client.post(url, form).status_code == 302
    [item] = PlanItem.objects.filter(plan_report__department=depts["办公室"])

    again = {
        "action": "save",
        "summary_text": "五月小结（修改）",
        "plan_text": "",
        "plan-TOTAL_FORMS": "3",
        "plan-INITIAL_FORMS": "1",
        "plan-0-pk": str(item.pk),
        "plan-0-title": "职工书屋验收",
        "plan-0-due_date": "2023-06-20",
    }
    assert client.post(url, again).status_code == 302

    assert list(PlanItem.objects.filter(plan_report__department=depts["办公室"])) == [item]
    assert MonthlyReport.objects.get(department=depts["办公室"], month=5).summary_text == "五月小结（修改）"


def test_results_page_lists_departments_in_ranking_order(client, cast, demo_year):

    client.force_login(cast["leader_wang"])
    page = client.get(reverse("staff:results", args=[2023])).content.decode()

    names = [d.name for d in year_result(demo_year).departments]
    positions = [page.index(f'<th scope="row">{name}</th>') for name in names]
    assert positions == sorted(positions)
    assert page.count("<svg") == 2
    assert "103.80" in page  # 宣教调研室's final score, first place
    for name in names:  # each row links to its department's page
        url = reverse("staff:department", args=[2023, Department.objects.get(name=name).pk])
        assert f'<a href="{url}">明细<span class="visually-hidden">：{name}</span></a>' in page


def test_compare_list_links_each_department_to_its_comparison(client, cast, demo_year):
    client.force_login(cast["lead"])
    page = client.get(reverse("staff:compare", args=[2023])).content.decode()

    departments = Department.objects.filter(year_entries__year=demo_year)
    assert departments.count() == 7
    for department in departments:
        url = reverse("staff:compare_detail", args=[2023, department.pk])
        assert page.count(f'<a href="{url}">逐项对照</a>') == 1


@pytest.mark.usefixtures("self_assessment_year")  # 自评: reports, self-assessments and T4 may all be written
def test_department_and_self_pages_issue_a_constant_number_of_queries(client, cast, demo_year, depts):
    bgs = depts["办公室"]
    client.force_login(cast["head_bgs"])
    pages = [reverse("staff:department", args=[2023, bgs.pk]), reverse("staff:self", args=[2023, bgs.pk])]
    _self_assessment_with_claim(demo_year, bgs)
    counts = []
    for month in (6, 8):
        _, items = _submitted_report(demo_year, bgs, cast["head_bgs"], month=month)
        services.t4_confirm(item=items[0], user=cast["reviewer_zzb"])
        row = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
    # The department page reads its records' lines in one query; its scheme comes with the scored year.
    assert counts[0] == counts[1] == [19, 27]


def test_frozen_year_pages_are_read_only(client, cast, demo_year, depts):

    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    client.force_login(cast["head_bgs"])
    bgs = depts["办公室"].pk

    page = client.get(reverse("staff:report", args=[2023, bgs, 6])).content.decode()
    assert "本年度已审定，数据只读" in page and "保存草稿" not in page
    assert client.post(reverse("staff:report", args=[2023, bgs, 6]), {"action": "save"}).status_code == 403
    assert client.post(reverse("staff:self", args=[2023, bgs]), {"action": "save"}).status_code == 403
    assert not MonthlyReport.objects.exists()


def test_admin_lists_reports_read_only(client, cast, demo_year, depts):
    _submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["admin"])
    assert client.get("/admin/workplans/monthlyreport/").status_code == 200
    assert client.get("/admin/workplans/selfassessment/").status_code == 200
