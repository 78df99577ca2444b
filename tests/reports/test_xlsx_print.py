"""The workbooks the app writes, printed by LibreOffice headless (libreoffice-calc-nogui): each sheet one page
wide, its pages counted, its header rows repeated, the organisation, year and page number on every page.

One LibreOffice run converts every workbook (module fixture `printed`): it is slow on a shared machine. Set
KAOHE_PRINT_PNG=DIR to keep the pages as PNG (pdftoppm -r 50) for looking at them."""

from __future__ import annotations

import datetime
import io
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from ballots import services as ballots
from ballots.paper import paper_template_xlsx
from departments.models import Department, Organisation
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


def test_print_dump(printed):
    for name, p in printed.items():
        print(name, len(p.pages))
