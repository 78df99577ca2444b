"""The worked cases of docs/scoring.md (tests/data/cases) imported as years: the workbook's figures equal the
expected score_case output, including ballots, pending awards and a year without democratic evaluation."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.data import democratic_section
from reports.xlsx import build_xlsx
from results.exchange import year_import
from scoring.cases import loads, parse_case
from scoring.catalogue import scheme_spec
from scoring.engine import score_year

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"

pytestmark = pytest.mark.django_db


def dec(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("name", ["02-ballots-tie-pending", "04-no-democratic-custom-settings"])
def test_workbook_of_a_case_equals_its_expected_result(name, db):
    year = year_import(loads((CASES / f"{name}.json").read_bytes()))
    expected = json.loads((CASES / f"{name}.expected.json").read_text(encoding="utf-8"))
    stream = io.BytesIO()

    build_xlsx(year, stream)

    wb = load_workbook(io.BytesIO(stream.getvalue()))
    body = list(wb["汇总排名"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in body] == [d["name"] for d in expected["departments"]]
    for row, dept in zip(body, expected["departments"], strict=True):
        assert row[0] == dept["rank"]
        assert dec(row[5]) == Decimal(dept["review_score"])
        assert dec(row[6]) == (None if dept["democratic_score"] is None else Decimal(dept["democratic_score"]))
        assert dec(row[7]) == Decimal(dept["final_score"])
        assert dec(row[11]) == (None if dept["per_capita"] is None else Decimal(dept["per_capita"]))
    dem = list(wb["民主测评"].iter_rows(values_only=True))
    if name.startswith("02"):
        # An imported year keeps the democratic scores computed from the case's ballots.
        assert dem[0] == ("部室", "民主测评得分", "来源")
        scores = {r[0]: dec(r[1]) for r in dem[1:]}
        assert scores == {d["name"]: Decimal(d["democratic_score"]) for d in expected["departments"]}
    else:
        assert dem == [("说明",), ("本年度未举行民主测评，最终得分即考核小组评分。",)]


def test_democratic_section_from_ballots_counts_grades_per_group(db):
    doc = loads((CASES / "02-ballots-tie-pending.json").read_bytes())
    year = year_import(doc)
    year.democratic_source = "ballots"
    data = parse_case(doc, scheme_spec)
    result = score_year(data)

    dem = democratic_section(year, data, result)

    assert dem.ballots == 4
    assert [r.name for r in dem.rows] == [d.name for d in result.departments]
    for row in dem.rows:
        assert row.total == sum(n for c in row.counts.values() for n in c.values())
        assert row.score == result.department(row.name).democratic_score
    assert sum(row.total for row in dem.rows) == sum(
        1 for b in data.ballots for name, g in b.ratings.items() if g and name != b.voter_department
    )
