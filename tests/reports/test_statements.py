"""What the year-end PDF states is true: discretionary awards as decided, ballots counted as ballots."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from departments.models import Department
from reports.data import year_report
from reports.pdf import build_pdf
from reports.xlsx import build_xlsx
from scoring.models import AssessmentYear
from tests.reports.conftest import pdf_text
from tests.workflow.conftest import year_to
from workflow import services

pytestmark = pytest.mark.django_db

Phase = AssessmentYear.Phase


def flat(text: str) -> str:
    """The text without its layout: pdftotext breaks lines and pads columns with spaces."""
    return "".join(text.split())


def _decide(year, cast, **amounts: str) -> None:
    for name, amount in amounts.items():
        services.discretionary_award_grant(
            year, Department.objects.get(name=name), amount, "领导小组研究决定", cast["leader_wang"]
        )


@pytest.fixture
def decided_year(demo_year, cast):
    """The demo year in 公示 with 经济工作部 (94.48) granted 500 元 per person and 民管法工部 (91.40) decided 不奖励."""
    year_to(demo_year, Phase.PUBLICITY, cast["lead"])
    _decide(demo_year, cast, 经济工作部="500", 民管法工部="0")
    return demo_year


def test_approved_year_pdf_says_who_was_granted_and_refused_and_none_undecided(decided_year, cast, tmp_path):
    services.year_approve(decided_year, datetime.date(2024, 1, 20), "党组会纪要〔2024〕2号", cast["leader_wang"])

    text = flat(pdf_text(build_pdf(decided_year), tmp_path))

    assert "经领导小组决定给予酌情奖励的部室：经济工作部（每人500.00元）。" in text
    assert "经领导小组决定不予酌情奖励的部室：民管法工部。" in text
    assert "尚未决定" not in text


def test_draft_pdf_lists_as_undecided_only_the_eligible_without_a_decision(demo_year, cast, tmp_path):
    year_to(demo_year, Phase.PUBLICITY, cast["lead"])
    _decide(demo_year, cast, 民管法工部="0")

    text = flat(pdf_text(build_pdf(demo_year), tmp_path))

    assert "经领导小组决定给予酌情奖励" not in text
    assert "经领导小组决定不予酌情奖励的部室：民管法工部。" in text
    assert (
        "符合酌情奖励条件（最终得分90.00分以上、未获创先争优奖且未被否决）、尚未决定是否奖励的部室（1个）：经济工作部。"
        in text
    )


def test_approved_year_with_an_undecided_department_does_not_call_it_undecided(demo_year, cast):
    year_to(demo_year, Phase.PUBLICITY, cast["lead"])
    _decide(demo_year, cast, 经济工作部="300")
    services.year_approve(demo_year, datetime.date(2024, 1, 20), "党组会纪要〔2024〕2号", cast["leader_wang"])

    decisions = year_report(demo_year).discretionary

    assert decisions.granted == (("经济工作部", Decimal("300.00")),)
    assert decisions.refused == ()
    assert decisions.undecided == ()  # 民管法工部 is eligible, but approval closed the decisions


def test_workbook_summary_states_the_discretionary_decisions(decided_year):
    stream = io.BytesIO()
    build_xlsx(decided_year, stream)
    stream.seek(0)
    values = list(load_workbook(stream)["汇总排名"].iter_rows(values_only=True))
    column = values[0].index("酌情奖励决定")

    assert {row[1]: row[column] for row in values[1:]} == {
        "宣教调研室": None,
        "生活保障部": None,
        "办公室": None,
        "组织部": None,
        "经济工作部": "已奖励",
        "民管法工部": "不奖励",
        "女职工部": None,
    }


# ---------------------------------------------------------------------------------------------------------
# Ballots


def test_year_pdf_counts_ballots_as_ballots_and_grades_as_grades(ballot_year, tmp_path):
    text = flat(pdf_text(build_pdf(ballot_year), tmp_path))

    assert "计入得分的测评票6张，计入的测评等次39个。" in text
    assert year_report(ballot_year).democratic.ballots == 6
