"""A monthly plan item not done for the department's own reasons suggests a record of the scheme's plan shortfall
rule (`Scheme.plan_shortfall_rule`, T4 in district-2023), named by the scheme, not by code. A scheme without one
suggests nothing: no page, link or item fails (docs/scoring.md §7)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Department, Role
from results.cache import year_result
from reviews.models import LedgerRecord
from tests.factories import UserFactory, YearFactory
from tests.schemes import small_scheme
from tests.workplans.conftest import submitted_report
from workplans import services

pytestmark = pytest.mark.django_db

NO_RULE = "本年度考核方案未设定“月度计划未完成（自身原因）”对应的考核项目，月度小结不产生扣分建议。"


def _year(**scheme):
    """2023 on the small scheme, with 办公室 and 组织部, the head of 组织部, the 办公室 reviewer and the lead; 组织部's
    June summary reports one item not done for its own reasons."""
    year = YearFactory(year=2023, scheme=small_scheme(**scheme), departments=["办公室", "组织部"])
    offices = {d.name: d for d in Department.objects.filter(name__in=["办公室", "组织部"])}
    users = {
        "head": UserFactory(username="head", role=Role.DEPARTMENT_HEAD, role__department=offices["组织部"]),
        "head_bgs": UserFactory(username="head_bgs", role=Role.DEPARTMENT_HEAD, role__department=offices["办公室"]),
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER, role__department=offices["办公室"]),
        "lead": UserFactory(username="lead", role=Role.REVIEW_LEAD),
    }
    report, items = submitted_report(year, offices["组织部"], users["head"])
    return year, users, report, items


def test_scheme_without_plan_shortfall_rule_suggests_nothing(client):
    year, users, report, items = _year()

    assert services.plan_shortfall_rule(year) is None
    assert list(services.t4_suggestions(year=year)) == []
    with pytest.raises(ValidationError, match="未设定月度计划未完成（自身原因）对应的考核项目"):
        services.t4_confirm(item=items[0], user=users["lead"])
    with pytest.raises(ValidationError, match="未设定月度计划未完成（自身原因）对应的考核项目"):
        services.t4_dismiss(item=items[0], reason="已另行扣分", user=users["lead"])
    items[0].refresh_from_db()
    assert (items[0].ledger_record, items[0].t4_decided_at) == (None, None)
    assert LedgerRecord.objects.count() == 0


@pytest.mark.parametrize("who", ["reviewer", "lead"])
def test_suggestions_page_without_the_rule_says_so_to_the_review_group(client, who):
    year, users, _, items = _year()
    client.force_login(users[who])

    response = client.get(reverse("workplans:t4", args=[2023]))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<div class="alert alert-info" role="status">{NO_RULE}</div>' in page
    assert '<h1 class="h3">扣分建议 · 2023年</h1>' in page
    assert "确认记录" not in page and "职工书屋验收" not in page
    # Deciding on a suggestion the scheme cannot make: not found, nothing written.
    assert client.post(reverse("workplans:t4_confirm", args=[2023, items[0].pk])).status_code == 404
    dismiss = reverse("workplans:t4_dismiss", args=[2023, items[0].pk])
    assert client.post(dismiss, {"reason": "已另行扣分"}).status_code == 404
    assert LedgerRecord.objects.count() == 0


def test_suggestions_page_without_the_rule_is_refused_outside_the_review_group(client):
    _, users, _, _ = _year()
    client.force_login(users["head"])

    assert client.get(reverse("workplans:t4", args=[2023])).status_code == 403


def _june_pages(client, users):
    """办公室's June report as its head writes the summary (its May plan has one item), and 组织部's submitted one."""
    office = Department.objects.get(name="办公室")
    may = services.report_get_or_create(year=office.year_entries.get().year, department=office, month=5)
    plan = [services.PlanItemData("职工之家验收", "", datetime.date(2023, 6, 25))]
    services.report_save(
        report=may, summary_text="", plan_text="", plan_items=plan, outcomes={}, submit=False, user=None
    )
    client.force_login(users["head_bgs"])
    writing = client.get(reverse("workplans:report", args=[2023, office.pk, 6])).content.decode()
    client.force_login(users["head"])
    zzb = Department.objects.get(name="组织部")
    submitted = client.get(reverse("workplans:report", args=[2023, zzb.pk, 6])).content.decode()
    assert "职工之家验收" in writing and "职工书屋验收" in submitted
    return writing, submitted


def test_department_report_without_the_rule_promises_no_suggestion(client):
    _, users, _, _ = _year()

    writing, submitted = _june_pages(client, users)

    assert "扣分建议" not in writing
    assert 'class="diff"' not in submitted


def test_plan_shortfall_rule_of_the_scheme_is_suggested_and_recorded(client):
    year, users, report, items = _year(plan_shortfall_rule="J1")
    assert services.plan_shortfall_rule(year).code == "J1"
    assert list(services.t4_suggestions(year=year)) == items
    client.force_login(users["reviewer"])

    page = client.get(reverse("workplans:t4", args=[2023])).content.decode()
    assert '<h1 class="h3">J1 扣分建议 · 2023年</h1>' in page
    assert "J1：部室年度工作任务因自身原因未按计划完成，每项扣 3 分。" in page
    assert "确认记录 J1（−3 分）" in page and "T4" not in page

    response = client.post(reverse("workplans:t4_confirm", args=[2023, items[0].pk]), follow=True)

    assert "已为组织部记录 J1 扣分。" in response.content.decode()
    record = LedgerRecord.objects.get()
    assert (record.rule.code, record.status, [d.name for d in record.departments.all()]) == (
        "J1",
        LedgerRecord.Status.CONFIRMED,
        ["组织部"],
    )
    assert str(year_result(year).department("组织部").review_score) == "97.00"
    page = client.get(reverse("workplans:t4", args=[2023])).content.decode()
    assert "目前没有待处理的 J1 建议。" in page and "已记录 J1" in page


def test_report_page_names_the_plan_shortfall_rule_and_its_recorders(client):
    _, users, _, _ = _year(plan_shortfall_rule="J1")

    writing, submitted = _june_pages(client, users)

    assert "“未完成”且原因为“自身原因”的事项，将作为 J1 扣分建议提交办公室考核人员确认。" in writing
    assert '<tr class="diff">' in submitted


def test_plan_shortfall_rule_recorded_by_someone_else_is_refused(client):
    _, users, _, items = _year(plan_shortfall_rule="J1")
    other = UserFactory(username="other", role=Role.REVIEWER, role__department=Department.objects.get(name="组织部"))
    client.force_login(other)

    response = client.get(reverse("workplans:t4", args=[2023]))

    assert response.status_code == 403
    assert client.post(reverse("workplans:t4_confirm", args=[2023, items[0].pk])).status_code == 403
    assert LedgerRecord.objects.count() == 0
