"""Fixtures of the roster: departments and a workbook writer in the template's columns."""

import io

import pytest
from openpyxl import Workbook

from departments.models import Department
from people.xlsx import HEADERS


@pytest.fixture
def departments(db):
    """Two departments (办公室, 组织部) and an inactive one (旧科室)."""
    made = {name: Department.objects.create(name=name, order=i) for i, name in enumerate(["办公室", "组织部"], 1)}
    made["旧科室"] = Department.objects.create(name="旧科室", order=9, is_active=False)
    return made


def workbook_bytes(*rows, headers=HEADERS, sheet="名册") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
