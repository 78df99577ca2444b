"""Every download checks permission on the server and goes out as an attachment with nosniff."""

import io
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import Department
from reports import services
from reports.models import ReportBuild

pytestmark = pytest.mark.django_db


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def dept(name):
    return Department.objects.get(name=name)


def assert_attachment(response, content_type, filename):
    """A download of `filename` (exactly: the Chinese name RFC 5987-encoded, kaohe.downloads)."""
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(filename)
    assert response["X-Content-Type-Options"] == "nosniff"


def test_year_workbook_download_permission(client, cast, demo_year):
    url = reverse("reports:year_file", args=[2023, "year_xlsx"])
    for who in ("lead", "reviewer_zzb", "leader_wang", "admin"):
        client.force_login(cast[who])
        response = client.get(url)
        assert_attachment(response, services.XLSX_TYPE, "2023年度考核结果.xlsx")
        assert load_workbook(io.BytesIO(response.content)).sheetnames[:2] == ["说明", "汇总排名"]
    for who in ("head_bgs", "vice_li", "outsider"):
        client.force_login(cast[who])
        assert client.get(url).status_code == 403, who


def test_year_files_need_login(client, demo_year):
    for kind in ("year_pdf", "year_xlsx"):
        response = client.get(reverse("reports:year_file", args=[2023, kind]))
        assert response.status_code == 302 and "/login" in response["Location"]


def test_year_pdf_download_refused_to_non_leadership(client, cast, demo_year):
    for who in ("head_bgs", "head_zzb", "vice_li", "vice_zhao", "outsider"):
        client.force_login(cast[who])
        assert client.get(reverse("reports:year_file", args=[2023, "year_pdf"])).status_code == 403, who


def test_year_pdf_download_for_leadership(client, cast, demo_year):
    response = client_for(client, cast["leader_wang"]).get(reverse("reports:year_file", args=[2023, "year_pdf"]))

    assert_attachment(response, "application/pdf", "2023年度考核报告.pdf")
    assert response.content.startswith(b"%PDF-")


def test_unknown_report_kind_is_404(client, cast, demo_year):
    response = client_for(client, cast["lead"]).get(reverse("reports:year_file", args=[2023, "secrets"]))

    assert response.status_code == 404


def test_department_section_permission(client, cast, demo_year):
    def status(who, name):
        client.force_login(cast[who])
        return client.get(reverse("reports:department_section", args=[2023, dept(name).pk])).status_code

    assert status("head_bgs", "办公室") == 403  # not published yet
    demo_year.results_published = True
    demo_year.save(update_fields=["results_published"])
    assert status("head_bgs", "组织部") == 403
    assert status("vice_li", "办公室") == 403
    assert status("outsider", "办公室") == 403
    client.force_login(cast["head_bgs"])
    response = client.get(reverse("reports:department_section", args=[2023, dept("办公室").pk]))
    assert_attachment(response, "application/pdf", "2023年度办公室考核情况.pdf")


def test_department_section_of_a_department_outside_the_year_is_404(client, cast, demo_year):
    stranger = Department.objects.create(name="不参评的部室")

    response = client_for(client, cast["lead"]).get(reverse("reports:department_section", args=[2023, stranger.pk]))

    assert response.status_code == 404


def test_year_page_permission(client, cast, demo_year):
    for who, expected in (("lead", 200), ("head_bgs", 200), ("vice_li", 200), ("outsider", 403)):
        client.force_login(cast[who])
        assert client.get(reverse("reports:year", args=[2023])).status_code == expected, who


def test_year_page_shows_a_head_only_his_department(client, cast, demo_year):
    response = client_for(client, cast["head_bgs"]).get(reverse("reports:year", args=[2023]))

    rows = [row["department"].name for row in response.context["rows"]]
    assert rows == ["办公室"]
    assert response.context["everything"] is False
    assert "结果公布后可下载" in response.content.decode()


