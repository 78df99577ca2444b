"""The workbooks the app writes, printed by LibreOffice headless (libreoffice-calc-nogui): each sheet one page
wide, its pages counted, its header rows repeated, the organisation, year and page number on every page.

One LibreOffice run converts every workbook (module fixture `printed`): it is slow on a shared machine. Set
KAOHE_PRINT_PNG=DIR to keep the pages as PNG (pdftoppm -r 50) for looking at them."""

from __future__ import annotations

import datetime
import io
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from ballots import services as ballots
from ballots.paper import paper_template_xlsx
from departments.models import Department, Organisation
from kaohe.xlsx import CJK_FONT, display_width
from ops.demo import demo_load
from reports.xlsx import build_xlsx
from reviews.ledger_xlsx import ledger_export, ledger_template
from reviews.models import LedgerRecord
from reviews.targets_xlsx import targets_template
from scoring.models import AssessmentYear

pytestmark = [
    pytest.mark.django_db,  # the test database is set up for this module: its fixture writes there, then rolls back
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftotext") is None,
        reason="LibreOffice (soffice, libreoffice-calc-nogui) 或 pdftotext (poppler-utils) 未安装",
    ),
]


@dataclass
class Printed:
    xlsx: bytes
    pdf: Path
    pages: list[str]  # pdftotext -layout, one text per page

    def sheet_pages(self, sheet: str, *, marker: str) -> list[str]:
        return [p for p in self.pages if marker in p]


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def _convert(files: dict[str, bytes], directory: Path) -> dict[str, Path]:
    """All the workbooks to PDF in one LibreOffice run, with its own profile (parallel runs do not collide)."""
    for name, data in files.items():
        (directory / f"{name}.xlsx").write_bytes(data)
    profile = directory / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(directory),
            *[str(directory / f"{name}.xlsx") for name in files],
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shutil.rmtree(profile, ignore_errors=True)
    keep = os.environ.get("KAOHE_PRINT_PNG")
    if keep and shutil.which("pdftoppm"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copy(directory / f"{name}.pdf", keep)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "50", str(directory / f"{name}.pdf"), f"{keep}/{name}"], check=True
            )
    return {name: directory / f"{name}.pdf" for name in files}


def _ballots(year: AssessmentYear) -> bytes:
    """A closed round of three paper ballots in two groups; returns the paper template of the open round."""
    AssessmentYear.objects.filter(pk=year.pk).update(phase=AssessmentYear.Phase.DEMOCRATIC)
    year.phase = AssessmentYear.Phase.DEMOCRATIC
    round_ = ballots.round_open(
        year=year,
        title="2023年度民主测评",
        closes_at=timezone.now() + datetime.timedelta(days=7),
        groups=[
            ballots.GroupSpec("机关全体人员", 29, Decimal("0.6"), True),
            ballots.GroupSpec("基层工会干部代表", 30, Decimal("0.4"), False),
        ],
    )
    template = paper_template_xlsx(round=round_)
    depts = list(Department.objects.filter(year_entries__year=year).order_by("order"))
    staff, grassroots = round_.groups.get(name="机关全体人员"), round_.groups.get(name="基层工会干部代表")
    for group, voter, grade in ((grassroots, None, "优秀"), (grassroots, None, "良好"), (staff, depts[0], "良好")):
        ballots.paper_ballot_add(
            round=round_, group=group, voter_department=voter, ratings={d.pk: grade for d in depts if d != voter}
        )
    ballots.round_close(round=round_)
    return template


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Printed]:
    """The demo year's workbooks (year workbook with real ballots, ledger export and template, target template,
    paper-ballot template), written in a transaction rolled back afterwards, and printed by LibreOffice."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        Organisation.objects.update_or_create(pk=1, defaults={"full_name": "青山区总工会", "short_name": "青山工会"})
        year = AssessmentYear.objects.select_related("scheme").get(year=2023)
        files = {"paper": _ballots(year)}
        stream = io.BytesIO()
        build_xlsx(year, stream)
        files["year"] = stream.getvalue()
        records = LedgerRecord.objects.filter(year=year).order_by("date", "id")
        files["ledger"] = ledger_export(records)
        files["ledger_template"] = ledger_template(year)
        files["targets_template"] = targets_template(year)
        transaction.set_rollback(True)
    directory = tmp_path_factory.mktemp("printed")
    pdfs = _convert(files, directory)
    return {name: Printed(files[name], pdfs[name], _pages(pdfs[name])) for name in files}


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sheet_pages(printed: Printed, sheet: str) -> list[str]:
    """The pages of one sheet: those whose running header ends with "· {sheet}"."""
    return [page for page in printed.pages if re.search(rf"· {re.escape(sheet)}\s*$", page, re.M)]


def _page_sizes(pdf: Path) -> list[tuple[int, int]]:
    """Each page's width and height in points, rounded."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True)
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    return [(round(float(w)), round(float(h))) for w, h in sizes]


