"""Optimistic locking on edit, and a frozen year refusing every write in the admin."""

from django.urls import reverse

from reviews.models import LedgerRecord
from reviews.services import ledger_record_create
from scoring.models import AssessmentYear
from tests.reviews.conftest import add_post


def test_second_save_of_stale_form_is_refused(client, cast, demo_year, rules, depts):
    record = ledger_record_create(year=demo_year, rule=rules["S1"], departments=[depts["女职工部"]])
    client.force_login(cast["reviewer_bgs"])
    url = reverse("admin:reviews_ledgerrecord_change", args=[record.pk])

    first = client.post(url, add_post(demo_year, rules["S1"], [depts["女职工部"]], quantity="2", version="1"))
    second = client.post(url, add_post(demo_year, rules["S1"], [depts["女职工部"]], quantity="5", version="1"))

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["adminform"].form.non_field_errors() == [
        "该记录已被他人修改（您打开的是旧版本），请刷新页面后重新修改。"
    ]
    record.refresh_from_db()
    assert (record.quantity, record.version) == (2, 2)


def test_frozen_year_refuses_add_change_and_delete(client, cast, demo_year, rules, depts):
    record = ledger_record_create(year=demo_year, rule=rules["S1"], departments=[depts["女职工部"]])
    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    demo_year.refresh_from_db()
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()

    add = client.post(reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["S1"], [depts["女职工部"]]))
    change = client.post(
        reverse("admin:reviews_ledgerrecord_change", args=[record.pk]),
        add_post(demo_year, rules["S1"], [depts["女职工部"]], quantity="4", version="1"),
    )
    delete = client.post(reverse("admin:reviews_ledgerrecord_delete", args=[record.pk]), {"post": "yes"})

    assert add.status_code == 200
    assert "已审定，数据只读" in str(add.context["adminform"].form.errors)
    assert change.status_code == 403
    assert delete.status_code == 403
    assert LedgerRecord.objects.count() == before
    record.refresh_from_db()
    assert record.quantity == 1


def test_frozen_year_is_read_only_in_scoring_admin(client, cast, demo_year):
    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    client.force_login(cast["admin"])

    response = client.post(reverse("admin:scoring_assessmentyear_change", args=[demo_year.pk]), {"title": "改名"})

    assert response.status_code == 403
    demo_year.refresh_from_db()
    assert demo_year.title != "改名"
