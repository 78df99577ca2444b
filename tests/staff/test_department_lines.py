"""The department page's list of scored lines (staff.records.line_item): written in Python for speed, so each kind
of line is checked here whole, with every value escaped, and the page is checked to show them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department
from scoring.engine import Line
from staff.records import line_item
from tests.records import record_row

pytestmark = pytest.mark.django_db

DATE = (
    '<li class="list-group-item"><div class="d-flex justify-content-between gap-2">'
    '<div><span class="text-muted text-nowrap">'
)


def test_shared_bonus_with_evidence_and_escaped_texts():
    record = record_row(
        reason="表彰 <省总>",
        description="决定 & 奖牌",
        evidence=(("决定.pdf", "/ledger/evidence/1/"), ("奖<牌>.png", "/ledger/evidence/2/?a=1&b=2")),
    )
    line = Line(7, "B1", "B", Decimal("1.50"), 1, shared_with=("组织部",), halved=True)

    assert line_item(line, record, "获得<省级>表彰") == (
        f"{DATE}2023-03-01</span> · <strong>B1</strong></div>"
        '<div class="num fw-semibold"><span class="text-success">+1.50</span>'
        ' <span class="small text-muted fw-normal">共享减半</span></div></div>'
        '<div class="small">获得&lt;省级&gt;表彰</div>'
        '<div class="small text-muted">决定 &amp; 奖牌</div><div class="small">理由：表彰 &lt;省总&gt;</div>'
        '<div class="small">佐证材料：<a href="/ledger/evidence/1/">决定.pdf</a>、'
        '<a href="/ledger/evidence/2/?a=1&amp;b=2">奖&lt;牌&gt;.png</a></div></li>'
    )


def test_deduction_exempt_veto_and_a_line_without_itsrecord_row():
    deduction = line_item(Line(7, "S2", "S", Decimal("-1.50"), 3), record_row(description="例会迟到"), "迟到")
    exempt = line_item(Line(8, "S1", "S", Decimal("0.00"), 1, exempt=True), record_row(reason="因公外出"), "缺席")
    veto = line_item(Line(9, "V1", "V", Decimal("0"), 1, veto=True), record_row(), "否决事项")
    unread = line_item(Line(10, "S1", "S", Decimal("-1.00"), 1), None, "缺席")

    assert deduction == (
        f"{DATE}2023-03-01</span> · <strong>S2</strong> × 3</div>"
        '<div class="num fw-semibold"><span class="text-danger">-1.50</span></div></div>'
        '<div class="small">迟到</div><div class="small text-muted">例会迟到</div>'
        '<div class="small">佐证材料：无</div></li>'
    )
    assert exempt == (
        f"{DATE}2023-03-01</span> · <strong>S1</strong></div>"
        '<div class="num fw-semibold"><span class="badge text-bg-secondary">免扣</span> 0</div></div>'
        '<div class="small">缺席</div><div class="small">理由：因公外出</div>'
        '<div class="small">佐证材料：无</div></li>'
    )
    assert veto == (
        f"{DATE}2023-03-01</span> · <strong>V1</strong></div>"
        '<div class="num fw-semibold"><span class="badge text-bg-danger">否决</span></div></div>'
        '<div class="small">否决事项</div><div class="small">佐证材料：无</div></li>'
    )
    assert unread == (
        f"{DATE}</span> · <strong>S1</strong></div>"
        '<div class="num fw-semibold"><span class="text-danger">-1.00</span></div></div>'
        '<div class="small">缺席</div><div class="small">佐证材料：无</div></li>'
    )


def test_department_page_lists_every_line_newest_first(client, cast, demo_year):
    client.force_login(cast["head_bgs"])
    office = Department.objects.get(name="办公室")

    response = client.get(reverse("staff:department", args=[demo_year.year, office.pk]))

    page = response.content.decode()
    result = response.context["result"]
    items = response.context["line_items"]
    assert len(items) == len(result.lines) > 0
    assert page.count('<li class="list-group-item"><div class="d-flex') == len(result.lines)
    dates = [item.split('text-nowrap">')[1][:10] for item in items]
    assert dates == sorted(dates, reverse=True)
    assert all(item in page for item in items)
