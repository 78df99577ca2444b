import datetime
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse

from reports.notice import awards_table, notice_context, notice_document, notice_html, notice_pdf
from reviews.models import LedgerRecord
from scoring.models import AssessmentYear, DiscretionaryAward, TieOrder
from tests.workflow.conftest import office_s2, year_to
from workflow import services
from workflow.models import Approval, Objection, PhaseTransition

Phase = AssessmentYear.Phase


def _login(client, user):
    client.force_login(user)
    return client


def test_year_detail_permission(client, demo_year, cast):
    url = reverse("workflow:year", args=[2023])
    assert client.get(url).status_code == 302  # to login
    assert _login(client, cast["outsider"]).get(url).status_code == 403
    for user in ("lead", "leader_wang", "head_bgs", "reviewer_zzb"):
        assert _login(client, cast[user]).get(url).status_code == 200


def test_year_move_post_by_lead_records_transition(client, demo_year, cast):
    response = _login(client, cast["lead"]).post(reverse("workflow:move", args=[2023]), {"to": "democratic"})
    assert response.status_code == 302
    demo_year.refresh_from_db()
    assert demo_year.phase == Phase.DEMOCRATIC
    assert PhaseTransition.objects.get().moved_by == cast["lead"]


def test_year_move_post_refused_for_head(client, demo_year, cast):
    response = _login(client, cast["head_bgs"]).post(reverse("workflow:move", args=[2023]), {"to": "democratic"})
    assert response.status_code == 403
    demo_year.refresh_from_db()
    assert demo_year.phase == Phase.SCORING


