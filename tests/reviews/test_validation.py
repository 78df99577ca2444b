"""The form follows the rule: every refusal in Chinese, next to its field, nothing saved."""

import pytest
from django.urls import reverse

from departments.models import Department
from reviews.models import LedgerRecord
from reviews.services import ledger_record_create
from tests.reviews.conftest import add_post

CASES = [
    # (rule, departments, extra POST data, field, message)
    ("S1", ["女职工部"], {"quantity": "0"}, "quantity", "数量须为正整数"),
    ("T3", ["女职工部"], {"points": "3.5", "reason": "延迟"}, "points", "分值须在 0 至 3 之间"),
    ("T3", ["女职工部"], {"points": "", "reason": "延迟"}, "points", "T3 须填写酌情扣分分值"),
    ("T3", ["女职工部"], {"points": "1.5"}, "reason", "T3须填写理由"),
    ("T1", ["女职工部"], {"points": "2"}, "points", "T1 分值固定，不能填写分值"),
    ("T1", ["女职工部"], {"exempt": "on"}, "reason", "免于扣分须填写理由"),
    ("B1", ["女职工部"], {"exempt": "on", "reason": "x", "level": "municipal"}, "exempt", "只有扣分项目可以免于扣分"),
    ("B1", ["女职工部"], {}, "level", "B1 为加分项目，须选择级别（全总/省总/市总）"),
    ("T1", ["女职工部"], {"level": "municipal"}, "level", "T1 不是加分项目，不能选择级别"),
    ("T1", ["女职工部", "经济工作部"], {}, "target_departments", "T1 不是加分项目，只能针对一个部室"),
    ("G1", ["女职工部"], {"quantity": "2"}, "quantity", "G1 为年度项目，数量只能为 1"),
    ("V5", ["女职工部"], {}, "reason", "V5须填写理由"),
    ("V1", ["女职工部"], {"quantity": "2"}, "quantity", "V1 为否决项目，数量只能为 1"),
]


@pytest.mark.parametrize(("code", "names", "extra", "field", "message"), CASES)
def test_record_form_refuses_with_message_next_to_field(
    client, cast, demo_year, rules, depts, code, names, extra, field, message
):
    LedgerRecord.objects.filter(rule__code="G1", record_departments__department__name="女职工部").delete()
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()

    response = client.post(
        reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules[code], [depts[n] for n in names], **extra)
    )

    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert LedgerRecord.objects.count() == before


def test_record_form_refuses_second_annual_item(client, cast, demo_year, rules, depts):
    LedgerRecord.objects.filter(rule__code="G2").delete()
    ledger_record_create(year=demo_year, rule=rules["G2"], departments=[depts["女职工部"]])
    client.force_login(cast["reviewer_xjdys"])

    response = client.post(
        reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["G2"], [depts["女职工部"]])
    )

    assert response.context["adminform"].form.errors["target_departments"] == [
        "G2 为年度项目，女职工部本年度已有一条记录。"
    ]
    assert LedgerRecord.objects.filter(rule__code="G2").count() == 1


def test_record_form_accepts_shared_bonus_for_several_departments(client, cast, demo_year, rules, depts):
    client.force_login(cast["reviewer_bgs"])

    response = client.post(
        reverse("admin:reviews_ledgerrecord_add"),
        add_post(demo_year, rules["B1"], [depts["女职工部"], depts["经济工作部"]], level="provincial"),
    )

    assert response.status_code == 302
    record = LedgerRecord.objects.latest("id")
    assert sorted(record.departments.values_list("name", flat=True)) == ["女职工部", "经济工作部"]


def test_record_form_refuses_a_department_outside_the_year(client, cast, demo_year, rules):
    outside = Department.objects.create(name="未参加部", order=99)
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()

    response = client.post(reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["S2"], [outside]))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["target_departments"] == ["未参加部未参加本年度考核"]
    assert LedgerRecord.objects.count() == before


def test_record_form_refuses_a_reason_longer_than_the_ledger_keeps(client, cast, demo_year, rules, depts):
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()

    response = client.post(
        reverse("admin:reviews_ledgerrecord_add"),
        add_post(demo_year, rules["T3"], [depts["女职工部"]], points="1", reason="延" * 501),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"] == ["理由不能超过 500 字（现为 501 字）。"]
    assert LedgerRecord.objects.count() == before


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        # Another field's error must not let the database constraint speak for the reason.
        ({"target_departments": []}, {"target_departments": ["这个字段是必填项。"], "reason": ["免于扣分须填写理由"]}),
        ({"date": "2022-05-10"}, {"date": ["发生日期须在 2023 年内。"], "reason": ["免于扣分须填写理由"]}),
        ({"quantity": ""}, {"quantity": ["这个字段是必填项。"], "reason": ["免于扣分须填写理由"]}),
    ],
)
def test_exempt_without_reason_is_refused_by_the_reason_field(client, cast, demo_year, rules, depts, extra, errors):
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()
    data = add_post(demo_year, rules["T1"], [depts["女职工部"]], exempt="on")
    data.update(extra)

    response = client.post(reverse("admin:reviews_ledgerrecord_add"), data)

    assert response.context["adminform"].form.errors == errors
    assert "record_exempt_needs_reason" not in response.content.decode()
    assert LedgerRecord.objects.count() == before
