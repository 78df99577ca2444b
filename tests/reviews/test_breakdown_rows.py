"""The breakdown's table rows (reviews.admin._line_row): written in Python for speed, so each kind of line is
checked here cell for cell, with every value escaped."""

from decimal import Decimal

import pytest

from reviews.admin import _line_row
from reviews.selectors import RecordRow
from scoring.engine import Line
from scoring.models import Rule
from tests.records import record_row

pytestmark = pytest.mark.django_db


def _row(rule, **values) -> RecordRow:
    return record_row(rule=rule, **values)


def _rule(demo_year, code) -> Rule:
    return Rule.objects.get(scheme=demo_year.scheme, code=code)


def test_shared_bonus_row_with_evidence_and_escaped_texts(demo_year):
    b1 = _rule(demo_year, "B1")
    record = _row(
        b1,
        reason="表彰 <省总>",
        description="决定 & 奖牌",
        recorder="王<审核>",
        evidence=(("决定.pdf", "/ledger/evidence/1/"), ("奖<牌>.png", "/ledger/evidence/2/?a=1&b=2")),
    )
    line = Line(7, "B1", "B", Decimal("1.50"), 1, shared_with=("组织部",), halved=True)

    html = _line_row(record, line, "/admin/reviews/ledgerrecord/7/change/?_changelist_filters=a%3D1&x=2")

    assert html == (
        '<tr><td style="white-space:nowrap">2023-03-01</td>'
        '<td><a href="/admin/reviews/ledgerrecord/7/change/?_changelist_filters=a%3D1&amp;x=2">B1</a> '
        f"{b1.short_text}</td>"
        '<td class="num">1</td><td class="num pos">1.50（共享减半）</td>'
        '<td>表彰 &lt;省总&gt;<br><span class="help">决定 &amp; 奖牌</span></td><td>王&lt;审核&gt;</td>'
        '<td><a href="/ledger/evidence/1/">决定.pdf</a><br>'
        '<a href="/ledger/evidence/2/?a=1&amp;b=2">奖&lt;牌&gt;.png</a></td></tr>'
    )


def test_deduction_exempt_and_veto_rows(demo_year):
    s2, s1 = _rule(demo_year, "S2"), _rule(demo_year, "S1")
    veto_rule = Rule.objects.filter(scheme=demo_year.scheme, kind=Rule.Kind.VETO).first()
    date = '<tr><td style="white-space:nowrap">2023-03-01</td>'

    deduction = _line_row(
        _row(s2, quantity=3, description="例会迟到"), Line(7, "S2", "S", Decimal("-1.50"), 3), "/r/7/"
    )
    exempt = _line_row(_row(s1, reason="因公外出"), Line(8, "S1", "S", Decimal("0.00"), 1, exempt=True), "/r/8/")
    veto = _line_row(_row(veto_rule), Line(9, veto_rule.code, "V", Decimal("0"), 1, veto=True), "/r/9/")

    assert deduction == (
        f'{date}<td><a href="/r/7/">S2</a> {s2.short_text}</td><td class="num">3</td><td class="num neg">-1.50</td>'
        '<td><span class="help">例会迟到</span></td><td></td><td>—</td></tr>'
    )
    assert exempt == (
        f'{date}<td><a href="/r/8/">S1</a> {s1.short_text}</td><td class="num">1</td>'
        '<td class="num ">0.00（免扣）</td><td>因公外出</td><td></td><td>—</td></tr>'
    )
    assert veto == (
        f'{date}<td><a href="/r/9/">{veto_rule.code}</a> {veto_rule.short_text}</td><td class="num">1</td>'
        '<td class="num ">否决</td><td></td><td></td><td>—</td></tr>'
    )
