"""The 通报 as a document record: the review lead generates the draft from the approved year and edits it, the
other roles may not; announcing the year freezes it and fixes its 成文日期; its PDF follows GB/T 9704-2012."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports import notice as notices
from reports.models import Notice
from scoring.models import AssessmentYear
from tests.reports.conftest import pdf_fonts, pdf_text
from workflow import services

pytestmark = pytest.mark.django_db

OPENING = (
    "根据《某某区总工会机关各部室创先争优绩效考核实施办法》，2023年度机关各部室创先争优绩效考核工作经部室自评、"
    "考核小组评分、民主测评和结果公示，已于2024年1月20日经党组会审定（党组会纪要〔2024〕2号）。"
    "现将考核结果通报如下："
)
EDITED = {
    "title": "关于2023年度机关各部室\n绩效考核结果的通报",
    "document_code": "区工发",
    "document_serial": "3",
    "main_recipients": "机关各部室、各街道总工会",
    "opening": "为表彰先进，现将2023年度考核结果通报如下：",
    "closing": "五、工作要求\n（一）抓好整改。各部室要对照问题逐项整改。\n希望各部室再接再厉。",
    "copy_recipients": "某某市总工会、区委组织部",
    "printing_office": "某某区总工会办公室",
    "printed_on": "",
}


def flat(text: str) -> str:
    """The text without white space and page numbers."""
    return re.sub(r"—\d+—", "", "".join(text.split()))


def _login(client, user):
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    """The messages a response added (the earlier ones of the session, not yet shown, come first)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def _fields(notice: Notice) -> dict:
    return {name: getattr(notice, name) for name in EDITED if name != "printed_on"} | {"printed_on": notice.printed_on}


def test_lead_generates_the_draft_from_the_approved_year(client, approved_year, cast):
    response = _login(client, cast["lead"]).post(reverse("workflow:notice_draft", args=[2023]))

    assert response.status_code == 302
    assert _messages(response) == ["已生成通报草稿。"]
    notice = Notice.objects.get(year=approved_year)
    assert _fields(notice) == {
        "title": "关于2023年度机关各部室\n创先争优绩效考核结果的通报",
        "document_code": "区工发",
        "document_serial": None,
        "main_recipients": "机关各部室",
        "opening": OPENING,
        "closing": notices.DEFAULT_CLOSING,
        "copy_recipients": "某某市总工会",
        "printing_office": "某某区总工会办公室",
        "printed_on": None,
    }
    assert (notice.created_by, notice.issued_on, notice.is_frozen) == (cast["lead"], None, False)
    page = client.get(reverse("workflow:notice_edit", args=[2023])).content.decode()
    assert "下载草稿（PDF）" in page and "重新生成草稿" in page


def test_no_draft_before_approval(client, approvable_year, cast):
    response = _login(client, cast["lead"]).post(reverse("workflow:notice_draft", args=[2023]))

    assert _messages(response) == ["2023年度尚未审定，不能生成通报。"]
    assert not Notice.objects.exists()


def test_lead_edits_the_text_and_the_pdf_prints_it(client, approved_year, cast, tmp_path):
    _login(client, cast["lead"]).post(reverse("workflow:notice_draft", args=[2023]))

    response = client.post(reverse("workflow:notice_edit", args=[2023]), EDITED)

    assert response.status_code == 302 and _messages(response) == ["通报已保存。"]
    notice = Notice.objects.get(year=approved_year)
    assert _fields(notice) == {**EDITED, "document_serial": 3, "printed_on": None}
    assert notice.updated_by == cast["lead"]
    text = flat(pdf_text(notices.notice_pdf(approved_year), tmp_path))
    assert text.startswith(
        "草稿某某区总工会文件区工发〔2024〕3号关于2023年度机关各部室绩效考核结果的通报"
        "机关各部室、各街道总工会：为表彰先进，现将2023年度考核结果通报如下：一、考核结果及排名"
    )
    assert "五、工作要求（一）抓好整改。各部室要对照问题逐项整改。希望各部室再接再厉。特此通报。" in text
    assert "抄送：某某市总工会、区委组织部。某某区总工会办公室年月日印发" in text
    assert "LXGW-WenKai" in pdf_fonts(notices.notice_pdf(approved_year), tmp_path)  # the （一） lead-in in 楷体


def test_edit_form_refuses_a_bad_serial_and_changes_nothing(client, approved_year, cast):
    _login(client, cast["lead"]).post(reverse("workflow:notice_draft", args=[2023]))

    response = client.post(reverse("workflow:notice_edit", args=[2023]), {**EDITED, "document_serial": "0"})

    assert response.status_code == 200
    assert "发文顺序号须为正整数。" in response.content.decode()
    assert Notice.objects.get().opening == OPENING


