"""Printable forms (自评表, monthly plans) and the self-assessment beside the ledger in the year-end report."""

import datetime
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.models import Department
from reports.data import year_report
from scoring.models import Rule
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

workplans = pytest.importorskip("workplans.models")


@pytest.fixture
def zzb_self_assessment(demo_year):
    """组织部 declares one S2 late arrival where the ledger holds two."""
    department = Department.objects.get(name="组织部")
    assessment = workplans.SelfAssessment.objects.create(
        year=demo_year,
        department=department,
        summary="全年重点工作按期推进。",
        status="submitted",
        submitted_at=timezone.now(),
    )
    rule = Rule.objects.get(scheme=demo_year.scheme, code="S2")
    workplans.SelfDeclaration.objects.create(assessment=assessment, rule=rule, quantity=1)
    return assessment


def test_year_report_puts_self_assessment_beside_the_ledger(demo_year, zzb_self_assessment):
    report = year_report(demo_year)

    sections = {s.result.name: s for s in report.sections}
    own = sections["组织部"].self_assessment
    items = {i.code: i for i in own.items}
    assert (items["S2"].self_quantity, items["S2"].self_points) == (1, Decimal("-0.5"))
    assert (items["S2"].ledger_quantity, items["S2"].ledger_points) == (2, Decimal("-1"))
    assert items["S2"].differs
    assert own.self_score == Decimal("99.5")
    assert sections["办公室"].self_assessment is None


def test_self_assessment_form_prints_declarations_and_self_score(
    client, cast, demo_year, zzb_self_assessment, tmp_path
):
    client.force_login(cast["head_zzb"])
    url = reverse("reports:department_form", args=[2023, zzb_self_assessment.department_id, "self"])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("2023年度组织部自评表.pdf")
    text = pdf_text(response.content, tmp_path)
    assert "年度机关部室创先争优绩效考核自评表" in text
    assert re.search(r"S2\s+无故迟到或早退.*\s1\s+0\s+-0\.50", text)
    assert "99.50" in text


def test_department_forms_permission(client, cast, demo_year, tmp_path):
    office = Department.objects.get(name="办公室")
    workers = Department.objects.get(name="民管法工部")
    report = workplans.MonthlyReport.objects.create(
        year=demo_year,
        department=office,
        month=3,
        summary_text="3月小结",
        status="submitted",
        submitted_at=timezone.now(),
    )
    workplans.PlanItem.objects.create(
        plan_report=report, month=4, title="机关作风检查", due_date=datetime.date(2023, 4, 28)
    )

    def status(who, department, form="plans"):
        client.force_login(cast[who])
        return client.get(reverse("reports:department_form", args=[2023, department.pk, form])).status_code

    assert status("head_bgs", workers) == 403
    assert status("vice_li", workers) == 403  # 民管法工部 is 赵副主席's
    assert status("outsider", office) == 403
    assert status("head_bgs", office, "nonsense") == 404
    client.force_login(cast["vice_li"])
    response = client.get(reverse("reports:department_form", args=[2023, office.pk, "plans"]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "2023年度办公室月度工作计划和小结.pdf"
    )
    assert "机关作风检查" in pdf_text(response.content, tmp_path)
