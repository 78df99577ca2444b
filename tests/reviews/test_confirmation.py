"""Own-department records: pending (待确认) until the review lead confirms; pending ones do not count."""

from decimal import Decimal

from django.contrib.admin import helpers
from django.urls import reverse

from results.cache import year_result
from reviews.models import LedgerRecord
from tests.reviews.conftest import add_post


def _bgs_bonus(client, cast, demo_year, rules, depts):
    client.force_login(cast["reviewer_bgs"])
    response = client.post(
        reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["B1"], [depts["办公室"]], level="national")
    )
    assert response.status_code == 302
    return LedgerRecord.objects.latest("id")


def test_own_department_record_is_pending_and_not_scored(client, cast, demo_year, rules, depts):
    bonuses_before = year_result(demo_year).department("办公室").bonuses

    record = _bgs_bonus(client, cast, demo_year, rules, depts)

    assert record.status == LedgerRecord.Status.PENDING
    assert year_result(demo_year).department("办公室").bonuses == bonuses_before


def test_other_department_record_by_same_reviewer_is_confirmed(client, cast, demo_year, rules, depts):
    client.force_login(cast["reviewer_bgs"])

    client.post(reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["S1"], [depts["女职工部"]]))

    assert LedgerRecord.objects.latest("id").status == LedgerRecord.Status.CONFIRMED


def test_breakdown_lists_pending_record_separately(client, cast, demo_year, rules, depts):
    record = _bgs_bonus(client, cast, demo_year, rules, depts)

    response = client.get(reverse("admin:reviews_ledgerrecord_breakdown", args=[demo_year.pk, depts["办公室"].pk]))

    assert response.status_code == 200
    change_url = reverse("admin:reviews_ledgerrecord_change", args=[record.pk])
    assert [(row.pk, row.status_label, href) for row, href in response.context["pending"]] == [
        (record.pk, "待确认", change_url)
    ]
    listed = [row.pk for cat in response.context["categories"] for row, _, _ in cat["rows"]]
    assert record.pk not in listed
    page = response.content.decode()
    assert f'<a href="{change_url}">B1</a>' in page
    assert "待确认" in page


def test_lead_confirms_pending_record_and_it_counts(client, cast, demo_year, rules, depts):
    record = _bgs_bonus(client, cast, demo_year, rules, depts)
    bonuses_before = year_result(demo_year).department("办公室").bonuses
    client.force_login(cast["lead"])

    response = client.post(
        reverse("admin:reviews_ledgerrecord_changelist"),
        {"action": "confirm_records", helpers.ACTION_CHECKBOX_NAME: [str(record.pk)]},
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.confirmed_by) == (LedgerRecord.Status.CONFIRMED, cast["lead"])
    assert year_result(demo_year).department("办公室").bonuses == bonuses_before + Decimal("10")


def test_reviewer_cannot_confirm_own_pending_record(client, cast, demo_year, rules, depts):
    record = _bgs_bonus(client, cast, demo_year, rules, depts)

    client.post(
        reverse("admin:reviews_ledgerrecord_changelist"),
        {"action": "confirm_records", helpers.ACTION_CHECKBOX_NAME: [str(record.pk)]},
    )

    record.refresh_from_db()
    assert record.status == LedgerRecord.Status.PENDING
