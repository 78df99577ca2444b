"""The ledger's history pages only show: a POST to a past version (django-simple-history's revert form) changes
nothing for anyone, since it would bypass every rule of the ledger service."""

import pytest
from django.test import Client

from reviews.models import LedgerRecord
from scoring.models import Rule


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def t4_record(demo_year):
    """经济工作部's T4 deduction, confirmed."""
    return LedgerRecord.objects.get(year=demo_year, rule__code="T4", departments__name="经济工作部")


@pytest.mark.parametrize("role", ["reviewer_xjdys", "reviewer_zzb", "lead", "admin"])
def test_revert_post_changes_nothing(demo_year, cast, t4_record, role):
    version = t4_record.history.latest("history_date")
    g2 = Rule.objects.get(scheme=demo_year.scheme, code="G2")
    url = f"/admin/reviews/ledgerrecord/{t4_record.pk}/history/{version.history_id}/"
    before = (
        t4_record.rule_id,
        list(t4_record.departments.values_list("pk", flat=True)),
        t4_record.version,
        t4_record.history.count(),
    )

    response = _client(cast[role]).post(
        url,
        {
            "year": demo_year.pk,
            "rule": g2.pk,
            "departments": list(t4_record.departments.values_list("pk", flat=True)),
            "date": "2023-05-01",
            "quantity": 1,
            "version": t4_record.version,
        },
    )

    assert response.status_code == 403
    t4_record.refresh_from_db()
    after = (
        t4_record.rule_id,
        list(t4_record.departments.values_list("pk", flat=True)),
        t4_record.version,
        t4_record.history.count(),
    )
    assert after == before


def test_past_version_can_be_read_without_a_revert_button(demo_year, cast, t4_record):
    version = t4_record.history.latest("history_date")
    url = f"/admin/reviews/ledgerrecord/{t4_record.pk}/history/{version.history_id}/"

    response = _client(cast["reviewer_xjdys"]).get(url)

    assert response.status_code == 200
    assert ('name="_save"' in response.text, 'name="_continue"' in response.text) == (False, False)


def test_history_of_a_deleted_record_can_still_be_read(demo_year, cast, t4_record):
    pk = t4_record.pk
    version = t4_record.history.latest("history_date")
    t4_record.delete()
    client = _client(cast["lead"])

    listing = client.get(f"/admin/reviews/ledgerrecord/{pk}/history/")
    past = client.get(f"/admin/reviews/ledgerrecord/{pk}/history/{version.history_id}/")

    assert (listing.status_code, past.status_code) == (200, 200)
