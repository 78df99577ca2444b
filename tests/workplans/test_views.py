"""Server-side access of every page of monthly work and the self-assessment, per role, and what they write."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import AssessmentYear, Rule
from tests.workplans.conftest import self_assessment_with_claim, submitted_report
from workplans import services
from workplans.models import MonthlyReport, PlanItem


def _department_urls(pk):
    return [
        reverse("workplans:reports", args=[2023, pk]),
        reverse("workplans:report", args=[2023, pk, 6]),
        reverse("workplans:self", args=[2023, pk]),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, depts):
    urls = [
        *_department_urls(depts["办公室"].pk),
        reverse("workplans:self_print", args=[2023, depts["办公室"].pk]),
        reverse("workplans:supervision", args=[2023]),
        reverse("workplans:t4", args=[2023]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url


def test_head_sees_no_t4_or_supervision(client, cast, depts):
    client.force_login(cast["head_bgs"])
    for name in ("workplans:t4", "workplans:supervision"):
        assert client.get(reverse(name, args=[2023])).status_code == 403, name


@pytest.mark.usefixtures("self_assessment_year")  # 自评: reports, self-assessments and T4 may all be written
def test_head_of_a_cannot_read_or_write_for_b(client, cast, depts):
    client.force_login(cast["head_bgs"])
    zzb = depts["组织部"].pk
    for url in _department_urls(zzb):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("workplans:report", args=[2023, zzb, 6]), {"action": "save"}).status_code == 403
    assert client.post(reverse("workplans:self", args=[2023, zzb]), {"action": "save"}).status_code == 403
    assert client.post(reverse("workplans:claim_add", args=[2023, zzb]), {}).status_code == 403
    assert not MonthlyReport.objects.filter(department_id=zzb).exists()
    for url in _department_urls(depts["办公室"].pk):
        assert client.get(url).status_code == 200, url


def test_vice_chair_sees_only_supervised_departments(client, cast, depts):
    client.force_login(cast["vice_li"])
    page = client.get(reverse("workplans:supervision", args=[2023])).content.decode()
    assert "办公室" in page and "组织部" in page and "宣教调研室" in page
    assert "女职工部" not in page
    assert client.get(reverse("workplans:report", args=[2023, depts["办公室"].pk, 6])).status_code == 200
    assert client.get(reverse("workplans:report", args=[2023, depts["女职工部"].pk, 6])).status_code == 403
    assert client.get(reverse("staff:results", args=[2023])).status_code == 403


def test_vice_chair_reviews_only_supervised_reports(client, cast, demo_year, depts):
    report, _ = submitted_report(demo_year, depts["女职工部"], cast["head_nzgb"])
    url = reverse("workplans:report_review", args=[2023, depts["女职工部"].pk, 6])

    client.force_login(cast["vice_li"])
    assert client.post(url, {"comment": "同意"}).status_code == 403
    client.force_login(cast["vice_zhao"])
    assert client.post(url, {"comment": "同意，注意进度"}).status_code == 302

    report.refresh_from_db()
    assert report.review_comment == "同意，注意进度"
    assert report.reviewed_by == cast["vice_zhao"]


def test_head_cannot_review_own_report(client, cast, demo_year, depts):
    submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:report_review", args=[2023, depts["办公室"].pk, 6])
    assert client.post(url, {"comment": "自己审"}).status_code == 403


def test_only_zzb_reviewer_and_lead_handle_t4(client, cast, demo_year, depts):
    _, items = submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    confirm = reverse("workplans:t4_confirm", args=[2023, items[0].pk])
    for who in ("reviewer_bgs", "head_bgs", "vice_li", "leader_wang", "outsider"):
        client.force_login(cast[who])
        assert client.get(reverse("workplans:t4", args=[2023])).status_code == 403, who
        assert client.post(confirm).status_code == 403, who
    items[0].refresh_from_db()
    assert items[0].ledger_record is None

    client.force_login(cast["reviewer_zzb"])
    assert client.post(confirm).status_code == 302
    items[0].refresh_from_db()
    assert items[0].ledger_record.rule.code == "T4"


def test_t4_on_own_office_waits_for_the_lead(client, cast, demo_year, depts):
    _, items = submitted_report(demo_year, depts["组织部"], cast["head_zzb"])
    client.force_login(cast["reviewer_zzb"])

    client.post(reverse("workplans:t4_confirm", args=[2023, items[0].pk]))

    items[0].refresh_from_db()
    assert items[0].ledger_record.status == "pending"


def test_t4_dismiss_without_reason_is_refused(client, cast, demo_year, depts):
    _, items = submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["reviewer_zzb"])

    client.post(reverse("workplans:t4_dismiss", args=[2023, items[0].pk]), {"reason": ""})

    items[0].refresh_from_db()
    assert items[0].t4_state == "open"


def test_submitted_report_refuses_post(client, cast, demo_year, depts):
    submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:report", args=[2023, depts["办公室"].pk, 6])
    assert client.post(url, {"action": "save"}).status_code == 403


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
    url = reverse("workplans:evidence", args=[evidence.pk])

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
        ("vice_li", "workplans:supervision", 7),
        ("reviewer_zzb", "workplans:t4", 11),
    ],
)
def test_list_pages_issue_a_constant_number_of_queries(
    client, cast, demo_year, depts, django_assert_num_queries, who, name, queries
):
    client.force_login(cast[who])
    client.get(reverse(name, args=[2023]))  # warm caches (sessions, content types)
    for dept, head in (("办公室", "head_bgs"), ("组织部", "head_zzb")):
        submitted_report(demo_year, depts[dept], cast[head])
    self_assessment_with_claim(demo_year, depts["办公室"])
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[2023])).status_code == 200
    for dept, head in (("宣教调研室", "head_bgs"),):
        submitted_report(demo_year, depts[dept], cast[head], month=8)
    self_assessment_with_claim(demo_year, depts["组织部"])
    self_assessment_with_claim(demo_year, depts["女职工部"])
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[2023])).status_code == 200


def test_report_draft_saved_twice_keeps_its_plan_items(client, cast, depts):
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:report", args=[2023, depts["办公室"].pk, 5])
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


def test_frozen_year_pages_are_read_only(client, cast, demo_year, depts):

    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    client.force_login(cast["head_bgs"])
    bgs = depts["办公室"].pk

    page = client.get(reverse("workplans:report", args=[2023, bgs, 6])).content.decode()
    assert "本年度已审定，数据只读" in page and "保存草稿" not in page
    assert client.post(reverse("workplans:report", args=[2023, bgs, 6]), {"action": "save"}).status_code == 403
    assert client.post(reverse("workplans:self", args=[2023, bgs]), {"action": "save"}).status_code == 403
    assert not MonthlyReport.objects.exists()


def test_admin_lists_reports_read_only(client, cast, demo_year, depts):
    submitted_report(demo_year, depts["办公室"], cast["head_bgs"])
    client.force_login(cast["admin"])
    assert client.get("/admin/workplans/monthlyreport/").status_code == 200
    assert client.get("/admin/workplans/selfassessment/").status_code == 200


def test_report_draft_page_shows_the_saved_due_dates_to_the_date_input(client, cast, depts):
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:report", args=[2023, depts["办公室"].pk, 5])
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

    page = client.get(url).content.decode()

    # <input type="date"> takes only YYYY-MM-DD; any other value is dropped by the browser.
    assert 'type="date" name="plan-0-due_date" value="2023-06-20"' in page


def test_empty_report_cannot_be_submitted(client, cast, depts):
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:report", args=[2023, depts["办公室"].pk, 5])
    empty = {
        "action": "submit",
        "confirmed": "yes",
        "summary_text": "  ",
        "plan_text": "",
        "plan-TOTAL_FORMS": "2",
        "plan-INITIAL_FORMS": "0",
    }

    response = client.post(url, empty, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["报告为空：请填写本月工作小结或下月工作计划后再提交。"]
    assert not MonthlyReport.objects.filter(department=depts["办公室"], month=5, status="submitted").exists()
    assert "保存草稿" in response.content.decode()


def test_report_with_only_a_summary_can_be_submitted(client, cast, depts):
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:report", args=[2023, depts["办公室"].pk, 5])
    form = {
        "action": "submit",
        "summary_text": "五月小结",
        "plan_text": "",
        "plan-TOTAL_FORMS": "2",
        "plan-INITIAL_FORMS": "0",
    }

    asked = client.post(url, form)
    nothing_yet = not MonthlyReport.objects.filter(department=depts["办公室"], month=5).exists()
    back = client.post(url, {**form, "action": "save"})
    draft = MonthlyReport.objects.get(department=depts["办公室"], month=5)
    draft_state = (draft.status, draft.summary_text)

    assert client.post(url, {**form, "confirmed": "yes"}).status_code == 302

    page = asked.content.decode()
    assert asked.status_code == 200 and nothing_yet
    assert "确认：提交办公室2023年5月工作报告" in page
    assert "报告连同 0 项下月工作计划一并提交，由分管领导审阅" in page
    # 返回 re-posts what was typed as a draft: nothing is lost, nothing submitted.
    assert '<input type="hidden" name="summary_text" value="五月小结">' in page
    assert "返回修改（保存为草稿，不提交）" in page
    assert back.status_code == 302 and draft_state == ("draft", "五月小结")
    assert MonthlyReport.objects.get(department=depts["办公室"], month=5).status == "submitted"


@pytest.mark.usefixtures("self_assessment_year")  # 自评: the self-assessment may be written
@pytest.mark.parametrize(
    ("points", "message"),
    [("3.5", "分值须在 0 至 3 之间"), ("-1", "分值须在 0 至 3 之间"), ("1.234", "确认小数不超过 2 位.")],
)
def test_self_assessment_t3_points_out_of_range_get_one_error(client, cast, depts, points, message):
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:self", args=[2023, depts["办公室"].pk])

    response = client.post(
        url, {"action": "save", "summary": "", "T3-quantity": "1", "T3-points": points, "T3-reason": "延迟"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"T3-points": [message]}
