"""The year-end PDF's floor in `make bench` renders the rows the report shows, within the same limits."""

import pytest

from reports.data import year_report
from tools.bench.runner import _pdf_floor

pytestmark = pytest.mark.django_db


def test_pdf_floor_renders_the_rows_the_year_end_report_shows(demo_year, tmp_path):
    report = year_report(demo_year)
    lines = sum(len(s.rows) for s in report.sections)
    out = tmp_path / "floor.pdf"

    info = _pdf_floor(demo_year, out)

    # Seven departments: the ranking, their ledger lines, the awards and the entered democratic scores.
    assert lines == 33
    assert info["rows"] == 7 + lines + 7 + 7
    assert out.read_bytes().startswith(b"%PDF-")


def test_pdf_floor_leaves_out_the_ledger_lines_the_report_leaves_out(demo_year, tmp_path, settings):
    settings.KAOHE_PDF_LEDGER_ROWS_MAX = 10

    info = _pdf_floor(demo_year, tmp_path / "floor.pdf")

    assert info["rows"] == 7 + 7 + 7
