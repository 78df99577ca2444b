"""December's report has no next month's plan, yet its form sends the plan formset's management form, so that
the browser's submit is not silently refused (the view validates the plan formset of every month)."""

import re

from django.test import Client

from departments.models import Department
from scoring.models import AssessmentYear
from tests.conftest import year_in_phase
from workplans.models import MonthlyReport


def test_december_report_posts_as_the_browser_sends_it(demo_year, cast):
    year_in_phase(demo_year, AssessmentYear.Phase.RUNNING)
    office = Department.objects.get(name="办公室")
    client = Client()
    client.force_login(cast["head_bgs"])
    url = f"/2023/dept/{office.pk}/reports/12/"
    page = client.get(url).content.decode()
    form = page[page.index('<form method="post" novalidate>') :]
    fields = dict(re.findall(r'<input type="hidden" name="(plan-[A-Z_]+)" value="(\d+)"', form))
    assert {"plan-TOTAL_FORMS", "plan-INITIAL_FORMS"} <= set(fields)
    response = client.post(
        url, {**fields, "summary_text": "十二月完成年度总结。", "action": "submit", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert MonthlyReport.objects.get(year=demo_year, department=office, month=12).status == "submitted"
