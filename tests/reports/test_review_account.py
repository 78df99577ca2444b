"""The review group's written year-end account (九.2：年终以书面形式提供相关考核情况): the narrative the review lead
writes in the browser, stored per year and frozen with the approved year; its PDF with the ledger summarised by
office and category, the objections and their outcomes, the tie orders and their reasons; who may write and read it."""

import io
import re
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from reports import services as report_services
from reports.account import review_account_pdf, review_account_report
from reports.data import year_report
from scoring.models import AssessmentYear
from tests.reports.conftest import pdf_text
from workflow.account import FROZEN_MESSAGE, review_account_save
from workflow.models import ReviewAccount

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return "".join(text.split())


OFFICE_ROWS = [
    ("组织部", "T 完成工作任务", 6, "9.50", "0.00"),
    ("办公室", "S 集中学习和月度例会", 6, "6.50", "0.00"),  # 7 before 办公室's S2 record was withdrawn
    ("民管法工部、生活保障部", "P 信访接待", 3, "5.50", "0.00"),
    ("宣教调研室", "G 联系基层和完成调研报告", 2, "5.00", "0.00"),
    ("组织部", "G 联系基层和完成调研报告", 1, "2.00", "0.00"),
    ("办公室", "I 信息报送工作", 3, "5.00", "0.00"),
    ("办公室", "C 文明机关建设", 2, "2.00", "0.00"),
    ("考核小组", "D 扣分项目", 2, "10.00", "0.00"),
    ("办公室", "B 加分项目", 5, "0.00", "39.00"),
    ("考核领导小组", "V 否决项目", 1, "0.00", "0.00"),
]


def test_account_pdf_holds_the_narrative_ledger_summary_objections_and_ties(account_year, tmp_path):
    data = review_account_pdf(account_year)
    text = pdf_text(data, tmp_path)
    pages = [p for p in text.split("\f") if p.strip()]

    assert len(pages) == 2
    assert "审定前稿" not in text
    body = flat(text)
    assert "2023年度机关各部室创先争优绩效考核考核小组年终考核情况" in body
    assert "依据《某某区总工会机关各部室创先争优绩效考核实施办法》九.2：年终以书面形式提供相关考核情况" in body
    assert "一、考核情况说明全年考核小组按月记录台帐，各科室按分工录入。公示期间收到异议两件，均已答复。二、" in body
    assert "计入得分的台帐记录31条" in body
    for office, category, records, deductions, bonuses in OFFICE_ROWS:
        row = rf"^\s*{office}\s+{category}\s+{records}\s+{re.escape(deductions)}\s+{re.escape(bonuses)}\s*$"
        assert re.search(row, text, re.M), row
    assert re.search(r"^\s*合计\s+31\s+45\.50\s+39\.00\s*$", text, re.M)
    body = flat(pdf_text(data, tmp_path, raw=True))
    # 三、异议: the withdrawn S2 lifted 办公室's review score; the maintained I1 left it.
    assert "S22023-12-07当天经批准外出办理公务，并非迟到撤销核实属公务外出办公室考核员105.50→106.00" in body
    assert "I12023-06-16信息报送次数有误维持有报送登记为证周组长106.00→106.00" in body
    # 四、并列排序
    assert "办公室（第2名）、生活保障部（第3名）办公室全年获省级表彰王主席" in body
    assert "以上考核结果已经某某区总工会党组会议审定（2024年1月20日，党组会纪要〔2024〕2号）。" in body


def test_account_ledger_summary_has_the_year_reports_figures(account_year):
    account = review_account_report(account_year)
    totals = {t["code"]: t for t in year_report(account_year).category_totals}

    summed: dict[str, list] = {}
    for row in account.offices:
        code = row.category.split()[0]
        records, deductions, bonuses = summed.setdefault(code, [0, 0, 0])
        summed[code] = [records + row.records, deductions + row.deductions, bonuses + row.bonuses]
    assert [(r.office, r.category, r.records, f"{r.deductions:.2f}", f"{r.bonuses:.2f}") for r in account.offices] == (
        OFFICE_ROWS
    )
    assert {c: tuple(v) for c, v in summed.items() if c != "V"} == {
        code: (t["records"], t["deductions"], t["bonuses"]) for code, t in totals.items()
    }


