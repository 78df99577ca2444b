"""The ledger changelist: Django's rows, with the list's filters carried on every record link and every value
escaped; its record count, kept per process (reviews.changelist.LedgerPaginator), follows every change of the
ledger."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department
from results.revisions import year_data_changed
from reviews.models import LedgerRecord
from reviews.services import (
    evidence_attach,
    ledger_record_confirm,
    ledger_record_create,
    ledger_record_delete,
    ledger_record_update,
)
from scoring.models import Rule

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def varied_records(demo_year, cast, settings, tmp_path):
    """Records with every kind of value a cell shows: several departments, a level, exempt, pending, no author,
    evidence, a department name that needs escaping."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    rules = {r.code: r for r in Rule.objects.filter(scheme=demo_year.scheme)}
    depts = {d.name: d for d in Department.objects.all()}
    shared = ledger_record_create(
        year=demo_year,
        rule=rules["B1"],
        departments=[depts["办公室"], depts["经济工作部"]],
        recorded_by=cast["reviewer_bgs"],
        level="provincial",
        date=datetime.date(2023, 3, 1),
        reason="alert 表彰",
    )
    evidence_attach(record=shared, upload=SimpleUploadedFile("表彰决定.pdf", PDF))
    evidence_attach(record=shared, upload=SimpleUploadedFile("奖牌.pdf", PDF))
    exempt = ledger_record_create(
        year=demo_year,
        rule=rules["S1"],
        departments=[depts["女职工部"]],
        date=datetime.date(2023, 4, 2),
        exempt=True,
        reason="因公外出",
    )
    LedgerRecord.objects.filter(pk=shared.pk).update(status=LedgerRecord.Status.PENDING, recorded_by=None)
    depts["经济工作部"].name = "经济<工作>部 & 法律"
    depts["经济工作部"].save()
    return [shared, exempt]


def test_row_cells_show_escaped_values_and_filtered_links(client, cast, varied_records):
    shared, exempt = varied_records
    client.force_login(cast["admin"])

    page = client.get(reverse("admin:reviews_ledgerrecord_changelist"), {"q": "alert"}).content.decode()

    link = reverse("admin:reviews_ledgerrecord_change", args=[shared.pk]) + "?_changelist_filters=q%3Dalert"
    assert page.count('class="action-select"') == 1
    assert f'value="{shared.pk}" class="action-select" aria-label="选择此对象执行操作 - B1 · 2023年3月1日">' in page
    assert f'<th class="field-date nowrap"><a href="{link}">2023年3月1日</a></th>' in page
    rule = Rule.objects.get(pk=shared.rule_id).text
    assert (
        f'<td class="field-rule_code"><a href="{link}"><span class="kh-nowrap" title="{rule}">'
        "B1 部室工作获全总、省总、市总…</span></a></td>"
    ) in page
    names = "办公室、经济&lt;工作&gt;部 &amp; 法律"
    assert f'<td class="field-department_names"><span class="kh-nowrap">{names}</span></td>' in page
    # 省总 +8, halved: shared by two departments (engine.record_points).
    points = '<td class="field-points_display"><span class="kh-nowrap kh-num">+4.00</span></td>'
    assert f'<td class="field-level_display">省总</td>{points}' in page
    assert '<td class="field-recorder">-</td><td class="field-evidence_count">2</td>' in page
    assert '<td class="field-status_badge"><strong class="kh-pending">待确认</strong></td>' in page
    assert f'value="{exempt.pk}"' not in page  # the search leaves it out
    assert '<link href="/static/css/kaohe-admin.css" media="all" rel="stylesheet">' in page  # kh- classes


def test_rows_show_each_records_points_and_recorder_by_name(client, cast, demo_year):
    rules = {r.code: r for r in Rule.objects.filter(scheme=demo_year.scheme)}
    office = Department.objects.get(name="办公室")
    records = {
        "twice late": ledger_record_create(
            year=demo_year, rule=rules["S2"], departments=[office], quantity=2, recorded_by=cast["reviewer_bgs"]
        ),
        "exempt": ledger_record_create(
            year=demo_year, rule=rules["S2"], departments=[office], exempt=True, reason="因公外出"
        ),
        "t3": ledger_record_create(
            year=demo_year, rule=rules["T3"], departments=[office], points=Decimal("1.50"), reason="延误"
        ),
        "veto": ledger_record_create(year=demo_year, rule=rules["V2"], departments=[office], reason="事故"),
    }
    client.force_login(cast["admin"])

    page = client.get(reverse("admin:reviews_ledgerrecord_changelist"), {"department": office.pk}).content.decode()

    cells = {
        key: re.search(rf'value="{record.pk}".*?<td class="field-points_display">(.*?)</td>', page, re.S).group(1)
        for key, record in records.items()
    }
    assert cells == {
        "twice late": f'<span class="kh-nowrap kh-num">-{rules["S2"].points * 2:.2f}</span>',
        "exempt": '<span class="kh-nowrap kh-num">0.00</span>',
        "t3": '<span class="kh-nowrap kh-num">-1.50</span>',
        "veto": '<span class="kh-veto">否决</span>',
    }
    name = cast["reviewer_bgs"].get_full_name()
    assert name and name != "reviewer_bgs"
    assert re.search(rf'value="{records["twice late"].pk}".*?<td class="field-recorder">{name}</td>', page, re.S)


def _count(client, **params) -> tuple[int, int]:
    """The changelist's record count and how many COUNT queries the page ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:reviews_ledgerrecord_changelist"), params)
    counts = sum(
        1 for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)") and "kaohe_cache" not in q["sql"]
    )
    return response.context["cl"].result_count, counts


def test_record_count_is_kept_until_the_ledger_changes(client, cast, demo_year):

    rules = {r.code: r for r in Rule.objects.filter(scheme=demo_year.scheme)}
    office = Department.objects.get(name="办公室")
    client.force_login(cast["admin"])
    total = LedgerRecord.objects.count()
    pending = {"status__exact": "pending"}

    assert _count(client) == (total, 1)
    assert _count(client) == (total, 0)  # kept
    assert _count(client, **pending) == (0, 1)

    record = ledger_record_create(
        year=demo_year, rule=rules["B1"], departments=[office], level="municipal", recorded_by=cast["lead"]
    )
    assert _count(client) == (total + 1, 1)
    assert _count(client, **pending) == (0, 1)
    LedgerRecord.objects.filter(pk=record.pk).update(status=LedgerRecord.Status.PENDING)
    year_data_changed(year=demo_year)  # what every QuerySet.update of the ledger does (scoring.revisions)
    assert _count(client, **pending) == (1, 1)
    assert _count(client, **pending) == (1, 0)
    record.refresh_from_db()
    ledger_record_confirm(record=record, confirmed_by=cast["lead"])
    assert _count(client, **pending) == (0, 1)
    women = Department.objects.get(name="女职工部")
    before = _count(client, department=women.pk)[0]
    record.refresh_from_db()
    ledger_record_update(
        record=record,
        expected_version=record.version,
        rule=record.rule,
        departments=[office, women],
        date=record.date,
        level=record.level,
    )
    assert _count(client, department=women.pk) == (before + 1, 1)
    ledger_record_delete(record=record)
    assert _count(client) == (total, 1)
