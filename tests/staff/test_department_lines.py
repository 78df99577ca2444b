"""The department page's list of scored lines, each through templates/includes/scored_line.html (its markup is
checked in tests/kaohe/test_scored_line.py): every line, newest first, without who recorded it."""

import re

import pytest
from django.urls import reverse

from departments.models import Department

pytestmark = pytest.mark.django_db


def test_department_page_lists_every_line_newest_first(client, cast, demo_year):
    client.force_login(cast["head_bgs"])
    office = Department.objects.get(name="办公室")

    response = client.get(reverse("staff:department", args=[demo_year.year, office.pk]))

    page = response.content.decode()
    result = response.context["result"]
    head = r'<li class="list-group-item"><div class="scored-line-head">\s*<div><span class="scored-line-date">'
    dates = re.findall(head + r"([0-9年月日]+)</span>", page)
    assert dates == ["2023年12月7日", "2023年11月8日", "2023年9月21日", "2023年6月16日", "2023年4月6日"]
    assert len(dates) == len(result.lines)
    assert "<strong>I1</strong> × 2</div>" in page
    assert "录入人" not in page
    assert '<link rel="stylesheet" href="/static/css/kaohe.css">' in page
