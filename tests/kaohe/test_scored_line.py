"""templates/includes/scored_line.html: one scored line of a department, as the department page and the admin's
breakdown show it. Each kind of line is checked whole (whitespace aside), with every value escaped."""

from decimal import Decimal

from django.template.loader import render_to_string

from scoring.engine import Line
from tests.records import record_row

HEAD = '<div class="scored-line-head"> <div><span class="scored-line-date">'
EVIDENCE_NONE = '<div class="scored-line-detail">佐证材料：无</div>'


def _render(line, record, text, **extra) -> str:
    html = render_to_string("includes/scored_line.html", {"line": line, "record": record, "text": text, **extra})
    return " ".join(html.split())


def test_shared_bonus_with_evidence_link_recorder_and_escaped_texts():
    record = record_row(
        reason="表彰 <省总>",
        description="决定 & 奖牌",
        recorder="王<审核>",
        evidence=(
            ("决定.pdf", "/ledger/evidence/1/", "PDF，1.2 MB"),
            ("奖<牌>.png", "/ledger/evidence/2/?a=1&b=2", "PNG 图片，350 KB"),
        ),
    )
    line = Line(7, "B1", "B", Decimal("1.50"), 1, shared_with=("组织部",), halved=True)

    html = _render(line, record, "获得<省级>表彰", href="/admin/r/7/?_changelist_filters=a%3D1&x=2", show_recorder=True)

    assert html == (
        f'{HEAD}2023年3月1日</span> · <strong><a href="/admin/r/7/?_changelist_filters=a%3D1&amp;x=2">B1</a></strong>'
        '</div> <div class="scored-line-points"> <span class="scored-line-pos">+1.50</span> '
        '<span class="scored-line-halved">共享减半</span> </div> </div> '
        '<div class="scored-line-detail">获得&lt;省级&gt;表彰</div> '
        '<div class="scored-line-detail scored-line-quiet">决定 &amp; 奖牌</div> '
        '<div class="scored-line-detail">理由：表彰 &lt;省总&gt;</div> '
        '<div class="scored-line-detail">录入人：王&lt;审核&gt;</div> '
        '<div class="scored-line-detail">佐证材料：<a href="/ledger/evidence/1/">决定.pdf</a>（PDF，1.2 MB）、'
        '<a href="/ledger/evidence/2/?a=1&amp;b=2">奖&lt;牌&gt;.png</a>（PNG 图片，350 KB）</div>'
    )


def test_deduction_exempt_veto_and_a_line_without_its_record():
    deduction = _render(Line(7, "S2", "S", Decimal("-1.50"), 3), record_row(description="例会迟到"), "迟到")
    exempt = _render(Line(8, "S1", "S", Decimal("0.00"), 1, exempt=True), record_row(reason="因公外出"), "缺席")
    veto = _render(Line(9, "V1", "V", Decimal("0"), 1, veto=True), record_row(), "否决事项", show_recorder=True)
    unread = _render(Line(10, "S1", "S", Decimal("-1.00"), 1), None, "缺席")

    assert deduction == (
        f"{HEAD}2023年3月1日</span> · <strong>S2</strong> × 3</div> "
        '<div class="scored-line-points"> <span class="scored-line-neg">-1.50</span> </div> </div> '
        '<div class="scored-line-detail">迟到</div> <div class="scored-line-detail scored-line-quiet">例会迟到</div> '
        f"{EVIDENCE_NONE}"
    )
    assert exempt == (
        f"{HEAD}2023年3月1日</span> · <strong>S1</strong></div> "
        '<div class="scored-line-points"> <span class="scored-line-badge">免扣</span> 0 </div> </div> '
        '<div class="scored-line-detail">缺席</div> <div class="scored-line-detail">理由：因公外出</div> '
        f"{EVIDENCE_NONE}"
    )
    assert veto == (
        f"{HEAD}2023年3月1日</span> · <strong>V1</strong></div> "
        '<div class="scored-line-points"> <span class="scored-line-badge scored-line-veto">否决</span> </div> </div> '
        '<div class="scored-line-detail">否决事项</div> <div class="scored-line-detail">录入人：—</div> '
        f"{EVIDENCE_NONE}"
    )
    assert unread == (
        f"{HEAD}</span> · <strong>S1</strong></div> "
        '<div class="scored-line-points"> <span class="scored-line-neg">-1.00</span> </div> </div> '
        f'<div class="scored-line-detail">缺席</div> {EVIDENCE_NONE}'
    )
