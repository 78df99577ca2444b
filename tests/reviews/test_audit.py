"""Audit trail with django-simple-history: who, when, before, after; deletion keeps the history."""

from django.urls import reverse

from reviews.models import LedgerRecord
from tests.reviews.conftest import add_post


def test_history_records_create_change_delete_with_user(client, cast, demo_year, rules, depts):
    client.force_login(cast["reviewer_bgs"])
    client.post(reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["S1"], [depts["女职工部"]]))
    record = LedgerRecord.objects.latest("id")
    pk = record.pk

    client.post(
        reverse("admin:reviews_ledgerrecord_change", args=[pk]),
        add_post(demo_year, rules["S1"], [depts["女职工部"]], quantity="3", version="1"),
    )
    client.post(reverse("admin:reviews_ledgerrecord_delete", args=[pk]), {"post": "yes"})

    assert not LedgerRecord.objects.filter(pk=pk).exists()
    history = list(LedgerRecord.history.filter(id=pk).order_by("history_date", "history_id"))
    types = [h.history_type for h in history]
    assert types[0] == "+" and types[-1] == "-" and "~" in types
    assert {h.history_user for h in history} == {cast["reviewer_bgs"]}
    quantities = [h.quantity for h in history]
    assert quantities[0] == 1 and quantities[-1] == 3
    assert LedgerRecord.history.model.objects.filter(id=pk, history_type="-").count() == 1


def test_history_page_visible_in_admin(client, cast, demo_year, rules, depts):
    client.force_login(cast["lead"])
    client.post(reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["S1"], [depts["女职工部"]]))
    record = LedgerRecord.objects.latest("id")

    response = client.get(reverse("admin:reviews_ledgerrecord_history", args=[record.pk]))

    assert response.status_code == 200
    assert "周组长" in response.content.decode() or "lead" in response.content.decode()
