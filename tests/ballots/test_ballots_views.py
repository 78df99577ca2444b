import datetime
import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from ballots import codes as ballot_codes
from ballots import services
from ballots import statistics as ballot_statistics
from ballots.models import Ballot, BallotCode, Round
from tests.conftest import year_in_phase


def _login(client, user):
    client.force_login(user)
    return client


def _sheet(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the ballot page ---------------------------------------------------------------------------------------


def test_vote_flow_code_ballot_confirm_submit(client, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    choices = {f"d{d.pk}": "良好" for d in departments.values()} | {f"d{departments['办公室'].pk}": "abstain"}

    page = client.post("/vote/", {"code": code.lower(), "step": "code"})
    review = client.post("/vote/", {"code": code, "step": "review"} | choices)
    done = client.post("/vote/", {"code": code, "step": "submit"} | choices)

    assert page.status_code == 200 and "请对每个部室评定等次" in page.content.decode()
    assert review.status_code == 200 and "请核对您的测评" in review.content.decode()
    assert Ballot.objects.count() == 1
    assert done.status_code == 302 and done["Location"] == "/vote/done/"
    assert sorted(Ballot.objects.get().ratings.values_list("grade", flat=True)) == ["良好"] * 6


def test_vote_missing_grade_shows_form_again_without_ballot(client, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)

    response = client.post("/vote/", {"code": code, "step": "review", f"d{departments['办公室'].pk}": "优秀"})

    assert response.status_code == 200
    assert "请为“组织部”选择等次或弃权。" in response.content.decode()
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    "case, message",
    [("used", ballot_codes.MSG_USED), ("unknown", ballot_codes.MSG_UNKNOWN), ("closed", ballot_codes.MSG_CLOSED)],
)
def test_vote_refused_code_clear_message_no_ballot(client, ballot_round, grassroots_group, departments, case, message):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    if case == "used":
        services.ballot_cast(code=code, ratings={})
    if case == "unknown":
        code = "ABCD-EFGH"
    if case == "closed":
        services.round_close(round=ballot_round)
    before = Ballot.objects.count()

    response = client.post(
        "/vote/", {"code": code, "step": "submit"} | {f"d{d.pk}": "优秀" for d in departments.values()}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Ballot.objects.count() == before


def test_vote_page_needs_no_login(client, db):
    response = client.get("/vote/")

    assert response.status_code == 200
    assert "请输入测评码" in response.content.decode()


def test_vote_many_wrong_codes_are_throttled(client, grassroots_group):
    for _ in range(30):
        client.post("/vote/", {"code": "ABCD-EFGH"})

    response = client.post("/vote/", {"code": "ABCD-EFGH"})

    assert response.status_code == 429


# --- permissions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status", [("lead", 200), ("leader_wang", 403), ("reviewer_zzb", 403), ("head_bgs", 403), ("outsider", 403)]
)
def test_round_page_only_lead(client, cast, ballot_round, grassroots_group, who, status):
    services.codes_generate(group=grassroots_group, count=2)
    services.codes_generate(group=grassroots_group, count=3, user=cast["lead"])

    response = _login(client, cast[who]).get("/democratic/2023/")

    assert response.status_code == status


def test_round_pages_anonymous_redirected_to_login(client, ballot_round):
    assert client.get("/democratic/2023/").status_code == 302
    assert client.get("/democratic/2023/statistics/").status_code == 302


@pytest.mark.parametrize(
    "who, open_status, closed_status",
    [
        ("lead", 200, 200),
        ("leader_wang", 404, 200),
        ("reviewer_bgs", 404, 200),
        ("head_bgs", 403, 403),
        ("vice_li", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_statistics_visible_to_leadership_and_review_group_after_closing(
    client, cast, ballot_round, who, open_status, closed_status
):
    _login(client, cast[who])

    open_response = client.get("/democratic/2023/statistics/")
    services.round_close(round=ballot_round)
    closed_response = client.get("/democratic/2023/statistics/")

    assert (open_response.status_code, closed_response.status_code) == (open_status, closed_status)


def test_statistics_while_open_shows_turnout_only(client, cast, ballot_round, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    services.ballot_cast(code=code, ratings={departments["办公室"].pk: "优秀"})

    page = _login(client, cast["lead"]).get("/democratic/2023/statistics/").content.decode()

    assert "结束前只显示参评人数" in page
    assert "民主测评得分" not in page


def test_statistics_after_closing_shows_grades_and_score(client, cast, ballot_round, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    services.ballot_cast(code=code, ratings={departments["办公室"].pk: "良好"})
    services.round_close(round=ballot_round)

    response = _login(client, cast["leader_wang"]).get("/democratic/2023/statistics/")

    stats = response.context["stats"]
    office = next(d for d in stats.departments if d.name == "办公室")
    assert (office.grade_counts, str(office.score)) == ((0, 1, 0, 0), "85.00")
    assert "85.00" in response.content.decode()


def test_code_generation_refused_to_reviewer(client, cast, grassroots_group):
    response = _login(client, cast["reviewer_zzb"]).post(
        "/democratic/2023/codes/", {"group": grassroots_group.pk, "count": 3}
    )

    assert response.status_code == 403
    assert BallotCode.objects.count() == 0


# --- the lead's pages ---------------------------------------------------------------------------------------


def test_round_open_page_opens_round(client, cast, demo_year):
    _login(client, cast["lead"])
    closes = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "2023年度民主测评",
        "closes_at": closes,
        "groups-TOTAL_FORMS": "3",
        "groups-INITIAL_FORMS": "0",
        "groups-0-name": "机关全体人员",
        "groups-0-planned_count": "29",
        "groups-0-by_department": "on",
        "groups-1-name": "基层工会干部代表",
        "groups-1-planned_count": "30",
        "groups-2-name": "",
    }

    assert client.get("/democratic/2023/open/").status_code == 200
    response = client.post("/democratic/2023/open/", data)

    assert response.status_code == 302
    round_ = Round.objects.get()
    assert [(g.name, g.planned_count, g.by_department) for g in round_.groups.all()] == [
        ("机关全体人员", 29, True),
        ("基层工会干部代表", 30, False),
    ]
    demo_year.refresh_from_db()
    assert (demo_year.democratic_source, demo_year.group_weights) == ("ballots", None)


def test_round_edit_changes_names_counts_weights(client, cast, ballot_round, staff_group, grassroots_group):
    _login(client, cast["lead"])
    closes = timezone.localtime(ballot_round.closes_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "改名",
        "closes_at": closes,
        "groups-TOTAL_FORMS": "2",
        "groups-INITIAL_FORMS": "2",
        "groups-0-name": "机关",
        "groups-0-planned_count": "28",
        "groups-0-weight": "0.7",
        "groups-1-name": "基层",
        "groups-1-planned_count": "25",
        "groups-1-weight": "0.3",
    }

    response = client.post("/democratic/2023/edit/", data)

    assert response.status_code == 302
    assert [(g.name, g.planned_count, str(g.weight)) for g in ballot_round.groups.all()] == [
        ("机关", 28, "0.7000"),
        ("基层", 25, "0.3000"),
    ]
    ballot_round.year.refresh_from_db()
    assert ballot_round.year.group_weights == {"机关": "0.7", "基层": "0.3"}


def test_codes_pdf_downloaded_with_slips(client, cast, staff_group, departments):
    response = _login(client, cast["lead"]).post(
        "/democratic/2023/codes/", {"group": staff_group.pk, "department": departments["组织部"].pk, "count": 9}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert response.content.rstrip().endswith(b"%%EOF")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "2023年度组织部民主测评码（机关全体人员）.pdf"
    )
    assert BallotCode.objects.filter(batch__department=departments["组织部"]).count() == 9


def test_paper_ballot_form_saves_paper_ballot(client, cast, ballot_round, staff_group, departments):
    data = {"group": staff_group.pk, "voter_department": departments["办公室"].pk} | {
        f"d{d.pk}": "一般" for d in departments.values()
    }

    response = _login(client, cast["lead"]).post("/democratic/2023/paper/", data)

    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.paper, ballot.voter_department.name, ballot.ratings.count()) == (True, "办公室", 7)


def test_paper_import_all_or_nothing_with_row_numbers(client, cast, ballot_round, departments):
    names = list(departments)
    bad = _sheet(
        [
            ["测评人群体", "所在部室", *names],
            ["基层工会干部代表", None, *["优秀"] * 7],
            ["基层工会干部代表", None, "极好", *["良好"] * 6],
            ["外星人", "火星部", *["弃权"] * 7],
        ]
    )

    response = _login(client, cast["lead"]).post(
        "/democratic/2023/paper/import/", {"file": BytesIO(bad)}, format="multipart"
    )

    assert response.status_code == 200
    assert response.context["errors"] == [
        "第 3 行，办公室：未知等次“极好”（可填 优秀、良好、一般、较差 或 弃权）",
        "第 4 行：未知测评人群体“外星人”",
        "第 4 行：未知部室“火星部”",
    ]
    assert Ballot.objects.count() == 0


def test_paper_import_good_file_imports_every_row(client, cast, ballot_round, departments):
    names = list(departments)
    good = _sheet(
        [
            ["测评人群体", "所在部室", *names],
            ["机关全体人员", "组织部", *["优秀"] * 7],
            [None] * 9,
            ["基层工会干部代表", None, "较差", "弃权", *[None] * 5],
        ]
    )
    upload = BytesIO(good)
    upload.name = "paper.xlsx"

    response = _login(client, cast["lead"]).post("/democratic/2023/paper/import/", {"file": upload})

    assert response.status_code == 302
    assert sorted((b.group.name, b.paper, b.ratings.count()) for b in Ballot.objects.all()) == [
        ("基层工会干部代表", True, 1),
        ("机关全体人员", True, 7),
    ]


def test_paper_template_has_header_of_departments(client, cast, ballot_round, departments):
    response = _login(client, cast["lead"]).get("/democratic/2023/paper/template.xlsx")

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("2023年度纸质测评票导入模板.xlsx")
    ws = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == ["测评人群体", "所在部室", *departments]


def test_batch_void_by_lead(client, cast, grassroots_group):
    services.codes_generate(group=grassroots_group, count=4)
    batch = grassroots_group.batches.get()

    client = _login(client, cast["lead"])
    asked = client.post(f"/democratic/2023/batches/{batch.pk}/void/")
    batch.refresh_from_db()
    voided_before_confirming = batch.voided
    response = client.post(f"/democratic/2023/batches/{batch.pk}/void/", {"confirmed": "yes"})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "确认：作废测评码" in page
    assert "这批 4 个测评码作废，其中 4 个尚未使用的测评码不能再投票" in page
    assert voided_before_confirming is False
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.voided is True


def test_close_page_closes_round(client, cast, ballot_round):
    client = _login(client, cast["lead"])
    asked = client.post("/democratic/2023/close/")
    ballot_round.refresh_from_db()
    status_before_confirming = ballot_round.status
    response = client.post("/democratic/2023/close/", {"confirmed": "yes"})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"确认：结束{ballot_round.title}" in page
    assert "网上不能再投票，纸质测评票也不能再录入" in page
    assert '<input type="hidden" name="confirmed" value="yes">' in page
    assert status_before_confirming == "open"
    assert response.status_code == 302
    ballot_round.refresh_from_db()
    assert ballot_round.status == "closed"


def test_index_lists_years_for_lead(client, cast, ballot_round):
    response = _login(client, cast["lead"]).get("/democratic/")

    assert response.status_code == 200
    assert "2023年度民主测评" in response.content.decode()


def _queries_for(client, url: str) -> int:

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_round_and_statistics_pages_queries_do_not_grow_with_ballots(
    client, cast, ballot_round, grassroots_group, staff_group, departments
):
    _login(client, cast["lead"])
    ratings = {d.pk: "良好" for d in departments.values()}

    def cast_ballots(n: int) -> None:
        for code in services.codes_generate(group=grassroots_group, count=n, user=cast["lead"]):
            services.ballot_cast(code=code, ratings=ratings)
        services.codes_generate(group=staff_group, department=departments["组织部"], count=n, user=cast["lead"])

    cast_ballots(1)
    small = [_queries_for(client, u) for u in ("/democratic/", "/democratic/2023/", "/democratic/2023/statistics/")]
    cast_ballots(6)
    large = [_queries_for(client, u) for u in ("/democratic/", "/democratic/2023/", "/democratic/2023/statistics/")]

    assert small == large


def test_year_statistics_only_for_closed_round(ballot_round, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    services.ballot_cast(code=code, ratings={departments["组织部"].pk: "一般"})

    assert ballot_statistics.year_statistics(year=ballot_round.year) is None
    services.round_close(round=ballot_round)
    stats = ballot_statistics.year_statistics(year=ballot_round.year)

    assert stats.grades == ("优秀", "良好", "一般", "较差")
    assert [(d.name, d.grade_counts, d.score) for d in stats.departments if d.counted] == [
        ("组织部", (0, 0, 1, 0), Decimal("70.00"))
    ]


def test_vote_back_to_edit_keeps_choices_and_casts_nothing(client, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    office = departments["办公室"]
    choices = {f"d{d.pk}": "一般" for d in departments.values()} | {f"d{office.pk}": "较差"}

    response = client.post("/vote/", {"code": code, "step": "edit"} | choices)

    page = response.content.decode()
    assert f'id="id_d{office.pk}_3" value="较差" autocomplete="off" checked' in page
    assert page.count(" checked") == 7
    assert Ballot.objects.count() == 0


def test_paper_template_lists_point_to_a_hidden_sheet_and_survive_commas(client, cast, ballot_round, departments):
    """Group names with a comma or a quote stay one drop-down item; the columns past Z are named correctly."""
    ballot_round.groups.filter(name="机关全体人员").update(name='机关全体人员,含"借调"')

    book = load_workbook(BytesIO(_login(client, cast["lead"]).get("/democratic/2023/paper/template.xlsx").content))

    sheet, choices = book.worksheets
    assert (sheet.title, choices.title, choices.sheet_state) == ("纸质测评票", "选项", "hidden")
    groups = [c.value for c in choices["A"] if c.value]
    grades = [c.value for c in choices["B"] if c.value]
    assert groups == [g.name for g in ballot_round.groups.all()]
    assert '机关全体人员,含"借调"' in groups
    assert grades == ["优秀", "良好", "一般", "较差", "弃权"]  # best first, whatever the JSON key order
    last = sheet.cell(row=1, column=len(departments) + 2).column_letter
    rules = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert rules == {
        "A2:A1000": f"'选项'!$A$1:$A${len(groups)}",
        f"C2:{last}1000": f"'选项'!$B$1:$B${len(grades)}",
    }


def _round_status(page: str) -> str:
    [status] = re.findall(r"网上测评截止：[^（]*（([^）]*)）", page)
    return status


@pytest.mark.parametrize(
    ("phase", "status"),
    [
        ("scoring", "已开启，将于「民主测评」阶段接受投票"),
        ("democratic", "正在接受投票"),
    ],
)
def test_round_status_follows_the_phase(client, cast, demo_year, phase, status):
    year_in_phase(demo_year, phase)
    services.round_open(
        year=demo_year,
        title="2023年度民主测评",
        closes_at=timezone.now() + datetime.timedelta(days=7),
        groups=[services.GroupSpec("机关全体人员", 29, None, True)],
    )

    page = _login(client, cast["lead"]).get("/democratic/2023/").content.decode()

    assert _round_status(page) == status


def test_round_past_its_closing_time_says_so(client, cast, ballot_round):
    Round.objects.filter(pk=ballot_round.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))

    page = _login(client, cast["lead"]).get("/democratic/2023/").content.decode()

    assert _round_status(page) == "已截止，网上不能再投票"