def test_narrative_is_stored_per_year_and_frozen_once_approved(demo_year, cast):
    review_account_save(demo_year, "  第一段。\n第二段。  ", cast["lead"])
    review_account_save(demo_year, "改写后的说明。", cast["lead"])

    assert list(ReviewAccount.objects.values_list("year__year", "narrative", "updated_by__username")) == [
        (2023, "改写后的说明。", "lead")
    ]
    with pytest.raises(PermissionDenied):
        review_account_save(demo_year, "组员改写", cast["reviewer_bgs"])

    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    with pytest.raises(ValidationError) as refused:
        review_account_save(demo_year, "审定后改写", cast["lead"])
    assert refused.value.messages == [FROZEN_MESSAGE]
    assert ReviewAccount.objects.get().narrative == "改写后的说明。"


# ---------------------------------------------------------------------------------------------------------
# Pages and permissions


def test_account_pdf_download_for_the_lead_and_leadership_only(client, cast, demo_year):
    url = reverse("reports:review_account_file", args=[2023])
    for who in ("lead", "leader_wang", "admin"):
        client.force_login(cast[who])
        response = client.get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == report_services.PDF_TYPE
        assert response["Content-Disposition"].startswith("attachment;")
        assert quote("2023年度考核小组年终考核情况.pdf") in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.content.startswith(b"%PDF")
    for who in ("reviewer_bgs", "reviewer_zzb", "head_bgs", "vice_li", "vice_zhao", "outsider"):
        client.force_login(cast[who])
        assert client.get(url).status_code == 403, who
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_account_form_page_for_the_lead_saves_the_narrative(client, cast, demo_year):
    url = reverse("reports:review_account", args=[2023])
    client.force_login(cast["lead"])

    assert "考核情况说明" in client.get(url).content.decode()
    response = client.post(url, {"narrative": "全年记录台帐 31 条。"}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "考核情况说明已保存。" in response.content.decode()
    assert ReviewAccount.objects.get(year=demo_year).narrative == "全年记录台帐 31 条。"


def test_account_form_page_refused_to_everyone_but_the_lead(client, cast, demo_year):
    url = reverse("reports:review_account", args=[2023])
    for who in ("leader_wang", "reviewer_bgs", "head_bgs", "vice_li", "outsider"):
        client.force_login(cast[who])
        assert client.get(url).status_code == 403, who
        assert client.post(url, {"narrative": "x"}).status_code == 403, who
    assert not ReviewAccount.objects.exists()


def test_account_form_of_an_approved_year_is_read_only(client, cast, demo_year):
    review_account_save(demo_year, "审定前的说明。", cast["lead"])
    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    url = reverse("reports:review_account", args=[2023])
    client.force_login(cast["lead"])

    page = client.get(url).content.decode()
    response = client.post(url, {"narrative": "审定后改写"})

    assert "本年度已审定，考核情况说明不能再修改。" in page and "disabled" in page
    assert response.status_code == 200
    assert ReviewAccount.objects.get().narrative == "审定前的说明。"


def test_year_page_links_the_account_for_the_lead_and_leadership(client, cast, demo_year):
    url = reverse("reports:year", args=[2023])
    download = reverse("reports:review_account_file", args=[2023])
    form = reverse("reports:review_account", args=[2023])
    pages = {}
    for who in ("lead", "leader_wang", "reviewer_bgs"):
        client.force_login(cast[who])
        pages[who] = client.get(url).content.decode()

    form = f'href="{form}"'
    assert download in pages["lead"] and form in pages["lead"]
    assert download in pages["leader_wang"] and form not in pages["leader_wang"]
    assert download not in pages["reviewer_bgs"]


def test_year_report_command_writes_the_downloaded_account(client, cast, account_year, tmp_path):
    path = tmp_path / "account.pdf"

    call_command("year_report", "2023", account=str(path), stdout=io.StringIO())

    client.force_login(cast["lead"])
    downloaded = client.get(reverse("reports:review_account_file", args=[2023])).content
    assert pdf_text(path.read_bytes(), tmp_path) == pdf_text(downloaded, tmp_path)
    assert "计入得分的台帐记录31条" in flat(pdf_text(path.read_bytes(), tmp_path))