def _fits_one_page_wide(printed: Printed) -> dict[str, int]:
    """Pages per printed sheet, after checking that every page of a sheet with a header row shows that row whole:
    its first and its last column's headers (those not wrapped in their cells), which a sheet whose columns went
    onto further pages would not show there (the header rows repeat; columns do not)."""
    book = load_workbook(io.BytesIO(printed.xlsx))
    counts = {}
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        pages = _sheet_pages(printed, ws.title)
        counts[ws.title] = len(pages)
        if not ws.print_title_rows:
            continue
        headers = [
            (cell.value, ws.column_dimensions[cell.column_letter].width) for cell in ws[1] if cell.value is not None
        ]
        whole = [text for text, width in headers if display_width(text) <= width - 1]
        for page in pages:
            assert whole[0] in _flat(page) and whole[-1] in _flat(page), (ws.title, whole[0], whole[-1])
    assert sum(counts.values()) == len(printed.pages)  # every page is one sheet's
    return counts


def test_year_workbook_prints_each_sheet_one_page_wide(printed):
    year = printed["year"]

    assert _fits_one_page_wide(year) == {
        "说明": 1,
        "汇总排名": 1,
        "部室明细": 1,
        "台帐": 2,
        "民主测评": 1,
        "奖励核发": 1,
    }
    assert [_flat(page).endswith(f"第{n}页共7页") for n, page in enumerate(year.pages, start=1)] == [True] * 7
    assert all(page.lstrip().startswith("青山工会") for page in year.pages)
    # 说明, 民主测评 and 奖励核发 portrait; 汇总排名, 部室明细 and 台帐 (two pages) landscape (A4: 595 x 842 points)
    assert _page_sizes(year.pdf) == [(595, 842)] + [(842, 595)] * 4 + [(595, 842)] * 2


def test_other_workbooks_print_each_sheet_one_page_wide(printed):
    assert _fits_one_page_wide(printed["ledger"]) == {"说明": 1, "台帐": 2}
    assert _fits_one_page_wide(printed["ledger_template"]) == {"台帐": 1, "示例": 1, "项目代码说明": 2, "填写说明": 1}
    assert _fits_one_page_wide(printed["targets_template"]) == {
        "目标项目": 1,
        "示例": 1,
        "部室和类别": 1,
        "填写说明": 1,
    }
    assert _fits_one_page_wide(printed["paper"]) == {"纸质测评票": 1}
    for name in ("ledger", "ledger_template", "targets_template", "paper"):
        pages = printed[name].pages
        assert all(page.lstrip().startswith("青山工会") for page in pages), name
        assert [_flat(p).endswith(f"第{n}页共{len(pages)}页") for n, p in enumerate(pages, start=1)] == [True] * len(
            pages
        ), name


def test_every_filled_cell_of_every_workbook_is_in_the_cjk_font(printed):
    for name, item in printed.items():
        for ws in load_workbook(io.BytesIO(item.xlsx)).worksheets:
            if ws.sheet_state != "visible":
                continue
            fonts = {(c.font.name, c.font.charset) for row in ws.iter_rows() for c in row if c.value is not None}
            assert fonts == {(CJK_FONT, 134)}, (name, ws.title)


def test_year_workbook_page_setup_and_wrapped_rows(printed):
    book = load_workbook(io.BytesIO(printed["year"].xlsx))
    ledger = book["台帐"]

    assert [(ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) for ws in book] == [
        ("portrait", 1, 0),
        *[("landscape", 1, 0)] * 3,
        *[("portrait", 1, 0)] * 2,
    ]
    assert all(ws.sheet_properties.pageSetUpPr.fitToPage for ws in book)
    assert [ws.print_title_rows for ws in book] == [None, *["$1:$1"] * 5]
    assert (ledger.oddHeader.left.text, ledger.oddHeader.right.text, ledger.oddFooter.center.text) == (
        "青山工会",
        "2023年度考核结果 · 台帐",
        "第 &P 页 共 &N 页",
    )
    heights = [ledger.row_dimensions[r].height for r in range(2, ledger.max_row + 1)]
    assert all(h is None or h >= 33 for h in heights) and sum(h is not None for h in heights) > 10


def test_year_workbook_cover_says_where_it_comes_from(printed):
    cover = load_workbook(io.BytesIO(printed["year"].xlsx))["说明"]
    rows = [tuple(v for v in row if v is not None) for row in cover.iter_rows(values_only=True)]

    assert rows[0] == ("青山区总工会2023年度考核结果",)
    assert rows[2:6] == [
        ("组织", "青山区总工会"),
        ("考核年度", "2023年度"),
        ("考核方案", "2023年区总工会机关各部室创先争优绩效考核实施办法"),
        ("年度阶段", "民主测评（尚未审定，数据可能变动）"),
    ]
    assert rows[6][0] == "生成时间" and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", rows[6][1])
    assert [r[0] for r in rows[9:]] == ["汇总排名", "部室明细", "台帐", "民主测评", "奖励核发"]


def test_democratic_sheet_shows_ballots_and_turnout(printed):
    sheet = load_workbook(io.BytesIO(printed["year"].xlsx))["民主测评"]
    rows = [tuple(v for v in row if v is not None) for row in sheet.iter_rows(values_only=True)]
    turnout = rows.index(("测评人群体", "应参评人数", "网上投票", "纸质票", "合计", "参评率"))

    assert rows[turnout - 1] == ("计入得分的测评票 3 张，计入的测评等次 20 个。",)
    assert rows[turnout + 1 :] == [("机关全体人员", 29, 0, 1, 1, 0.034), ("基层工会干部代表", 30, 0, 2, 2, 0.067)]
    assert sheet.cell(turnout + 2, 6).number_format == "0.0%"