def test_objection_flow_through_pages(client, publicity_year, cast, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path
    publicity = services.publicity_current(publicity_year)
    publicity.start = datetime.date.today()
    publicity.save()
    record = office_s2(publicity_year)
    _login(client, cast["head_bgs"])
    page = client.get(reverse("workflow:objections", args=[2023]))
    assert page.status_code == 200 and "提出异议" in page.content.decode()
    with open(tmp_path / "note.pdf", "wb") as fh:
        fh.write(b"%PDF-1.4\n%%EOF\n")
    with open(tmp_path / "note.pdf", "rb") as fh:
        response = client.post(
            reverse("workflow:objection_new", args=[2023, record.pk]), {"reason": "公务外出", "files": [fh]}
        )
    objection = Objection.objects.get()
    assert response.status_code == 302 and objection.files.count() == 1
    # Another department's head can neither see it nor download its file.
    _login(client, cast["head_zzb"])
    assert client.get(reverse("workflow:objection", args=[objection.pk])).status_code == 403
    assert client.get(reverse("workflow:objection_file", args=[objection.files.get().pk])).status_code == 403
    # The 组织部 reviewer may not answer an S2 objection; the 办公室 reviewer may.
    _login(client, cast["reviewer_zzb"])
    url = reverse("workflow:objection", args=[objection.pk])
    assert client.post(url, {"decision": "withdraw", "answer": "x"}).status_code == 403
    _login(client, cast["reviewer_bgs"])
    assert (
        client.post(
            url, {"decision": "adjust", "answer": "改为免于扣分", "exempt": "on", "record_reason": "公务外出"}
        ).status_code
        == 302
    )
    objection.refresh_from_db()
    assert objection.decision == "adjust"
    assert objection.record_after["exempt"] is True
    assert objection.effect["办公室"]["after"]["review_score"] == "106.00"


def test_approval_page_orders_tie_grants_award_and_approves(client, publicity_year, cast):
    record = office_s2(publicity_year)
    objection = services.objection_raise(
        record=record, reason="x", by=cast["head_bgs"], today=datetime.date(2024, 1, 12)
    )
    services.objection_answer(objection=objection, decision="withdraw", answer="y", by=cast["reviewer_bgs"])
    _login(client, cast["leader_wang"])
    page = client.get(reverse("workflow:approval", args=[2023])).content.decode()
    assert "并列待排序：办公室、生活保障部。" in page
    response = client.post(
        reverse("workflow:approval_tie", args=[2023, 0]),
        {"place_1": "生活保障部", "place_2": "办公室", "reason": "民主测评票数更多"},
    )
    assert response.status_code == 302
    assert [e.department.name for e in TieOrder.objects.get().entries.all()] == ["生活保障部", "办公室"]
    client.post(
        reverse("workflow:approval_award", args=[2023]),
        {"department": "经济工作部", "amount": "300", "reason": "成绩突出"},
    )
    assert str(DiscretionaryAward.objects.get().amount) == "300.00"
    approve = reverse("workflow:approval_approve", args=[2023])
    asked = client.post(approve, {"meeting_date": "2024-01-20", "minutes_ref": "纪要2号"})
    publicity_year.refresh_from_db()
    assert (asked.status_code, publicity_year.phase) == (200, Phase.PUBLICITY)
    assert "以2024年1月20日审定会议（纪要 纪要2号）的名义审定本年度结果" in asked.content.decode()
    client.post(approve, {"meeting_date": "2024-01-20", "minutes_ref": "纪要2号", "confirmed": "yes"})
    publicity_year.refresh_from_db()
    assert publicity_year.phase == Phase.APPROVED
    assert Approval.objects.get().minutes_ref == "纪要2号"


def test_approval_page_refused_for_heads_and_reviewers(client, publicity_year, cast):
    for user in ("head_bgs", "reviewer_bgs", "vice_li"):
        assert _login(client, cast[user]).get(reverse("workflow:approval", args=[2023])).status_code == 403
    response = _login(client, cast["lead"]).post(
        reverse("workflow:approval_approve", args=[2023]), {"meeting_date": "2024-01-20", "minutes_ref": "x"}
    )
    assert response.status_code == 403


def test_notice_pdf_for_leadership_and_heads_only_after_announcement(client, approved_year, cast):
    url = reverse("workflow:notice", args=[2023])
    response = _login(client, cast["leader_wang"]).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("2023年度考核结果通报.pdf")
    assert _login(client, cast["head_bgs"]).get(url).status_code == 403
    services.year_announce(approved_year, cast["leader_wang"])
    assert _login(client, cast["head_bgs"]).get(url).status_code == 200
    assert _login(client, cast["outsider"]).get(url).status_code == 403


def test_notice_text_from_snapshot(approved_year, cast):

    approval = services.approval_current(approved_year)
    notice = notice_document(approved_year)
    html = notice_html(notice, approval)
    assert "<title>关于2023年度机关各部室创先争优绩效考核结果的通报</title>" in html
    context = notice_context(notice, approval)
    assert context["prizes"] == [("一等奖", ["生活保障部"]), ("二等奖", ["办公室", "组织部"])]
    assert [name for name, _ in context["vetoes"]] == ["宣教调研室"]
    assert context["date"] == "　　年　月　日"  # a draft: the 成文日期 is the day it is announced


def test_awards_table_from_snapshot(client, approved_year, cast):

    table = awards_table(services.approval_current(approved_year))
    rows = {r["name"]: (r["award"], str(r["per_capita"]), r["headcount"], str(r["total"])) for r in table["award_rows"]}
    assert rows["生活保障部"] == ("first", "2000.00", 4, "8000.00")
    assert rows["办公室"] == ("second", "1000.00", 6, "6000.00")
    assert str(table["department_total"]) == "19000.00"
    assert [(x["name"], str(x["award"])) for x in table["leader_rows"]] == [
        ("李副主席", "666.67"),
        ("赵副主席", "500.00"),
        ("王主席", "583.34"),
    ]
    assert _login(client, cast["leader_wang"]).get(reverse("workflow:awards", args=[2023])).status_code == 200


@pytest.mark.parametrize("user", ["admin"])
def test_reopen_through_admin_add_form(client, approved_year, cast, user):
    _login(client, cast[user])
    response = client.post(reverse("admin:workflow_reopening_add"), {"year": approved_year.pk, "reason": "人数有误"})
    assert response.status_code == 302
    approved_year.refresh_from_db()
    assert approved_year.phase == Phase.PUBLICITY
    assert Approval.objects.get().superseded_at is not None


def test_notice_pdf_renders_cjk_a4(approved_year, cast):

    data = notice_pdf(approved_year)
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / "notice-2023.pdf").write_bytes(data)
    assert data.startswith(b"%PDF")
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils missing")
    fonts = subprocess.run(["pdffonts", out / "notice-2023.pdf"], capture_output=True, text=True).stdout
    assert "Noto-Serif-CJK-SC" in fonts
    text = subprocess.run(["pdftotext", "-layout", out / "notice-2023.pdf", "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())  # the masthead is letter-spaced
    assert "创先争优绩效考核结果的通报" in flat and "某某区总工会文件" in flat and "2024年1月20日" in flat


def test_objection_list_queries_do_not_grow_with_objections(client, publicity_year, cast, django_assert_num_queries):

    client.force_login(cast["lead"])
    url = reverse("workflow:objections", args=[2023])
    client.get(url)  # warm caches (sessions, content types)
    records = list(LedgerRecord.objects.filter(year=publicity_year, record_departments__department__name="办公室"))
    services.objection_raise(record=records[0], reason="x", by=cast["head_bgs"], today=datetime.date(2024, 1, 12))
    with django_assert_num_queries(9) as one:
        client.get(url)
    for record in records[1:4]:
        services.objection_raise(record=record, reason="x", by=cast["head_bgs"], today=datetime.date(2024, 1, 12))
    with django_assert_num_queries(len(one.captured_queries)):
        assert "待答复" in client.get(url).content.decode()


def test_workflow_admin_pages_render_read_only(client, approved_year, cast):
    client.force_login(cast["admin"])
    for name in ("phasetransition", "publicity", "objection", "approval", "reopening"):
        assert client.get(reverse(f"admin:workflow_{name}_changelist")).status_code == 200
    approval = Approval.objects.get()
    assert client.get(reverse("admin:workflow_approval_change", args=[approval.pk])).status_code == 200
    delete = reverse("admin:workflow_approval_delete", args=[approval.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:workflow_reopening_add")).status_code == 200
    client.force_login(cast["lead"])
    assert client.get(reverse("admin:workflow_reopening_add")).status_code == 403


@pytest.fixture
def running_publicity_year(demo_year, cast):
    """The demo year in a 公示 that began today (5 days): nothing open, approvable once the publicity is over."""
    year_to(demo_year, Phase.DEMOCRATIC, cast["lead"])
    services.year_phase_move(demo_year, Phase.PUBLICITY, cast["lead"])
    return demo_year


def test_approval_refuses_a_future_meeting_date_by_the_field(client, approvable_year, cast):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    response = _login(client, cast["leader_wang"]).post(
        reverse("workflow:approval_approve", args=[2023]), {"meeting_date": tomorrow.isoformat(), "minutes_ref": "x"}
    )

    assert response.status_code == 200
    assert response.context["approval_form"].errors == {"meeting_date": ["党组会日期不能晚于今天。"]}
    approvable_year.refresh_from_db()
    assert approvable_year.phase == Phase.PUBLICITY
    assert not Approval.objects.exists()


def test_approval_before_the_publicity_ends_needs_a_confirmation(client, running_publicity_year, cast):
    end = datetime.date.today() + datetime.timedelta(days=4)
    url = reverse("workflow:approval_approve", args=[2023])
    data = {"meeting_date": datetime.date.today().isoformat(), "minutes_ref": "纪要2号"}
    client = _login(client, cast["leader_wang"])
    page = client.get(reverse("workflow:approval", args=[2023])).content.decode()

    refused = client.post(url, data)
    running_publicity_year.refresh_from_db()
    phase_after_refusal = running_publicity_year.phase
    confirmed = client.post(url, {**data, "confirm_early": "on", "confirmed": "yes"})

    assert "公示期尚未结束，仍要审定" in page
    assert refused.status_code == 200
    assert refused.context["approval_form"].errors == {
        "confirm_early": [f"公示期至{end.year}年{end.month}月{end.day}日结束，尚未期满；如仍要审定，请勾选此项。"]
    }
    assert phase_after_refusal == Phase.PUBLICITY
    assert confirmed.status_code == 302
    running_publicity_year.refresh_from_db()
    assert running_publicity_year.phase == Phase.APPROVED


def test_approval_after_the_publicity_asks_no_confirmation(client, approvable_year, cast):
    page = _login(client, cast["leader_wang"]).get(reverse("workflow:approval", args=[2023])).content.decode()

    assert "公示期尚未结束" not in page
    assert 'type="date" name="meeting_date"' in page


def _move_options(page: str) -> list[tuple[str, str, bool]]:
    [select] = re.findall(r'<select[^>]*name="to".*?</select>', page, re.S)
    return [
        (value, label, "selected" in attrs)
        for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    ]


@pytest.mark.parametrize(
    ("phase", "options"),
    [
        ("scoring", [("democratic", "民主测评", True), ("self_assessment", "自评（退回）", False)]),
        ("publicity", [("approved", "审定（前往审定页面）", True), ("democratic", "民主测评（退回）", False)]),
    ],
)
def test_phase_selector_defaults_to_the_step_forward(client, demo_year, cast, phase, options):
    year_to(demo_year, phase, cast["lead"])

    page = _login(client, cast["lead"]).get(reverse("workflow:year", args=[2023])).content.decode()

    assert _move_options(page) == options


def test_phase_selector_step_to_approval_leads_to_the_approval_page(client, approvable_year, cast):
    response = _login(client, cast["lead"]).post(reverse("workflow:move", args=[2023]), {"to": "approved"})

    assert response.url == reverse("workflow:approval", args=[2023])
    approvable_year.refresh_from_db()
    assert approvable_year.phase == Phase.PUBLICITY


def test_announcing_asks_first_and_changes_nothing_until_confirmed(client, approved_year, cast):
    client = _login(client, cast["leader_wang"])
    url = reverse("workflow:announce", args=[2023])

    asked = client.post(url)
    approved_year.refresh_from_db()
    phase_while_asking = approved_year.phase
    done = client.post(url, {"confirmed": "yes"})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "确认：通报2023年度机关各部室创先争优绩效考核考核结果" in page
    assert "审定的结果和通报向全体用户（部室负责人在内）公布" in page
    assert f'href="{reverse("workflow:year", args=[2023])}">返回，不执行</a>' in page
    assert phase_while_asking == Phase.APPROVED
    assert done.status_code == 302
    approved_year.refresh_from_db()
    assert approved_year.phase == Phase.ANNOUNCED


def test_moving_to_publicity_asks_first_and_keeps_the_chosen_days(client, demo_year, cast):
    year_to(demo_year, Phase.DEMOCRATIC, cast["lead"])
    client = _login(client, cast["lead"])
    url = reverse("workflow:move", args=[2023])

    asked = client.post(url, {"to": "publicity", "publicity_days": "5"})
    demo_year.refresh_from_db()
    phase_while_asking = demo_year.phase
    page = asked.content.decode()
    done = client.post(url, {"to": "publicity", "publicity_days": "5", "confirmed": "yes"})

    assert "公示期 5 天，其间部室可以对台帐记录提出异议" in page
    assert '<input type="hidden" name="publicity_days" value="5">' in page
    assert phase_while_asking == Phase.DEMOCRATIC
    assert done.status_code == 302
    demo_year.refresh_from_db()
    assert demo_year.phase == Phase.PUBLICITY
    assert services.publicity_current(demo_year).days == 5