@pytest.mark.parametrize("user", ["head_bgs", "reviewer_bgs", "leader_wang", "vice_li", "outsider"])
def test_only_the_lead_edits_the_notice(client, approved_year, cast, user):
    notices.notice_draft(approved_year, cast["lead"])
    _login(client, cast[user])

    assert client.get(reverse("workflow:notice_edit", args=[2023])).status_code == 403
    assert client.post(reverse("workflow:notice_edit", args=[2023]), EDITED).status_code == 403
    assert client.post(reverse("workflow:notice_draft", args=[2023]), {"confirmed": "yes"}).status_code == 403
    assert Notice.objects.get().opening == OPENING
    with pytest.raises(PermissionDenied):
        notices.notice_save(Notice.objects.get(), cast[user])


def test_admin_edits_the_notice(client, approved_year, cast):
    notices.notice_draft(approved_year, cast["lead"])

    response = _login(client, cast["admin"]).post(reverse("workflow:notice_edit", args=[2023]), EDITED)

    assert response.status_code == 302
    assert Notice.objects.get().opening == EDITED["opening"]


@pytest.mark.parametrize(
    ("user", "status"), [("leader_wang", 200), ("lead", 200), ("head_bgs", 403), ("outsider", 403)]
)
def test_leadership_downloads_the_draft(client, approved_year, cast, user, status):
    notices.notice_draft(approved_year, cast["lead"])

    response = _login(client, cast[user]).get(reverse("workflow:notice", args=[2023]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_regenerating_replaces_the_text_after_confirmation(client, approved_year, cast):
    notices.notice_draft(approved_year, cast["lead"])
    _login(client, cast["lead"]).post(reverse("workflow:notice_edit", args=[2023]), EDITED)

    page = client.post(reverse("workflow:notice_draft", args=[2023]))
    assert page.status_code == 200 and "已修改的文字不保留。" in page.content.decode()
    assert Notice.objects.get().opening == EDITED["opening"]
    client.post(reverse("workflow:notice_draft", args=[2023]), {"confirmed": "yes"})

    notice = Notice.objects.get()
    assert (notice.opening, notice.document_serial, Notice.objects.count()) == (OPENING, None, 1)


def test_announcing_freezes_the_notice_and_dates_it(client, approved_year, cast, tmp_path):
    notices.notice_draft(approved_year, cast["lead"])
    _login(client, cast["lead"]).post(
        reverse("workflow:notice_edit", args=[2023]), {**EDITED, "printed_on": "2024-01-02"}
    )

    approval = services.year_announce(approved_year, cast["leader_wang"])

    notice = Notice.objects.get()
    published = timezone.localdate(approval.announced_at)
    assert (notice.issued_on, notice.printed_on, notice.is_frozen) == (published, published, True)
    response = client.post(reverse("workflow:notice_edit", args=[2023]), {**EDITED, "opening": "改过的开头"})
    assert _messages(response) == ["通报已随考核结果发布，不能再修改。"]
    regenerate = client.post(reverse("workflow:notice_draft", args=[2023]), {"confirmed": "yes"})
    assert _messages(regenerate) == ["通报已随考核结果发布，不能再修改。"]
    notice.refresh_from_db()
    assert (notice.opening, notice.issued_on, Notice.objects.count()) == (EDITED["opening"], published, 1)
    notice.opening = "改过的开头"
    with pytest.raises(ValidationError):
        notices.notice_save(notice, cast["lead"])
    assert "已定稿" in client.get(reverse("workflow:notice_edit", args=[2023])).content.decode()

    day = f"{published.year}年{published.month}月{published.day}日"
    text = flat(pdf_text(notices.notice_pdf(approved_year), tmp_path))
    assert text.startswith(f"某某区总工会文件区工发〔{published.year}〕3号关于2023年度")  # no 草稿 mark
    assert f"特此通报。某某区总工会{day}抄送：某某市总工会、区委组织部。某某区总工会办公室{day}印发" in text


def test_announcing_without_a_draft_generates_and_freezes_it(approved_year, cast):
    approval = services.year_announce(approved_year, cast["leader_wang"])

    notice = Notice.objects.get()
    assert (notice.opening, notice.created_by, notice.issued_on) == (
        OPENING,
        cast["leader_wang"],
        timezone.localdate(approval.announced_at),
    )


def test_announcement_page_warns_of_a_missing_serial(client, approved_year, cast):
    notices.notice_draft(approved_year, cast["lead"])

    page = _login(client, cast["leader_wang"]).post(reverse("workflow:announce", args=[2023])).content.decode()

    assert "通报尚未填写发文顺序号，发文字号将留空待手工填写。" in page


def test_reopening_makes_the_notice_a_draft_again(approved_year, cast):
    notices.notice_draft(approved_year, cast["lead"])
    services.year_announce(approved_year, cast["leader_wang"])

    services.year_reopen(approved_year, "人数有误", cast["admin"])

    notice = Notice.objects.get()
    assert notice.is_frozen is False
    notice.opening = "重新审定后的开头"
    notices.notice_save(notice, cast["lead"])
    assert Notice.objects.get().opening == "重新审定后的开头"


def test_notice_pdf_layout_text_and_fonts(approved_year, cast, tmp_path):
    notice = notices.notice_draft(approved_year, cast["lead"])
    notice.document_serial = 3
    notices.notice_save(notice, cast["lead"])
    approval = services.year_announce(approved_year, cast["leader_wang"])
    published = timezone.localdate(approval.announced_at)
    data = notices.notice_pdf(approved_year)

    text = pdf_text(data, tmp_path)
    pages = text.split("\f")
    assert [re.findall(r"— \d+ —", page) for page in pages if page.strip()] == [["— 1 —"], ["— 2 —"], ["— 3 —"]]
    # odd page numbers on the right, even on the left (GB/T 9704-2012 7.5)
    footers = [next(line for line in reversed(page.splitlines()) if "—" in line) for page in pages if page.strip()]
    assert [line.startswith("—") for line in footers] == [False, True, False]
    body = flat(text)
    assert f"区工发〔{published.year}〕3号" in body
    assert "机关各部室：根据《某某区总工会机关各部室创先争优绩效考核实施办法》" in body
    assert "特此通报。" in body
    assert "抄送：某某市总工会。" in body
    assert f"某某区总工会办公室{published.year}年{published.month}月{published.day}日印发" in body
    fonts = pdf_fonts(data, tmp_path)
    embedded = [line.split()[0] for line in fonts.splitlines()[2:] if " yes " in line]
    # 黑体, 仿宋, the 发文机关标志's and the title's 小标宋: the Debian fonts of the stacks (notice.css)
    assert sorted(name.split("+", 1)[1] for name in embedded) == [
        "Noto-Sans-CJK-SC-Medium",
        "Noto-Serif-CJK-SC",
        "Noto-Serif-CJK-SC-Heavy",
        "Noto-Serif-CJK-SC-Semi-Bold",
    ]


def test_year_report_command_writes_the_downloaded_notice(client, approved_year, cast, tmp_path):
    notices.notice_draft(approved_year, cast["lead"])
    services.year_announce(approved_year, cast["leader_wang"])
    path = tmp_path / "notice.pdf"

    call_command("year_report", "2023", notice=str(path))

    download = _login(client, cast["leader_wang"]).get(reverse("workflow:notice", args=[2023])).content
    assert pdf_text(path.read_bytes(), tmp_path) == pdf_text(download, tmp_path)
    assert len(path.read_bytes()) == len(download)


def test_chinese_dates_have_no_leading_zeros():
    assert notices.chinese_date(datetime.date(2024, 1, 2)) == "2024年1月2日"
    assert notices.document_number(Notice(document_code="区工发", document_serial=3), datetime.date(2024, 1, 2)) == (
        "区工发〔2024〕3号"
    )


def test_masthead_keeps_its_proportions_and_fits_the_text_width():
    assert notices.masthead_scale("某某区总工会文件") == {
        "mark_size": "22.00mm",
        "mark_scale": "0.6818",
        "mark_width": "176.0mm",
        "mark_offset": "-10.0mm",
    }
    long = notices.masthead_scale("中华全国总工会某某省某某区总工会文件")  # 18 characters: 150 mm in all
    assert (long["mark_size"], long["mark_width"], long["mark_offset"]) == ("12.22mm", "220.0mm", "-32.0mm")


def test_a_document_number_is_used_once(client, approved_year, cast):
    notices.notice_draft(approved_year, cast["lead"])
    other_year = AssessmentYear.objects.create(year=2022, scheme=approved_year.scheme, phase="archived")
    Notice.objects.create(
        year=other_year, title="旧通报", document_code="区工发", document_serial=3, opening="x",
        printing_office="某某区总工会办公室", issued_on=datetime.date(2024, 1, 5),
    )  # fmt: skip

    response = _login(client, cast["lead"]).post(reverse("workflow:notice_edit", args=[2023]), EDITED)

    assert response.status_code == 200
    assert "发文字号区工发〔2024〕3号已用于2022年度的通报。" in response.content.decode()
    assert Notice.objects.get(year=approved_year).document_serial is None
    assert (
        _login(client, cast["lead"])
        .post(reverse("workflow:notice_edit", args=[2023]), {**EDITED, "document_serial": "4"})
        .status_code
        == 302
    )
