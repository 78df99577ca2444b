"""Every document names the organisation of the admin (departments.models.Organisation): the printable forms, the
code slips and the workbook; the year-end PDF and the 通报 in tests/workflow/test_documents.py."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ballots import services as ballots
from ballots.pdf import slips_pdf
from departments.models import Department, Organisation
from reports.forms_pdf import monthly_plans_pdf, self_assessment_pdf
from reports.pdf import build_department_pdf
from reports.xlsx import SHEETS, build_xlsx
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def qingshan(demo_year):
    Organisation.objects.update(full_name="青山区总工会", short_name="青山工会")
    return demo_year


def test_printable_forms_carry_the_organisations_short_name(qingshan, tmp_path):
    office = Department.objects.get(name="办公室")

    for data in (
        self_assessment_pdf(qingshan, office),
        monthly_plans_pdf(qingshan, office),
        build_department_pdf(qingshan, "办公室"),
    ):
        pages = [flat(p) for p in pdf_text(data, tmp_path).split("\f") if p.strip()]
        assert all(p.startswith("青山工会") for p in pages)


def test_code_slips_carry_the_organisations_short_name(democratic_year, tmp_path):
    Organisation.objects.update(short_name="青山工会")
    round_ = ballots.round_open(
        year=democratic_year,
        title="2023年度民主测评",
        closes_at=timezone.now() + datetime.timedelta(days=1),
        groups=ballots.default_groups(year=democratic_year),
    )
    group = round_.groups.get(name="基层工会干部代表")
    codes = ballots.codes_generate(group=group, count=2)

    data = slips_pdf(group=group, department=None, codes=codes, ballot_url="https://kaohe.example.org/vote/")

    assert flat(pdf_text(data, tmp_path)).count("青山工会2023年度民主测评") == 2


def test_workbook_pages_print_the_organisation_year_and_sheet(qingshan):
    stream = io.BytesIO()
    build_xlsx(qingshan, stream)
    stream.seek(0)
    wb = load_workbook(stream)

    assert wb.properties.creator == "青山区总工会"
    assert [(ws.oddHeader.left.text, ws.oddHeader.right.text, ws.oddFooter.center.text) for ws in wb] == [
        ("青山工会", f"2023年度考核结果 · {name}", "第 &P 页 共 &N 页") for name in SHEETS
    ]
