"""The ledger's admin breakdown, its workbook and the year report's category chart on a scheme of another 机关:
what they show of categories and rules comes from the scheme (its veto category, its bonus category, its fixed
and discretionary deductions), not from the district scheme's codes."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import Department
from reports import charts
from reports.data import year_report
from reviews.ledger_xlsx import ledger_template
from tests.factories import LedgerRecordFactory, UserFactory, YearFactory
from tests.schemes import small_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    """2023 on the small scheme (J deductions, E bonuses, X vetoes) with 办公室 and 组织部; 办公室 has one J1, one E1
    and one X1 record."""
    year = YearFactory(year=2023, scheme=small_scheme(), departments=["办公室", "组织部"])
    for rule, level in (("J1", ""), ("E1", "市级"), ("X1", "")):
        LedgerRecordFactory(year=year, rule=rule, level=level, departments=["办公室"], date=datetime.date(2023, 3, 1))
    return year


def test_breakdown_lists_the_veto_category_of_the_scheme_after_the_others(client, year):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    office = Department.objects.get(name="办公室")

    response = client.get(reverse("admin:reviews_ledgerrecord_breakdown", args=[year.pk, office.pk]))

    assert response.status_code == 200
    categories = [(c["code"], c["name"], len(c["rows"]), c["total"]) for c in response.context["categories"]]
    assert [(code, name, rows, total and str(total)) for code, name, rows, total in categories] == [
        ("J", "机关管理", 1, "-3.00"),
        ("E", "表彰奖励", 1, "3.00"),
        ("X", "一票否决", 1, None),
    ]
    assert "<h2>X 一票否决</h2>" in response.content.decode()


def test_category_chart_leaves_out_a_category_of_bonus_rules_only(year):
    totals = year_report(year).category_totals

    assert [(t["code"], t["bonus_only"], str(t["deductions"]), str(t["bonuses"])) for t in totals] == [
        ("J", False, "3.00", "0"),
        ("E", True, "0", "3.00"),
    ]
    assert [label.text for label in charts.category_chart(totals).labels] == ["J 机关管理"]


def test_ledger_template_samples_and_explains_the_schemes_own_rules(year):
    book = load_workbook(io.BytesIO(ledger_template(year)))

    sample = [[cell.value for cell in row] for row in book["示例"].iter_rows(min_row=2)]
    assert sample == [
        [
            datetime.datetime(2023, 3, 15),
            "办公室",
            "J1",
            2,
            None,
            None,
            "否",
            None,
            "示例：部室年度工作任务因自身原因未按计划完成",
        ]
    ]
    notes = [row[0].value for row in book["填写说明"].iter_rows()]
    assert notes[3] == "分值：仅酌情扣分项目填写（J2：0～1.5，最多两位小数）；免扣：是 / 否（免扣须填理由）；"
    codes = [row[0].value for row in book["项目代码说明"].iter_rows(min_row=2)]
    assert codes == ["J1", "J2", "E1", "X1"]
