"""The admin breakdown of a department: its scored lines by category, each through templates/includes/scored_line.html
with the link to its record and who recorded it, styled by the ledger admin's stylesheet."""

import pytest
from django.urls import reverse

from departments.models import Department
from reviews.models import LedgerRecord

pytestmark = pytest.mark.django_db


def test_breakdown_lists_each_line_under_its_category_with_its_record_link(client, cast, demo_year):
    office = Department.objects.get(name="办公室")
    client.force_login(cast["lead"])

    response = client.get(reverse("admin:reviews_ledgerrecord_breakdown", args=[demo_year.pk, office.pk]))

    html = " ".join(response.content.decode().split())
    result = response.context["result"]
    assert html.count('<li><div class="scored-line-head">') == len(result.lines) == 5
    assert '<link href="/static/css/kaohe-admin.css" media="all" rel="stylesheet">' in html
    s1 = LedgerRecord.objects.get(year=demo_year, rule__code="S1", record_departments__department=office)
    change = reverse("admin:reviews_ledgerrecord_change", args=[s1.pk])
    assert (
        '<h2>S 集中学习和月度例会：-1.50 分</h2> <ul class="scored-lines"> <li><div class="scored-line-head"> '
        f'<div><span class="scored-line-date">2023年4月6日</span> · <strong><a href="{change}">S1</a></strong></div> '
        '<div class="scored-line-points"> <span class="scored-line-neg">-1.00</span> </div> </div> '
        f'<div class="scored-line-detail">{s1.rule.text}</div> '
        '<div class="scored-line-detail scored-line-quiet">4月月度例会，1人未经请假缺席</div> '
        '<div class="scored-line-detail">录入人：办公室考核员</div> '
        '<div class="scored-line-detail">佐证材料：无</div> </li>'
    ) in html
    assert '<span class="scored-line-pos">+4.00</span> <span class="scored-line-halved">共享减半</span>' in html