def test_year_page_lists_all_departments_for_leadership(client, cast, demo_year):
    response = client_for(client, cast["leader_wang"]).get(reverse("reports:year", args=[2023]))

    assert len(response.context["rows"]) == 7
    assert reverse("reports:year_file", args=[2023, "year_pdf"]) in response.content.decode()


def test_reports_index_permission(client, cast, demo_year):
    assert client_for(client, cast["outsider"]).get(reverse("reports:index")).status_code == 403
    client.logout()
    assert client_for(client, cast["lead"]).get(reverse("reports:index")).status_code == 200


@pytest.fixture
def immediate_tasks(settings, reports_root):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def large_years(monkeypatch):
    # The demo year's seven departments count as "many" for these tests.
    monkeypatch.setattr(services, "BACKGROUND_MIN_DEPARTMENTS", 3)


def test_large_year_file_is_built_in_background_then_downloaded(client, cast, demo_year, immediate_tasks, large_years):
    c = client_for(client, cast["lead"])
    assert c.get(reverse("reports:year_file", args=[2023, "year_xlsx"])).status_code == 302  # nothing built yet

    response = c.post(reverse("reports:build_start", args=[2023, "year_xlsx"]))

    build = ReportBuild.objects.get()
    assert response["Location"] == reverse("reports:build", args=[build.pk])
    assert (build.status, build.progress, build.step) == ("done", 100, "已完成")
    assert services.report_build_path(build).is_file()
    status = c.get(reverse("reports:build_status", args=[build.pk])).json()
    assert status["progress"] == 100 and status["download_url"] == reverse("reports:build_download", args=[build.pk])
    download = c.get(reverse("reports:build_download", args=[build.pk]))
    assert_attachment(download, services.XLSX_TYPE, "2023年度考核结果.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook["汇总排名"]["B2"].value == "宣教调研室"
    again = c.get(reverse("reports:year_file", args=[2023, "year_xlsx"]))
    assert again.status_code == 200


def test_build_pages_refuse_non_leadership(client, cast, demo_year, immediate_tasks, large_years):
    client_for(client, cast["lead"]).post(reverse("reports:build_start", args=[2023, "year_xlsx"]))
    build = ReportBuild.objects.get()
    client.logout()

    c = client_for(client, cast["head_bgs"])
    assert c.post(reverse("reports:build_start", args=[2023, "year_xlsx"])).status_code == 403
    for name in ("reports:build", "reports:build_status", "reports:build_download"):
        assert c.get(reverse(name, args=[build.pk])).status_code == 403


def test_build_request_reuses_a_running_build(cast, demo_year, reports_root):
    running = ReportBuild.objects.create(year=demo_year, kind="year_pdf", status="running")

    assert services.report_build_request(year=demo_year, kind="year_pdf", by=cast["lead"]) == running


def test_build_progress_page_polls_status(client, cast, demo_year, reports_root):
    build = ReportBuild.objects.create(
        year=demo_year, kind="year_pdf", status="running", progress=40, step="已排版部室 20 / 60"
    )

    response = client_for(client, cast["lead"]).get(reverse("reports:build", args=[build.pk]))

    body = response.content.decode()
    assert 'style="width: 40%"' in body and "已排版部室 20 / 60" in body
    assert reverse("reports:build_status", args=[build.pk]) in body


def test_year_report_command_writes_the_downloads_files_under_their_names(client, cast, demo_year, tmp_path):
    call_command("year_report", "2023", "--dir", str(tmp_path), stdout=io.StringIO())

    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023年度考核报告.pdf", "2023年度考核结果.xlsx"]
    download = client_for(client, cast["lead"]).get(reverse("reports:year_file", args=[2023, "year_xlsx"]))
    written = load_workbook(tmp_path / "2023年度考核结果.xlsx")
    downloaded = load_workbook(io.BytesIO(download.content))
    assert written.sheetnames == downloaded.sheetnames
    for name in written.sheetnames[1:]:  # 说明 differs only in the time it was made
        assert list(written[name].values) == list(downloaded[name].values), name
    assert (tmp_path / "2023年度考核报告.pdf").read_bytes().startswith(b"%PDF-")
