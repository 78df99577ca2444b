"""The approved year's documents — year-end PDF and 通报 — name the organisation of the admin and the regulation
by the scheme's 实施办法名称, the same in both."""

import pytest

from departments.models import Organisation
from reports.notice import notice_pdf
from reports.pdf import build_pdf
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

REGULATION = "《某某区总工会机关各部室创先争优绩效考核实施办法》"


def flat(text: str) -> str:
    return "".join(text.split())


def test_year_pdf_and_notice_name_the_organisation_and_the_same_regulation(approved_year, tmp_path):
    year_pdf = flat(pdf_text(build_pdf(approved_year), tmp_path))
    notice = flat(pdf_text(notice_pdf(approved_year), tmp_path))

    assert f"根据{REGULATION}，2023年度考核实行百分制" in year_pdf
    assert "以上考核结果已经某某区总工会党组会议审定（2024年1月20日，党组会纪要〔2024〕2号）。" in year_pdf
    assert "某某区总工会考核工作领导小组办公室" in year_pdf
    assert f"机关各部室：根据{REGULATION}，2023年度机关各部室创先争优绩效考核工作" in notice
    assert notice.startswith("草稿某某区总工会文件区工发〔2024〕号关于2023年度机关各部室创先争优绩效考核结果的通报")
    assert "特此通报。某某区总工会年月日抄送：某某市总工会。某某区总工会办公室年月日印发" in notice


def test_documents_follow_the_organisation_and_the_scheme_as_edited(approved_year, tmp_path):
    Organisation.objects.update(
        full_name="青山区总工会",
        short_name="青山工会",
        issuer_mark="",
        document_prefix="",
        copy_recipients="",
        printing_office="",
    )
    approved_year.scheme.regulation_title = "青山区总工会机关部室绩效考核办法"
    approved_year.scheme.save()

    cover = flat(pdf_text(build_pdf(approved_year), tmp_path, first=1, last=1))
    notice = flat(pdf_text(notice_pdf(approved_year), tmp_path))

    assert cover.startswith("青山工会2023年度机关各部室创先争优绩效考核结果报告")
    assert "青山区总工会考核工作领导小组办公室" in cover
    assert notice.startswith("草稿青山区总工会关于2023年度")  # no 发文机关标志 of its own, no 发文字号 prefix
    assert "根据《青山区总工会机关部室绩效考核办法》" in notice
    assert "特此通报。青山区总工会年月日青山区总工会年月日印发" in notice  # 印发机关: the full name
    assert "抄送" not in notice


def test_documents_say_so_while_no_organisation_is_set_up(approved_year, tmp_path):
    Organisation.objects.all().delete()

    cover = flat(pdf_text(build_pdf(approved_year), tmp_path, first=1, last=1))
    notice = flat(pdf_text(notice_pdf(approved_year), tmp_path))

    assert cover.startswith("（未设置组织名称）2023年度")
    assert notice.startswith("草稿（未设置组织名称）关于2023年度")
