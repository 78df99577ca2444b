"""Malformed workbooks to the ledger Excel import: a list of bad rows (LedgerImportError) or a clean import,
never another exception, and a refused file writes nothing (hypothesis)."""

import datetime
import io

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from reviews.ledger_xlsx import HEADERS, LedgerImportError, ledger_import

cells = (
    st.none()
    | st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=10)  # what a workbook can hold
    | st.sampled_from(
        [
            "办公室",
            "组织部",
            "不存在的部室",
            "S1",
            "S2",
            "T3",
            "B1",
            "V1",
            "省总",
            "是",
            "否",
            "=1+1",
            "2023-03-15",
            "2023-13-45",
            "-1",
            "1.234",
        ]
    )
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
    | st.booleans()
)
rows = st.lists(st.lists(cells, min_size=0, max_size=len(HEADERS) + 2), min_size=0, max_size=5)
GOOD_ROW = [datetime.date(2023, 3, 15), "办公室", "S2", 2, "", "", "否", "", "3月例会迟到两人次"]


def _workbook(header: list, body: list[list]) -> bytes:

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台帐"
    sheet.append(header)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in apps.get_models() if m._meta.managed}


def _import_or_refuse(year, user, data: bytes) -> None:
    with transaction.atomic():
        before = _row_counts()
        try:
            ledger_import(year=year, data=data, user=user)
        except LedgerImportError as exc:
            assert exc.args[0], "a refusal names at least one bad row"
            assert _row_counts() == before
        transaction.set_rollback(True)  # the next example starts from the demo data again


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=rows, keep_good_row=st.booleans())
def test_ledger_import_random_rows_refused_or_imported(demo_year, cast, body, keep_good_row):
    data = _workbook(HEADERS, ([GOOD_ROW] if keep_good_row else []) + body)
    _import_or_refuse(demo_year, cast["lead"], data)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | st.just(b"PK\x03\x04") | st.builds(lambda b: b"PK\x03\x04" + b, st.binary()))
def test_ledger_import_garbage_bytes_refused(demo_year, cast, data):
    _import_or_refuse(demo_year, cast["lead"], data)


def test_ledger_import_one_bad_row_after_good_ones_writes_nothing(demo_year, cast):
    data = _workbook(
        HEADERS, [GOOD_ROW, GOOD_ROW, [datetime.date(2023, 4, 1), "办公室", "T3", 1, "", "-1", "否", "", ""]]
    )
    before = _row_counts()

    with pytest.raises(LedgerImportError):
        ledger_import(year=demo_year, data=data, user=cast["lead"])

    assert _row_counts() == before


def test_ledger_import_good_rows_control(demo_year, cast):
    data = _workbook(HEADERS, [GOOD_ROW])
    before = _row_counts()["reviews.ledgerrecord"]

    records = ledger_import(year=demo_year, data=data, user=cast["lead"])

    assert len(records) == 1
    assert records[0].quantity == 2
    assert _row_counts()["reviews.ledgerrecord"] == before + 1
