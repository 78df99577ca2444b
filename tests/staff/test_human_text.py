"""Pages say what the scoring core's codes and decimals mean: veto rules with their text, totals with two
decimals, a zero deduction without a minus sign."""

from django.urls import reverse

from departments.models import Department
from reviews.models import LedgerRecord


def test_results_name_the_veto_rule_with_its_text(client, cast, demo_year):
    client.force_login(cast["leader_wang"])

    page = client.get(reverse("staff:results", args=[2023])).content.decode()

    assert '<span class="badge text-bg-dark text-wrap">V2 发生重大责任事故的</span>' in page


def test_department_page_names_the_veto_and_shows_zero_totals_unsigned_with_two_decimals(client, cast, demo_year):
    office = Department.objects.get(name="办公室")
    LedgerRecord.objects.filter(year=demo_year, departments=office).delete()
    vetoed = Department.objects.get(name="宣教调研室")
    client.force_login(cast["lead"])

    clean = client.get(reverse("staff:department", args=[2023, office.pk])).content.decode()
    vetoed_page = client.get(reverse("staff:department", args=[2023, vetoed.pk])).content.decode()

    assert '<div class="score-big text-danger">0.00</div>' in clean
    assert '<div class="score-big text-success">0.00</div>' in clean
    assert '<th scope="row">完成工作任务</th><td class="num">0.00</td>' in clean
    assert ("−0" in clean, "+0" in clean) == (False, False)
    assert '<div class="score-big">100.00</div>' in clean
    assert '<span class="text-danger fs-6">V2 发生重大责任事故的</span>' in vetoed_page
