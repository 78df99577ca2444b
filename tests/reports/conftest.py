import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest

from departments.models import Department
from reviews.models import LedgerRecord
from scoring.models import AssessmentYear, DemocraticScore
from tests.workflow.conftest import office_s2, year_to
from workflow import services
from workflow.account import review_account_save


def pdf_text(data: bytes, tmp_path, *, first: int | None = None, last: int | None = None, raw: bool = False) -> str:
    """The PDF's text, laid out (pdftotext from poppler-utils); `raw`: in the order it was written, each table cell
    whole (a laid-out page interleaves the lines of cells that wrap)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) 未安装")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    args = ["pdftotext", "-raw" if raw else "-layout"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_fonts(data: bytes, tmp_path) -> str:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) 未安装")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT


@pytest.fixture
def account_year(demo_year, cast):
    """The demo year approved after a full 公示: 办公室's head objected to its S2 record (withdrawn: 办公室 then
    ties 生活保障部 at 106.00 / 90.00, ordered by leadership) and to its I1 record (maintained); 经济工作部 granted
    500 元 per person, 民管法工部 decided 不奖励; the review lead wrote the year-end account; approved at the
    party-group meeting of 2024-01-20 (党组会纪要〔2024〕2号)."""
    year = demo_year
    # As tests/workflow's tie_ready_year: 办公室 at 90.00, so that withdrawing its S2 ties it with 生活保障部.
    DemocraticScore.objects.filter(year=year, department__name="办公室").update(score=Decimal("90.00"))
    year_to(year, AssessmentYear.Phase.PUBLICITY, cast["lead"])
    on = datetime.date(2024, 1, 12)
    s2 = office_s2(year)
    i1 = LedgerRecord.objects.get(year=year, rule__code="I1", record_departments__department__name="办公室")
    first = services.objection_raise(
        record=s2, reason="当天经批准外出办理公务，并非迟到", by=cast["head_bgs"], today=on
    )
    services.objection_answer(objection=first, decision="withdraw", answer="核实属公务外出", by=cast["reviewer_bgs"])
    second = services.objection_raise(record=i1, reason="信息报送次数有误", by=cast["head_bgs"], today=on)
    services.objection_answer(objection=second, decision="maintain", answer="有报送登记为证", by=cast["lead"])
    services.tie_order_set(year, ["办公室", "生活保障部"], "办公室全年获省级表彰", cast["leader_wang"])
    for name, amount in (("经济工作部", "500"), ("民管法工部", "0")):
        services.discretionary_award_grant(
            year, Department.objects.get(name=name), amount, "领导小组研究决定", cast["leader_wang"]
        )
    review_account_save(
        year,
        "全年考核小组按月记录台帐，各科室按分工录入。\n公示期间收到异议两件，均已答复。",
        cast["lead"],
    )
    services.year_approve(year, datetime.date(2024, 1, 20), "党组会纪要〔2024〕2号", cast["leader_wang"])
    return year
