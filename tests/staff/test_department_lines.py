"""The department page's list of scored lines, each through templates/includes/scored_line.html (its markup is
checked in tests/kaohe/test_scored_line.py): every line, newest first, without who recorded it."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department
from results.cache import year_scored
from reviews.models import LedgerRecord
from reviews.services import evidence_attach
from scoring.models import AssessmentYear
from tests.factories import LedgerRecordFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_department_page_lists_every_line_newest_first(client, cast, demo_year):
    client.force_login(cast["head_bgs"])
    office = Department.objects.get(name="办公室")

    response = client.get(reverse("staff:department", args=[demo_year.year, office.pk]))

    page = response.content.decode()
    lines = year_scored(demo_year).explained(office).lines
    head = r'<li class="list-group-item"><div class="scored-line-head">\s*<div><span class="scored-line-date">'
    dates = re.findall(head + r"([0-9年月日]+)</span>", page)
    assert dates == ["2023年12月7日", "2023年11月8日", "2023年9月21日", "2023年6月16日", "2023年4月6日"]
    assert len(dates) == len(lines)
    assert "<strong>I1</strong> × 2</div>" in page
    assert "录入人" not in page
    assert '<link rel="stylesheet" href="/static/css/kaohe.css">' in page


def test_department_lines_come_from_the_shared_cache_until_the_year_changes(client, cast, demo_year):
    client.force_login(cast["head_bgs"])
    office = Department.objects.get(name="办公室")
    url = reverse("staff:department", args=[demo_year.year, office.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as hit:
        cached = client.get(url).content.decode()
    LedgerRecordFactory(year=demo_year, rule="G2", departments=["办公室"], date=datetime.date(2023, 12, 20))
    fresh = client.get(url).content.decode()

    assert not any("reviews_ledgerrecord" in q["sql"] for q in hit.captured_queries)  # no record read on a hit
    assert '<span class="scored-line-date">2023年12月20日</span>' not in cached
    assert '<span class="scored-line-date">2023年12月20日</span> · <strong>G2</strong>' in fresh


def test_department_lines_show_an_uploaded_evidence_file_at_once(client, cast, demo_year, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    client.force_login(cast["head_bgs"])
    office = Department.objects.get(name="办公室")
    url = reverse("staff:department", args=[demo_year.year, office.pk])
    record = LedgerRecord.objects.filter(year=demo_year, departments=office).order_by("pk").first()
    version = AssessmentYear.objects.get(pk=demo_year.pk).data_version
    client.get(url)

    evidence = evidence_attach(record=record, upload=SimpleUploadedFile("会议签到表.pdf", PDF))
    page = client.get(url).content.decode()
    link = f'<a href="/ledger/evidence/{evidence.pk}/">会议签到表.pdf</a>'
    evidence.delete()
    after = client.get(url).content.decode()

    assert AssessmentYear.objects.get(pk=demo_year.pk).data_version == version  # an upload changes no score
    assert link in page
    assert link not in after
